// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs: watch TCP connections open (SYN, SYN-ACK, ACK) and close (FIN, ACK,
 * FIN, ACK, or RST), flow by flow, and tell about every step.
 *
 * Module init and exit, parameters, and per-namespace setup.
 */

#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/jiffies.h>
#include <net/net_namespace.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include "tcphs.h"
#include "flow_table.h"
#include "netlink.h"
#include "ports.h"
#include "ring.h"

#define TCPHS_BUCKETS_MIN	256U
#define TCPHS_BUCKETS_MAX	BIT(22)
/* A flow keeps its expiry in 32 bits of jiffies: timeouts stay below 2^31. */
#define TCPHS_TIMEOUT_LIMIT	(20U * 24 * 3600)

unsigned int tcphs_net_id __read_mostly;

/* A parameter that is an unsigned number within a range. */
struct tcphs_uint_param {
	unsigned int *value;
	unsigned int min;
	unsigned int max;
};

static int tcphs_param_set_uint(const char *val, const struct kernel_param *kp)
{
	const struct tcphs_uint_param *p = kp->arg;
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < p->min || v > p->max) {
		pr_err("%s=%s is not valid: want a number from %u to %u\n",
		       kp->name, strim((char *)val), p->min, p->max);
		return -EINVAL;
	}
	WRITE_ONCE(*p->value, v);
	return 0;
}

static int tcphs_param_get_uint(char *buf, const struct kernel_param *kp)
{
	const struct tcphs_uint_param *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*p->value));
}

static const struct kernel_param_ops tcphs_uint_ops = {
	.set = tcphs_param_set_uint,
	.get = tcphs_param_get_uint,
};

unsigned int tcphs_max_flows __read_mostly = 65536;
static struct tcphs_uint_param tcphs_param_max_flows = {
	.value = &tcphs_max_flows, .min = 1, .max = TCPHS_MAX_FLOWS_LIMIT,
};
module_param_cb(max_flows, &tcphs_uint_ops, &tcphs_param_max_flows, 0644);
MODULE_PARM_DESC(max_flows, "Most flows tracked at once, all namespaces together (default 65536)");

static unsigned int tcphs_hashsize;
static struct tcphs_uint_param tcphs_param_hashsize = {
	.value = &tcphs_hashsize, .min = 0, .max = TCPHS_BUCKETS_MAX,
};
module_param_cb(hashsize, &tcphs_uint_ops, &tcphs_param_hashsize, 0444);
MODULE_PARM_DESC(hashsize, "Hash buckets, rounded up to a power of two; 0 sizes from max_flows");

unsigned int tcphs_event_ring = 512;
static struct tcphs_uint_param tcphs_param_event_ring = {
	.value = &tcphs_event_ring, .min = 0, .max = 65536,
};
module_param_cb(event_ring, &tcphs_uint_ops, &tcphs_param_event_ring, 0444);
MODULE_PARM_DESC(event_ring,
		 "Recent events kept per namespace in /proc/net/tcphs_events; 0: none (default 512)");

unsigned int tcphs_ports_param = 32;
static struct tcphs_uint_param tcphs_param_ports = {
	.value = &tcphs_ports_param, .min = 0, .max = TCPHS_PORTS_MAX,
};
module_param_cb(ports, &tcphs_uint_ops, &tcphs_param_ports, 0444);
MODULE_PARM_DESC(ports,
		 "Responder ports counted one by one per namespace in /proc/net/tcphs_ports, the rest together; 0: none (default 32)");

bool tcphs_loose __read_mostly;
module_param_named(loose, tcphs_loose, bool, 0644);
MODULE_PARM_DESC(loose, "Also track flows whose SYN was not seen (default off)");

bool tcphs_owners __read_mostly = true;
module_param_named(owners, tcphs_owners, bool, 0644);
MODULE_PARM_DESC(owners, "Record the local socket, user, cgroup and process of each flow (default on)");

/*
 * Seconds a flow may stay idle in a state before it times out. Finished
 * flows (TIME_WAIT after a close, CLOSED after a reset or timeout) linger
 * this long so that /proc/tcphs shows what just happened.
 *
 *	state				parameter		default
 *	SYN_SENT, SYN_SENT2, SYN_RECV	timeout_syn		60 s
 *	ESTABLISHED			timeout_established	5 days
 *	FIN_WAIT_*, CLOSING, LAST_ACK	timeout_close		120 s
 *	TIME_WAIT, CLOSED		linger			60 s
 */
static unsigned int tcphs_timeout_syn = 60;
static unsigned int tcphs_timeout_established = 5 * 24 * 3600;
static unsigned int tcphs_timeout_close = 120;
static unsigned int tcphs_linger = 60;

static struct tcphs_uint_param tcphs_param_timeout_syn = {
	.value = &tcphs_timeout_syn, .min = 1, .max = TCPHS_TIMEOUT_LIMIT,
};
module_param_cb(timeout_syn, &tcphs_uint_ops, &tcphs_param_timeout_syn, 0644);
MODULE_PARM_DESC(timeout_syn, "Seconds a half-open flow may stay idle (default 60)");
static struct tcphs_uint_param tcphs_param_timeout_established = {
	.value = &tcphs_timeout_established, .min = 1, .max = TCPHS_TIMEOUT_LIMIT,
};
module_param_cb(timeout_established, &tcphs_uint_ops, &tcphs_param_timeout_established, 0644);
MODULE_PARM_DESC(timeout_established, "Seconds an established flow may stay idle (default 432000)");
static struct tcphs_uint_param tcphs_param_timeout_close = {
	.value = &tcphs_timeout_close, .min = 1, .max = TCPHS_TIMEOUT_LIMIT,
};
module_param_cb(timeout_close, &tcphs_uint_ops, &tcphs_param_timeout_close, 0644);
MODULE_PARM_DESC(timeout_close, "Seconds a closing flow may stay idle (default 120)");
static struct tcphs_uint_param tcphs_param_linger = {
	.value = &tcphs_linger, .min = 0, .max = TCPHS_TIMEOUT_LIMIT,
};
module_param_cb(linger, &tcphs_uint_ops, &tcphs_param_linger, 0644);
MODULE_PARM_DESC(linger, "Seconds a finished flow stays in the table (default 60)");

/**
 * tcphs_state_timeout - how long a flow may stay idle in a state
 * @state: enum tcphs_state
 *
 * Returns jiffies.
 */
unsigned long tcphs_state_timeout(unsigned int state)
{
	unsigned int secs;

	switch (state) {
	case TCPHS_STATE_NONE:
	case TCPHS_STATE_SYN_SENT:
	case TCPHS_STATE_SYN_SENT2:
	case TCPHS_STATE_SYN_RECV:
		secs = READ_ONCE(tcphs_timeout_syn);
		break;
	case TCPHS_STATE_ESTABLISHED:
		secs = READ_ONCE(tcphs_timeout_established);
		break;
	case TCPHS_STATE_FIN_WAIT_1:
	case TCPHS_STATE_FIN_WAIT_2:
	case TCPHS_STATE_CLOSING:
	case TCPHS_STATE_LAST_ACK:
		secs = READ_ONCE(tcphs_timeout_close);
		break;
	default:
		secs = READ_ONCE(tcphs_linger);
		break;
	}
	return (unsigned long)secs * HZ;
}

void tcphs_stats_sum(const struct tcphs_net *tn, u64 sum[__TCPHS_STAT_MAX])
{
	int cpu, i;

	memset(sum, 0, sizeof(u64) * __TCPHS_STAT_MAX);
	for_each_possible_cpu(cpu) {
		const struct tcphs_stats *st = per_cpu_ptr(tn->stats, cpu);

		for (i = 0; i < __TCPHS_STAT_MAX; i++)
			sum[i] += READ_ONCE(st->v[i]);
	}
}

static int __net_init tcphs_net_init(struct net *net)
{
	struct tcphs_net *tn = tcphs_pernet(net);
	int err;

	tn->net = net;
	atomic_set(&tn->count, 0);
	atomic64_set(&tn->event_seq, 0);
	atomic64_set(&tn->flow_ids, 0);
	tn->max_flows = 0;
	tn->inval_start = jiffies;
	atomic_set(&tn->inval_used, 0);
	tn->stats = alloc_percpu_gfp(struct tcphs_stats, GFP_KERNEL_ACCOUNT);
	if (!tn->stats)
		return -ENOMEM;

	err = tcphs_ports_net_init(tn, tcphs_ports_param);
	if (err)
		goto err_stats;
	err = tcphs_sysctl_net_init(net);
	if (err)
		goto err_ports;
	err = tcphs_proc_net_init(net);
	if (err)
		goto err_sysctl;
	err = tcphs_ring_net_init(net, tcphs_event_ring);
	if (err)
		goto err_proc;
	err = tcphs_hooks_register(net);
	if (err)
		goto err_ring;
	return 0;

err_ring:
	tcphs_ring_net_exit(net);
err_proc:
	tcphs_proc_net_exit(net);
err_sysctl:
	tcphs_sysctl_net_exit(net);
err_ports:
	tcphs_ports_net_exit(tn);
err_stats:
	free_percpu(tn->stats);
	return err;
}

/*
 * No packet reaches the hooks once they are unregistered (that waits for
 * readers); the flush then takes every flow's lock, so nothing else uses the
 * namespace's data afterwards.
 */
static void __net_exit tcphs_net_exit(struct net *net)
{
	struct tcphs_net *tn = tcphs_pernet(net);

	tcphs_hooks_unregister(net);
	tcphs_proc_net_exit(net);
	tcphs_table_flush_net(net);
	tcphs_ring_net_exit(net);
	tcphs_sysctl_net_exit(net);
	tcphs_ports_net_exit(tn);
	free_percpu(tn->stats);
}

static struct pernet_operations tcphs_net_ops = {
	.init	= tcphs_net_init,
	.exit	= tcphs_net_exit,
	.id	= &tcphs_net_id,
	.size	= sizeof(struct tcphs_net),
};

static int __init tcphs_init(void)
{
	unsigned int buckets = tcphs_hashsize;
	int err;

	BUILD_BUG_ON((u64)TCPHS_TIMEOUT_LIMIT * HZ > S32_MAX);
	if (!buckets)
		buckets = clamp(tcphs_max_flows / 2, TCPHS_BUCKETS_MIN, TCPHS_BUCKETS_MAX);
	buckets = roundup_pow_of_two(max(buckets, TCPHS_BUCKETS_MIN));

	err = tcphs_table_init(buckets);
	if (err)
		return err;
	/*
	 * The namespaces first: a request to the family needs their data. Until
	 * the family is there, events are numbered and logged, not sent.
	 */
	err = register_pernet_subsys(&tcphs_net_ops);
	if (err)
		goto err_table;
	err = tcphs_nl_init();
	if (err)
		goto err_pernet;
	err = tcphs_proc_init(tcphs_event_ring > 0);
	if (err)
		goto err_nl;
	tcphs_gc_start();

	pr_info("tracking TCP handshakes: %u buckets, max_flows %u%s\n", buckets,
		tcphs_max_flows, tcphs_loose ? ", loose" : "");
	return 0;

err_nl:
	tcphs_nl_exit();
err_pernet:
	unregister_pernet_subsys(&tcphs_net_ops);
err_table:
	tcphs_table_exit();
	return err;
}

static void __exit tcphs_exit(void)
{
	tcphs_gc_stop();
	tcphs_proc_exit();
	tcphs_nl_exit();
	unregister_pernet_subsys(&tcphs_net_ops);
	tcphs_table_exit();
}

module_init(tcphs_init);
module_exit(tcphs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Track TCP 3-way opens and 4-way closes, flow by flow");
MODULE_AUTHOR("The tcphs authors");
/*
 * No MODULE_ALIAS_GENL_FAMILY: any user may ask the controller for a family,
 * and that must not load a module that hooks every packet of every
 * namespace. tcphs is loaded by its administrator.
 */
