// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/tcphs (also reachable as /proc/tcphs): the flow table of the
 * reader's network namespace, one line per flow under a header line.
 * /proc/net/stat/tcphs: the counters, one line per CPU, in the format of
 * /proc/net/stat/nf_conntrack (hexadecimal, readable with lnstat).
 *
 * The table lists other people's traffic: only a reader with CAP_NET_ADMIN
 * in the namespace's user namespace may read it (tcphs_proc_may_read()).
 */

#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/capability.h>
#include <linux/err.h>
#include <net/net_namespace.h>

#include <tcphs_names.h>

#include "tcphs.h"
#include "flow_table.h"
#include "ports.h"

struct tcphs_seq_iter {
	struct seq_net_private p;	/* must be first */
	unsigned int bucket;		/* bucket of the current flow */
	u64 id;				/* its id; 0 before the first */
	loff_t pos;			/* its position */
};

/*
 * The first flow of this namespace after the one with id @after in bucket
 * @bucket (see tcphs_chain_after()), so that flows coming and going
 * between two reads shift no other. Caller holds rcu_read_lock(); a long
 * walk over other namespaces' flows leaves it and yields between buckets,
 * which is safe because no flow is held across (the cursor is an id).
 */
static struct tcphs_flow *seq_find(struct seq_file *s, unsigned int bucket, u64 after)
{
	struct tcphs_seq_iter *it = s->private;
	struct net *net = seq_file_net(s);
	struct tcphs_flow __rcu **head;
	unsigned int walked = 0;

	for (; (head = tcphs_table_bucket(bucket)); bucket++, after = 0) {
		struct tcphs_flow *flow;

		tcphs_table_walk_pause(&walked);
		flow = tcphs_chain_after(head, net, after);
		if (flow) {
			it->bucket = bucket;
			it->id = tcphs_flow_id(flow);
			return flow;
		}
	}
	return NULL;
}

static void *tcphs_seq_start(struct seq_file *s, loff_t *pos)
	__acquires(RCU)
{
	struct tcphs_seq_iter *it = s->private;
	struct tcphs_flow *flow = NULL;

	rcu_read_lock();
	if (!tcphs_proc_may_read(s))
		return ERR_PTR(-EPERM);
	if (*pos == 0) {
		it->bucket = 0;
		it->id = 0;
		it->pos = 0;
		return SEQ_START_TOKEN;
	}
	/* Resume where the last read stopped, without walking from the start. */
	if (*pos == it->pos && it->id)
		return seq_find(s, it->bucket, it->id - 1);
	if (*pos == it->pos + 1) {
		flow = seq_find(s, it->bucket, it->id);
		if (flow)
			it->pos = *pos;
		return flow;
	}

	it->bucket = 0;
	it->id = 0;
	for (it->pos = 0; it->pos < *pos; it->pos++) {
		flow = seq_find(s, it->bucket, it->id);
		if (!flow)
			return NULL;
	}
	return flow;
}

static void *tcphs_seq_next(struct seq_file *s, void *v, loff_t *pos)
{
	struct tcphs_seq_iter *it = s->private;
	struct tcphs_flow *flow;

	(*pos)++;
	flow = seq_find(s, it->bucket, v == SEQ_START_TOKEN ? 0 : it->id);
	if (flow)
		it->pos = *pos;
	return flow;
}

static void tcphs_seq_stop(struct seq_file *s, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static void endpoint_str(char *buf, size_t len, u8 family, const union tcphs_addr *a,
			 __be16 port)
{
	if (family == AF_INET)
		snprintf(buf, len, "%pI4:%u", &a->ip, ntohs(port));
	else
		snprintf(buf, len, "[%pI6c]:%u", &a->in6, ntohs(port));
}

static void show_endpoint(struct seq_file *s, const struct tcphs_tuple *t, bool src)
{
	char buf[64];

	endpoint_str(buf, sizeof(buf), t->family, src ? &t->src : &t->dst,
		     src ? t->sport : t->dport);
	seq_printf(s, " %-21s", buf);
}

static void show_u64(struct seq_file *s, bool known, u64 v)
{
	if (known)
		seq_printf(s, " %llu", v);
	else
		seq_puts(s, " -");
}

static void show_header(struct seq_file *s)
{
	seq_printf(s, "%-6s %-6s %-21s %-21s %-11s %-10s %-15s %-6s", "id", "family",
		   "orig", "reply", "state", "conn_state", "history", "opener");
	seq_puts(s, " isn_orig isn_reply syn_synack_ns synack_ack_ns rtx_syn rtx_synack");
	seq_puts(s, " rtx_fin closer end ts_syn ts_synack ts_established ts_fin1");
	seq_puts(s, " ts_fin2 ts_end timeout nat_orig nat_reply outcome stage owner uid pid");
	seq_puts(s, " comm cgroup cookie\n");
}

/* A flow's owner: side, uid, pid, comm (escaped as /proc/mounts does), cgroup, cookie. */
static void show_owner(struct seq_file *s, const struct tcphs_owner *o)
{
	if (!o->known) {
		seq_puts(s, " - - - - - -");
		return;
	}
	seq_printf(s, " %s %u", o->side == TCPHS_DIR_ORIG ? "orig" : "reply", o->uid);
	if (o->known & TCPHS_OWN_TASK) {
		seq_printf(s, " %u ", o->pid);
		seq_escape(s, o->comm[0] ? o->comm : "-", " \t\n\\");
	} else {
		seq_puts(s, " - -");
	}
	seq_printf(s, " %llu %llu", o->cgroup, o->cookie);
}

/* The line of one flow; @now (jiffies) gives the timeout column. */
static void show_flow(struct seq_file *s, const struct tcphs_flow_info *fi, unsigned long now)
{
	const u64 *ts = fi->ts;
	int i;

	seq_printf(s, "%-6llu %-6s", fi->id, fi->tuple.family == AF_INET ? "ipv4" : "ipv6");
	show_endpoint(s, &fi->tuple, true);
	show_endpoint(s, &fi->tuple, false);
	seq_printf(s, " %-11s %-10s %-15s %-6s",
		   tcphs_name_of(tcphs_state_names, __TCPHS_STATE_MAX, fi->state),
		   tcphs_name_of(tcphs_conn_state_names, __TCPHS_CS_MAX, fi->conn_state),
		   fi->history[0] ? fi->history : "-",
		   tcphs_name_of(tcphs_opener_names, __TCPHS_OPENER_MAX, fi->opener));
	show_u64(s, fi->isn_known[TCPHS_DIR_ORIG], fi->isn[TCPHS_DIR_ORIG]);
	show_u64(s, fi->isn_known[TCPHS_DIR_REPLY], fi->isn[TCPHS_DIR_REPLY]);
	show_u64(s, ts[TCPHS_TS_SYN] && ts[TCPHS_TS_SYNACK],
		 ts[TCPHS_TS_SYNACK] - ts[TCPHS_TS_SYN]);
	show_u64(s, ts[TCPHS_TS_SYNACK] && ts[TCPHS_TS_ESTABLISHED],
		 ts[TCPHS_TS_ESTABLISHED] - ts[TCPHS_TS_SYNACK]);
	seq_printf(s, " %u %u %u %s %s", fi->rtx_syn, fi->rtx_synack, fi->rtx_fin,
		   fi->has_closer ? (fi->closer == TCPHS_DIR_ORIG ? "orig" : "reply") : "-",
		   tcphs_name_of(tcphs_end_names, __TCPHS_END_MAX, fi->end));
	for (i = 0; i < __TCPHS_TS_MAX; i++)
		show_u64(s, ts[i], ts[i]);
	seq_printf(s, " %u", tcphs_info_timeout(fi, now));
	if (fi->has_xlat) {
		char o[64], r[64];

		endpoint_str(o, sizeof(o), fi->tuple.family, &fi->xlat.src, fi->xlat.sport);
		endpoint_str(r, sizeof(r), fi->tuple.family, &fi->xlat.dst, fi->xlat.dport);
		seq_printf(s, " %s %s", o, r);
	} else {
		seq_puts(s, " - -");
	}
	seq_printf(s, " %s %s", tcphs_name_of(tcphs_outcome_names, __TCPHS_OUT_MAX, fi->outcome),
		   tcphs_name_of(tcphs_stage_names, __TCPHS_STAGE_MAX, fi->stage));
	show_owner(s, &fi->owner);
	seq_putc(s, '\n');
}

static int tcphs_seq_show(struct seq_file *s, void *v)
{
	struct tcphs_seq_iter *it = s->private;
	struct tcphs_flow_info fi;

	if (v == SEQ_START_TOKEN) {
		show_header(s);
		return 0;
	}
	/* A flow that left the table since it was found is not shown. */
	if (tcphs_flow_snapshot(v, it->bucket, &fi))
		show_flow(s, &fi, jiffies);
	return 0;
}

static const struct seq_operations tcphs_seq_ops = {
	.start	= tcphs_seq_start,
	.next	= tcphs_seq_next,
	.stop	= tcphs_seq_stop,
	.show	= tcphs_seq_show,
};

/* /proc/net/stat/tcphs: position 0 is the header, then one per CPU. */
static void *tcphs_stat_seq_start(struct seq_file *s, loff_t *pos)
{
	int cpu;

	if (*pos == 0)
		return SEQ_START_TOKEN;
	for (cpu = *pos - 1; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_possible(cpu))
			continue;
		*pos = cpu + 1;
		return per_cpu_ptr(tcphs_pernet(seq_file_net(s))->stats, cpu);
	}
	return NULL;
}

static void *tcphs_stat_seq_next(struct seq_file *s, void *v, loff_t *pos)
{
	int cpu;

	for (cpu = *pos; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_possible(cpu))
			continue;
		*pos = cpu + 1;
		return per_cpu_ptr(tcphs_pernet(seq_file_net(s))->stats, cpu);
	}
	(*pos)++;
	return NULL;
}

static void tcphs_stat_seq_stop(struct seq_file *s, void *v)
{
}

static int tcphs_stat_seq_show(struct seq_file *s, void *v)
{
	const struct tcphs_net *tn = tcphs_pernet(seq_file_net(s));
	const struct tcphs_stats *st = v;
	int i;

	if (v == SEQ_START_TOKEN) {
		seq_puts(s, "flows");
		for (i = 0; i < __TCPHS_STAT_MAX; i++)
			seq_printf(s, " %s", tcphs_stat_names[i]);
		seq_putc(s, '\n');
		return 0;
	}
	seq_printf(s, "%08x", atomic_read(&tn->count));
	for (i = 0; i < __TCPHS_STAT_MAX; i++)
		seq_printf(s, " %08llx", READ_ONCE(st->v[i]));
	seq_putc(s, '\n');
	return 0;
}

static const struct seq_operations tcphs_stat_seq_ops = {
	.start	= tcphs_stat_seq_start,
	.next	= tcphs_stat_seq_next,
	.stop	= tcphs_stat_seq_stop,
	.show	= tcphs_stat_seq_show,
};

/* See tcphs_proc_may_read(); the net is the caller's to find. */
static bool may_read(const struct file *file, const struct net *net)
{
	return file_ns_capable(file, net->user_ns, CAP_NET_ADMIN);
}

/*
 * /proc/net/tcphs_ports: a header, then a line per responder port counted
 * and one for the rest ("other"): the counters of enum tcphs_port_counter,
 * then each histogram as its TCPHS_HIST_BUCKETS counts, comma-separated.
 */
static int tcphs_ports_show(struct seq_file *s, void *v)
{
	struct net *net = seq_file_single_net(s);
	const struct tcphs_net *tn = tcphs_pernet(net);
	struct tcphs_port_counts *sum;
	unsigned int i, k, h;
	int port;

	if (!may_read(s->file, net))
		return -EPERM;
	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	seq_puts(s, "port");
	for (k = 0; k < __TCPHS_PC_MAX; k++)
		seq_printf(s, " %s", tcphs_port_counter_names[k]);
	seq_puts(s, " syn_synack_hist synack_ack_hist\n");
	for (i = 0; i < tcphs_ports_places(tn); i++) {
		if (!tcphs_ports_read(tn, i, &port, sum))
			continue;
		if (port < 0)
			seq_puts(s, "other");
		else
			seq_printf(s, "%d", port);
		for (k = 0; k < __TCPHS_PC_MAX; k++)
			seq_printf(s, " %llu", sum->c[k]);
		for (h = 0; h < __TCPHS_HIST_MAX; h++)
			for (k = 0; k < TCPHS_HIST_BUCKETS; k++)
				seq_printf(s, "%c%llu", k ? ',' : ' ', sum->hist[h][k]);
		seq_putc(s, '\n');
	}
	kfree(sum);
	return 0;
}

/**
 * tcphs_proc_may_read - may the opener of @s read its namespace's flows?
 * @s: the seq_file of a file under /proc/net
 *
 * The files are mode 0444 and the check is here, against the credentials
 * the file was opened with (so a descriptor handed to a privileged
 * program reveals nothing more): CAP_NET_ADMIN in the user namespace that
 * owns the network namespace, as for the netlink dump. Owner and mode
 * cannot say that: a namespace made with unshare(CLONE_NEWUSER |
 * CLONE_NEWNET) has no uid mapped when its files are created.
 */
bool tcphs_proc_may_read(struct seq_file *s)
{
	return may_read(s->file, seq_file_net(s));
}

int tcphs_proc_net_init(struct net *net)
{
	/* Reading needs CAP_NET_ADMIN: see tcphs_proc_may_read(). */
	if (!proc_create_net("tcphs", 0444, net->proc_net, &tcphs_seq_ops,
			     sizeof(struct tcphs_seq_iter)))
		return -ENOMEM;
	if (!proc_create_net("tcphs", 0444, net->proc_net_stat, &tcphs_stat_seq_ops,
			     sizeof(struct seq_net_private)))
		goto err_table;
	if (!proc_create_net_single("tcphs_ports", 0444, net->proc_net, tcphs_ports_show, NULL))
		goto err_stat;
	return 0;

err_stat:
	remove_proc_entry("tcphs", net->proc_net_stat);
err_table:
	remove_proc_entry("tcphs", net->proc_net);
	return -ENOMEM;
}

void tcphs_proc_net_exit(struct net *net)
{
	remove_proc_entry("tcphs_ports", net->proc_net);
	remove_proc_entry("tcphs", net->proc_net_stat);
	remove_proc_entry("tcphs", net->proc_net);
}

/*
 * /proc/tcphs -> net/tcphs, which resolves in the reader's namespace; the
 * same for the event log, when there is one.
 */
static bool tcphs_proc_event_link;

int tcphs_proc_init(bool event_log)
{
	if (!proc_symlink("tcphs", NULL, "net/tcphs"))
		return -ENOMEM;
	if (event_log && !proc_symlink("tcphs_events", NULL, "net/tcphs_events")) {
		remove_proc_entry("tcphs", NULL);
		return -ENOMEM;
	}
	tcphs_proc_event_link = event_log;
	return 0;
}

void tcphs_proc_exit(void)
{
	if (tcphs_proc_event_link)
		remove_proc_entry("tcphs_events", NULL);
	remove_proc_entry("tcphs", NULL);
}
