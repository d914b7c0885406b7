// SPDX-License-Identifier: GPL-2.0
/*
 * What one network namespace may take of tcphs: its share of the flow table
 * and its rate of INVALID events. Any user can make a namespace of its own
 * (unshare -Urn) and fill it with segments; none of that may blind the
 * others.
 *
 * Flows. max_flows bounds the table for all namespaces together. The
 * initial namespace may use all of it; every other namespace has a limit of
 * its own, the sysctl net.tcphs.max_flows (by default netns_max_flows, a
 * quarter of max_flows), and those namespaces together hold at most
 * netns_flows_total (half of max_flows). So the host's namespace always
 * has room, whatever its guests do, and a namespace at its limit makes room
 * by evicting only its own flows (flow_table.c).
 *
 * The sysctl is writable by the namespace's root, who may only lower it;
 * raising it takes CAP_NET_ADMIN in the initial user namespace.
 *
 * INVALID events. A segment whose numbers do not fit is counted always,
 * but becomes an event (a line in the ring, a netlink message) only
 * invalid_events times a second per namespace; the rest are counted in
 * event_suppressed and take no event number, so readers see no gap.
 */

#include <linux/capability.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "tcphs.h"
#include "compat.h"

static unsigned int tcphs_netns_max_flows;
module_param_named(netns_max_flows, tcphs_netns_max_flows, uint, 0644);
MODULE_PARM_DESC(netns_max_flows,
		 "Default limit of flows of a namespace other than the initial one; 0: max_flows/4");

static unsigned int tcphs_netns_flows_total;
module_param_named(netns_flows_total, tcphs_netns_flows_total, uint, 0644);
MODULE_PARM_DESC(netns_flows_total,
		 "Most flows all namespaces but the initial one hold together; 0: max_flows/2");

static unsigned int tcphs_invalid_events = 100;
module_param_named(invalid_events, tcphs_invalid_events, uint, 0644);
MODULE_PARM_DESC(invalid_events,
		 "INVALID events per second and namespace; more are counted, not sent (default 100)");

/**
 * tcphs_net_max_flows - the most flows a namespace may hold now
 * @tn: the namespace's data
 */
unsigned int tcphs_net_max_flows(const struct tcphs_net *tn)
{
	unsigned int max = READ_ONCE(tcphs_max_flows);
	unsigned int v = READ_ONCE(tn->max_flows);

	if (!v) {
		if (net_eq(tn->net, &init_net))
			return max;
		v = READ_ONCE(tcphs_netns_max_flows);
		if (!v)
			v = max(max / 4, 1U);
	}
	return min(v, max);
}

/** tcphs_guests_max_flows - the most flows of all other namespaces together */
unsigned int tcphs_guests_max_flows(void)
{
	unsigned int max = READ_ONCE(tcphs_max_flows);
	unsigned int v = READ_ONCE(tcphs_netns_flows_total);

	return min(v ? v : DIV_ROUND_UP(max, 2), max);
}

/**
 * tcphs_invalid_event_allowed - may this INVALID segment be an event?
 * @tn: the namespace's data
 * @now: jiffies
 *
 * Allows invalid_events a second. Two CPUs crossing into a new second at
 * once may let a few more through; whatever is refused is refused exactly
 * once, so the caller's count of suppressed events is exact.
 */
bool tcphs_invalid_event_allowed(struct tcphs_net *tn, unsigned long now)
{
	unsigned long start = READ_ONCE(tn->inval_start);

	if (time_after_eq(now, start + HZ) && cmpxchg(&tn->inval_start, start, now) == start)
		atomic_set(&tn->inval_used, 0);
	return atomic_inc_return(&tn->inval_used) <= READ_ONCE(tcphs_invalid_events);
}

/* net.tcphs.max_flows: reads the limit in force; see above for writes. */
static int tcphs_sysctl_max_flows(tcphs_ctl_table *table, int write, void *buffer,
				  size_t *lenp, loff_t *ppos)
{
	struct tcphs_net *tn = table->extra1;
	unsigned int cur = tcphs_net_max_flows(tn), v = cur;
	struct ctl_table tmp = {
		.procname	= table->procname,
		.data		= &v,
		.maxlen		= sizeof(v),
		.mode		= table->mode,
	};
	int err;

	err = proc_douintvec(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	if (v < 1 || v > TCPHS_MAX_FLOWS_LIMIT)
		return -EINVAL;
	/* A namespace's root may lower its limit; only the host's raises it. */
	if (v > cur && !capable(CAP_NET_ADMIN))
		return -EPERM;
	WRITE_ONCE(tn->max_flows, v);
	return 0;
}

/* net.tcphs.count: the namespace's flows, read-only. */
static int tcphs_sysctl_count(tcphs_ctl_table *table, int write, void *buffer,
			      size_t *lenp, loff_t *ppos)
{
	struct tcphs_net *tn = table->extra1;
	unsigned int v = max(atomic_read(&tn->count), 0);
	struct ctl_table tmp = {
		.procname	= table->procname,
		.data		= &v,
		.maxlen		= sizeof(v),
		.mode		= 0444,
	};

	if (write)
		return -EPERM;
	return proc_douintvec(&tmp, write, buffer, lenp, ppos);
}

/* Copied for each namespace, with extra1 pointing at its data. */
static const struct ctl_table tcphs_sysctl_template[] = {
	{
		.procname	= "max_flows",
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= tcphs_sysctl_max_flows,
	},
	{
		.procname	= "count",
		.maxlen		= sizeof(unsigned int),
		.mode		= 0444,
		.proc_handler	= tcphs_sysctl_count,
	},
	{ }
};

/** tcphs_sysctl_net_init - give a namespace its net.tcphs sysctls */
int tcphs_sysctl_net_init(struct net *net)
{
	struct tcphs_net *tn = tcphs_pernet(net);
	struct ctl_table *table;
	unsigned int i;

	table = kmemdup(tcphs_sysctl_template, sizeof(tcphs_sysctl_template),
			GFP_KERNEL_ACCOUNT);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(tcphs_sysctl_template) - 1; i++)
		table[i].extra1 = tn;
	tn->sysctl = tcphs_register_net_sysctl(net, "net/tcphs", table,
					       ARRAY_SIZE(tcphs_sysctl_template) - 1);
	if (!tn->sysctl) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

void tcphs_sysctl_net_exit(struct net *net)
{
	struct tcphs_net *tn = tcphs_pernet(net);
	const struct ctl_table *table = tn->sysctl->ctl_table_arg;

	unregister_net_sysctl_table(tn->sysctl);
	kfree(table);
}
