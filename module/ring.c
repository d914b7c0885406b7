// SPDX-License-Identifier: GPL-2.0
/*
 * The event log: a ring of the namespace's most recent transition events,
 * for when the reader is not at hand. `cat /proc/net/tcphs_events` (also
 * /proc/tcphs_events) prints them oldest first, one line each, in the words
 * and numbers of the reader's text output, each line led by the event's
 * sequence number (the one netlink events carry).
 *
 * Every event takes its sequence number here. Writers (the packet path, the
 * GC worker) hold the ring's lock only to copy one entry in; readers only to
 * copy one entry out, so neither waits long on the other, and a line is
 * never torn. A reader that falls behind the writers skips what was
 * overwritten and says so.
 */

#include <linux/err.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <tcphs_names.h>

#include "tcphs.h"
#include "flow_table.h"
#include "ring.h"

struct tcphs_ring_entry {
	u64 seq;			/* event sequence number, from 1 */
	u64 ts;				/* CLOCK_MONOTONIC ns */
	u64 flow_id;
	u64 lat[2];			/* SYN->SYN-ACK, SYN-ACK->ACK; 0: unknown */
	union tcphs_addr src;
	union tcphs_addr dst;
	__be16 sport;
	__be16 dport;
	u32 tcp_seq;
	u32 tcp_ack;
	u32 isn[2];
	u8 family;
	u8 event;
	u8 old_state;
	u8 new_state;
	u8 dir;				/* TCPHS_RING_NO_DIR: no segment */
	u8 flags;
	u8 isn_known;			/* BIT(dir) */
	u8 outcome;			/* enum tcphs_outcome */
	u8 stage;			/* enum tcphs_stage */
	u8 owner;			/* tcphs_owner.known: 0, no owner */
	u8 owner_side;			/* enum tcphs_dir */
	u32 uid;
	u32 pid;
	char comm[TASK_COMM_LEN];
};

#define TCPHS_RING_NO_DIR	0xff

struct tcphs_ring {
	spinlock_t lock;		/* entries, last_end; never held long */
	unsigned int size;
	u64 last_end;			/* newest seq shown by the last full read */
	struct tcphs_ring_entry e[];
};

static struct tcphs_ring_entry *slot(struct tcphs_ring *r, u64 seq)
{
	u32 idx;

	div_u64_rem(seq - 1, r->size, &idx);
	return &r->e[idx];
}

/**
 * tcphs_ring_record - number an event and log it
 * @tn: the namespace's data
 * @fi: the flow, as it is after the step
 * @step: the step, with its event
 * @dir: the segment's direction, or -1 when no segment caused the event
 * @seg: the segment, or NULL
 * @now: CLOCK_MONOTONIC ns
 *
 * Returns the event's sequence number. Never sleeps.
 */
u64 tcphs_ring_record(struct tcphs_net *tn, const struct tcphs_flow_info *fi,
		      const struct tcphs_step *step, int dir, const struct tcphs_seg *seg,
		      u64 now)
{
	struct tcphs_ring *r = tn->ring;
	struct tcphs_ring_entry *e;
	const u64 *ts = fi->ts;
	u64 seq;

	if (!r)
		return atomic64_inc_return(&tn->event_seq);

	spin_lock_bh(&r->lock);
	seq = atomic64_inc_return(&tn->event_seq);
	e = slot(r, seq);
	memset(e, 0, sizeof(*e));
	e->seq = seq;
	e->ts = now;
	e->flow_id = fi->id;
	if (ts[TCPHS_TS_SYN] && ts[TCPHS_TS_SYNACK])
		e->lat[0] = ts[TCPHS_TS_SYNACK] - ts[TCPHS_TS_SYN];
	if (ts[TCPHS_TS_SYNACK] && ts[TCPHS_TS_ESTABLISHED])
		e->lat[1] = ts[TCPHS_TS_ESTABLISHED] - ts[TCPHS_TS_SYNACK];
	e->src = fi->tuple.src;
	e->dst = fi->tuple.dst;
	e->sport = fi->tuple.sport;
	e->dport = fi->tuple.dport;
	e->family = fi->tuple.family;
	e->event = step->event;
	e->old_state = step->old_state;
	e->new_state = step->new_state;
	e->dir = dir < 0 || !seg ? TCPHS_RING_NO_DIR : dir;
	if (seg) {
		e->flags = seg->flags;
		e->tcp_seq = seg->seq;
		e->tcp_ack = seg->ack;
	}
	e->isn[0] = fi->isn[0];
	e->isn[1] = fi->isn[1];
	e->isn_known = (fi->isn_known[0] ? BIT(0) : 0) | (fi->isn_known[1] ? BIT(1) : 0);
	e->outcome = fi->outcome;
	e->stage = fi->stage;
	e->owner = fi->owner.known;
	if (e->owner) {
		e->owner_side = fi->owner.side;
		e->uid = fi->owner.uid;
		e->pid = fi->owner.pid;
		memcpy(e->comm, fi->owner.comm, sizeof(e->comm));
	}
	spin_unlock_bh(&r->lock);
	return seq;
}

struct tcphs_ring_iter {
	struct seq_net_private p;	/* must be first */
	u64 first;			/* seq shown at position 1 */
	u64 end;			/* newest seq when the read started */
	u64 lost;			/* overwritten unread before the read */
	u64 skipped;			/* overwritten during this read */
	struct tcphs_ring_entry cur;
};

/* Copy the entry for position @pos out; NULL past the end. */
static void *ring_get(struct seq_file *s, loff_t pos)
{
	struct tcphs_ring_iter *it = s->private;
	struct tcphs_ring *r = tcphs_pernet(seq_file_net(s))->ring;
	u64 seq = it->first + pos - 1, oldest;

	if (seq > it->end)
		return NULL;
	spin_lock_bh(&r->lock);
	/* Fell behind the writers: go on from the oldest entry still there. */
	oldest = atomic64_read(&tcphs_pernet(seq_file_net(s))->event_seq);
	oldest = oldest > r->size ? oldest - r->size + 1 : 1;
	if (seq < oldest) {
		it->skipped += oldest - seq;
		it->first += oldest - seq;
		seq = oldest;
	}
	if (seq <= it->end)
		it->cur = *slot(r, seq);
	spin_unlock_bh(&r->lock);
	return seq <= it->end ? &it->cur : NULL;
}

static void *tcphs_ring_seq_start(struct seq_file *s, loff_t *pos)
{
	struct tcphs_ring_iter *it = s->private;
	struct tcphs_net *tn = tcphs_pernet(seq_file_net(s));
	struct tcphs_ring *r = tn->ring;
	u64 oldest, since;

	if (!tcphs_proc_may_read(s))
		return ERR_PTR(-EPERM);
	if (*pos)
		return ring_get(s, *pos);

	spin_lock_bh(&r->lock);
	it->end = atomic64_read(&tn->event_seq);
	oldest = it->end > r->size ? it->end - r->size + 1 : 1;
	since = r->last_end + 1;
	it->lost = oldest > since ? oldest - since : 0;
	it->first = oldest;
	it->skipped = 0;
	r->last_end = it->end;
	spin_unlock_bh(&r->lock);
	return SEQ_START_TOKEN;
}

static void *tcphs_ring_seq_next(struct seq_file *s, void *v, loff_t *pos)
{
	(*pos)++;
	return ring_get(s, *pos);
}

static void tcphs_ring_seq_stop(struct seq_file *s, void *v)
{
}

/* A sequence number relative to an ISN, as a textbook writes it: x, x+1. */
static void show_rel(struct seq_file *s, const char *name, u32 val, bool known, u32 isn,
		     char letter)
{
	u32 d = val - isn;

	if (!known)
		seq_printf(s, " %s=%u", name, val);
	else if (!d)
		seq_printf(s, " %s=%c", name, letter);
	else if ((s32)d > 0)
		seq_printf(s, " %s=%c+%u", name, letter, d);
	else
		seq_printf(s, " %s=%c-%u", name, letter, isn - val);
}

static void show_endpoint(struct seq_file *s, u8 family, const union tcphs_addr *a,
			  __be16 port)
{
	if (family == AF_INET)
		seq_printf(s, "%pI4:%u", &a->ip, ntohs(port));
	else
		seq_printf(s, "[%pI6c]:%u", &a->in6, ntohs(port));
}

static int tcphs_ring_seq_show(struct seq_file *s, void *v)
{
	static const char letters[] = "SFRPAUEC";
	static const u8 bits[] = { TCPHS_SYN, TCPHS_FIN, TCPHS_RST, TCPHS_PSH,
				   TCPHS_ACK, TCPHS_URG, TCPHS_ECE, TCPHS_CWR };
	struct tcphs_ring_iter *it = s->private;
	const struct tcphs_ring_entry *e = v;
	bool orig, reply;
	u64 secs;
	u32 rem;
	int i;

	if (v == SEQ_START_TOKEN) {
		seq_printf(s, "# %llu events overwritten unread since the last read\n",
			   it->lost);
		return 0;
	}
	if (it->skipped) {
		seq_printf(s, "# %llu events overwritten while reading\n", it->skipped);
		it->skipped = 0;
	}

	secs = div_u64_rem(e->ts, NSEC_PER_SEC, &rem);
	seq_printf(s, "%llu %llu.%06u flow=%llu ", e->seq, secs, rem / 1000,
		   e->flow_id);
	/* The arrow follows the segment, as in tcpdump and tcphs events. */
	reply = e->dir == TCPHS_DIR_REPLY;
	show_endpoint(s, e->family, reply ? &e->dst : &e->src, reply ? e->dport : e->sport);
	seq_puts(s, " > ");
	show_endpoint(s, e->family, reply ? &e->src : &e->dst, reply ? e->sport : e->dport);
	seq_printf(s, " %s %s %s -> %s",
		   e->dir == TCPHS_RING_NO_DIR ? "-" :
		   e->dir == TCPHS_DIR_ORIG ? "orig" : "reply",
		   tcphs_name_of(tcphs_event_names, __TCPHS_EV_MAX, e->event),
		   tcphs_name_of(tcphs_state_names, __TCPHS_STATE_MAX, e->old_state),
		   tcphs_name_of(tcphs_state_names, __TCPHS_STATE_MAX, e->new_state));

	if (e->dir == TCPHS_RING_NO_DIR) {
		seq_puts(s, " flags=- seq=- ack=-");
	} else {
		seq_puts(s, " flags=");
		for (i = 0; i < ARRAY_SIZE(bits); i++)
			if (e->flags & bits[i])
				seq_putc(s, letters[i]);
		if (!e->flags)
			seq_putc(s, '-');
		orig = e->dir == TCPHS_DIR_ORIG;
		show_rel(s, "seq", e->tcp_seq, e->isn_known & BIT(e->dir), e->isn[e->dir],
			 orig ? 'x' : 'y');
		if (e->flags & TCPHS_ACK)
			show_rel(s, "ack", e->tcp_ack, e->isn_known & BIT(!e->dir),
				 e->isn[!e->dir], orig ? 'y' : 'x');
		else
			seq_puts(s, " ack=-");
	}
	/* Milliseconds with three decimals, as every text view has them. */
	if (e->lat[0]) {
		secs = div_u64_rem(div_u64(e->lat[0], NSEC_PER_USEC), USEC_PER_MSEC, &rem);
		seq_printf(s, " syn-synack=%llu.%03ums", secs, rem);
	}
	if (e->lat[1]) {
		secs = div_u64_rem(div_u64(e->lat[1], NSEC_PER_USEC), USEC_PER_MSEC, &rem);
		seq_printf(s, " synack-ack=%llu.%03ums", secs, rem);
	}
	if (e->outcome != TCPHS_OUT_NONE)
		seq_printf(s, " outcome=%s stage=%s",
			   tcphs_name_of(tcphs_outcome_names, __TCPHS_OUT_MAX, e->outcome),
			   tcphs_name_of(tcphs_stage_names, __TCPHS_STAGE_MAX, e->stage));
	if (e->owner)
		seq_printf(s, " owner=%s uid=%u",
			   e->owner_side == TCPHS_DIR_ORIG ? "orig" : "reply", e->uid);
	if (e->owner & TCPHS_OWN_TASK) {
		/* Last, as the reader writes it: a command may hold spaces. */
		seq_printf(s, " pid=%u comm=", e->pid);
		for (i = 0; i < TASK_COMM_LEN && e->comm[i]; i++)
			seq_putc(s, e->comm[i] >= 0x20 && e->comm[i] < 0x7f ? e->comm[i] : '?');
	}
	seq_putc(s, '\n');
	return 0;
}

static const struct seq_operations tcphs_ring_seq_ops = {
	.start	= tcphs_ring_seq_start,
	.next	= tcphs_ring_seq_next,
	.stop	= tcphs_ring_seq_stop,
	.show	= tcphs_ring_seq_show,
};

/**
 * tcphs_ring_net_init - give a namespace its event log
 * @net: the namespace
 * @size: entries; 0 gives no log (events are still numbered)
 */
int tcphs_ring_net_init(struct net *net, unsigned int size)
{
	struct tcphs_net *tn = tcphs_pernet(net);
	struct tcphs_ring *r;

	tn->ring = NULL;
	if (!size)
		return 0;
	/* Charged to the memory cgroup of the task creating the namespace. */
	r = kvzalloc(struct_size(r, e, size), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	spin_lock_init(&r->lock);
	r->size = size;
	tn->ring = r;

	/* Reading needs CAP_NET_ADMIN: see tcphs_proc_may_read(). */
	if (!proc_create_net("tcphs_events", 0444, net->proc_net, &tcphs_ring_seq_ops,
			     sizeof(struct tcphs_ring_iter))) {
		tn->ring = NULL;
		kvfree(r);
		return -ENOMEM;
	}
	return 0;
}

/* Called once no event can be recorded for the namespace any more. */
void tcphs_ring_net_exit(struct net *net)
{
	struct tcphs_net *tn = tcphs_pernet(net);

	if (!tn->ring)
		return;
	remove_proc_entry("tcphs_events", net->proc_net);
	kvfree(tn->ring);
	tn->ring = NULL;
}
