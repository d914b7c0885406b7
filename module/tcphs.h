/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of the tcphs module share: per-namespace data, counters and
 * the tunables.
 */
#ifndef _TCPHS_H
#define _TCPHS_H

#include <linux/bits.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/tcphs.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

struct ctl_table_header;
struct tcphs_ports;
struct tcphs_ring;

struct tcphs_stats {
	u64 v[__TCPHS_STAT_MAX];
};

/* Per network namespace. */
struct tcphs_net {
	struct tcphs_stats __percpu *stats;
	atomic_t count;			/* flows of this namespace, and places taken */
	atomic64_t event_seq;		/* events generated, no gaps */
	atomic64_t flow_ids;		/* the last flow id given */
	unsigned int max_flows;		/* net.tcphs.max_flows; 0: the default */
	unsigned long inval_start;	/* jiffies: this second of INVALID events */
	atomic_t inval_used;		/* INVALID events in it so far */
	struct ctl_table_header *sysctl;
	struct tcphs_ring *ring;	/* recent events, or NULL */
	struct tcphs_ports *ports;	/* aggregates per port, or NULL */
	struct net *net;
};

extern unsigned int tcphs_net_id;

static inline struct tcphs_net *tcphs_pernet(const struct net *net)
{
	return net_generic(net, tcphs_net_id);
}

static inline void tcphs_stat_inc(struct tcphs_net *tn, enum tcphs_stat s)
{
	this_cpu_inc(tn->stats->v[s]);
}

void tcphs_stats_sum(const struct tcphs_net *tn, u64 sum[__TCPHS_STAT_MAX]);

/* The most max_flows (or a namespace's limit) may be. */
#define TCPHS_MAX_FLOWS_LIMIT	BIT(24)

/* Tunables (module parameters); see main.c. */
extern unsigned int tcphs_max_flows;
extern bool tcphs_loose;
extern bool tcphs_owners;
extern unsigned int tcphs_ports_param;
unsigned long tcphs_state_timeout(unsigned int state);

/* limits.c: what one namespace may take; see there. */
unsigned int tcphs_net_max_flows(const struct tcphs_net *tn);
unsigned int tcphs_guests_max_flows(void);
bool tcphs_invalid_event_allowed(struct tcphs_net *tn, unsigned long now);
int tcphs_sysctl_net_init(struct net *net);
void tcphs_sysctl_net_exit(struct net *net);

/* hook.c */
int tcphs_hooks_register(struct net *net);
void tcphs_hooks_unregister(struct net *net);

/* proc.c */
struct seq_file;
bool tcphs_proc_may_read(struct seq_file *s);
int tcphs_proc_net_init(struct net *net);
void tcphs_proc_net_exit(struct net *net);
int tcphs_proc_init(bool event_log);
void tcphs_proc_exit(void);

#endif /* _TCPHS_H */
