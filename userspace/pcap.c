// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs pcap FILE: the module's state machine (module/fsm.c) and history
 * (module/history.c), compiled in unchanged, run over a capture file
 * (pcap or pcapng; Ethernet, raw IP, Linux cooked v1 and v2), printing the
 * same table, events, JSON and ladders as the module does live.
 *
 * What the module's hook does around the state machine is done here the
 * same way: the TCP checksum is checked (unless --no-checksum: captures
 * made on the sending host often hold segments whose checksum the NIC was
 * to fill in), fragments are counted and not examined, a flow is opened
 * by a SYN (or by anything with --loose), a new connection on a finished
 * tuple starts a new flow, and a resynchronising SYN-ACK retires the old
 * flow and replays the SYN on a new one. What the module does with time is
 * not: flows never time out here (every flow stays to the end of the
 * capture) and INVALID events are not rate-limited.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tcphs_names.h>

#include "fsm.h"
#include "history.h"
#include "output.h"
#include "tcphs.h"

/* Link types (tcpdump's LINKTYPE_*). */
#define LT_ETHERNET	1
#define LT_RAW		101
#define LT_LINUX_SLL	113
#define LT_IPV4		228
#define LT_IPV6		229
#define LT_LINUX_SLL2	276

#define SNAP_MAX	(256 * 1024)
#define BUCKETS		4096
#define MAX_IFACES	64
#define RTX_MAX		255		/* the module's counters saturate there */

enum { TS_SYN, TS_SYNACK, TS_ESTABLISHED, TS_FIN1, TS_FIN2, TS_END, TS_MAX };

struct ptuple {
	uint8_t family;
	union tcphs_addr src, dst;	/* originator first, for a flow */
	uint16_t sport, dport;		/* host order */
};

struct pflow {
	struct pflow *next;		/* hash chain */
	struct pflow *all;		/* every flow, newest first */
	struct ptuple t;
	uint64_t id;
	bool retired;			/* left the table (a new flow took the tuple) */
	struct tcphs_fsm fsm;
	struct tcphs_history hist;
	uint64_t ts[TS_MAX];		/* epoch ns, 0 if not yet */
	uint32_t rtx_syn, rtx_synack, rtx_fin;
	struct tcphs_flow *ev;		/* its events, for --ladder */
	size_t nev, alloc;
};

struct pcap_state {
	const struct tcphs_opts *o;
	struct tcphs_out out;
	struct pflow *bucket[BUCKETS];
	struct pflow *all;
	uint64_t next_id, event_seq;
	uint64_t stats[__TCPHS_STAT_MAX];
	/* The file. */
	FILE *fp;
	const char *name;
	bool ng, swapped, nsec;
	uint32_t linktype;		/* pcap */
	uint32_t if_linktype[MAX_IFACES];	/* pcapng, per interface */
	uint8_t if_tsresol[MAX_IFACES];
	unsigned int nifaces;
	uint8_t *buf;
	uint64_t last_ns;		/* the newest packet's time */
};

/* ------------------------------------------------------------- flows -- */

static uint32_t mix(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 16777619u;
	return h;
}

/* The same for both directions: the endpoints in a fixed order. */
static unsigned int tuple_bucket(const struct ptuple *t)
{
	size_t alen = tcphs_addr_len(t->family);
	int c = memcmp(t->src.b, t->dst.b, alen);
	const union tcphs_addr *a = &t->src, *b = &t->dst;
	uint16_t pa = t->sport, pb = t->dport;
	uint32_t h = 2166136261u ^ t->family;

	if (c > 0 || (c == 0 && pa > pb)) {
		a = &t->dst;
		b = &t->src;
		pa = t->dport;
		pb = t->sport;
	}
	h = mix(h, a->b, alen);
	h = mix(h, b->b, alen);
	h = mix(h, &pa, sizeof(pa));
	h = mix(h, &pb, sizeof(pb));
	return h % BUCKETS;
}

/* The flow of @t, and the segment's direction in it. */
static struct pflow *flow_find(struct pcap_state *st, const struct ptuple *t,
			       unsigned int *dir)
{
	size_t alen = tcphs_addr_len(t->family);
	struct pflow *f;

	for (f = st->bucket[tuple_bucket(t)]; f; f = f->next) {
		if (f->t.family != t->family)
			continue;
		if (f->t.sport == t->sport && f->t.dport == t->dport &&
		    !memcmp(f->t.src.b, t->src.b, alen) && !memcmp(f->t.dst.b, t->dst.b, alen)) {
			*dir = TCPHS_DIR_ORIG;
			return f;
		}
		if (f->t.sport == t->dport && f->t.dport == t->sport &&
		    !memcmp(f->t.src.b, t->dst.b, alen) && !memcmp(f->t.dst.b, t->src.b, alen)) {
			*dir = TCPHS_DIR_REPLY;
			return f;
		}
	}
	return NULL;
}

static struct pflow *flow_create(struct pcap_state *st, const struct ptuple *t)
{
	unsigned int b = tuple_bucket(t);
	struct pflow *f = calloc(1, sizeof(*f));

	if (!f) {
		st->stats[TCPHS_STAT_NOMEM]++;
		return NULL;
	}
	f->t = *t;
	f->id = ++st->next_id;
	tcphs_fsm_init(&f->fsm);
	tcphs_history_init(&f->hist);
	f->next = st->bucket[b];
	st->bucket[b] = f;
	f->all = st->all;
	st->all = f;
	st->stats[TCPHS_STAT_NEW]++;
	return f;
}

/* Out of the table (a new connection took the tuple); still printed in ladders. */
static void flow_retire(struct pcap_state *st, struct pflow *f)
{
	struct pflow **p = &st->bucket[tuple_bucket(&f->t)];

	while (*p && *p != f)
		p = &(*p)->next;
	if (*p)
		*p = f->next;
	f->retired = true;
}

static void swap_tuple(struct ptuple *t)
{
	union tcphs_addr a = t->src;
	uint16_t p = t->sport;

	t->src = t->dst;
	t->dst = a;
	t->sport = t->dport;
	t->dport = p;
}

/* The flow as the module's dump and events give it. */
static void flow_fill(const struct pflow *pf, struct tcphs_flow *f)
{
	static const unsigned int ts_attr[TS_MAX] = {
		TCPHS_A_TS_SYN, TCPHS_A_TS_SYNACK, TCPHS_A_TS_ESTABLISHED,
		TCPHS_A_TS_FIN1, TCPHS_A_TS_FIN2, TCPHS_A_TS_END,
	};
	uint64_t *ts_field[TS_MAX] = {
		&f->ts_syn, &f->ts_synack, &f->ts_established,
		&f->ts_fin1, &f->ts_fin2, &f->ts_end,
	};
	const struct tcphs_fsm *m = &pf->fsm;
	unsigned int i;

#define HAS(a)	(f->present |= 1ULL << TCPHS_A_##a)
	f->flow_id = pf->id;
	HAS(FLOW_ID);
	f->family = pf->t.family;
	HAS(FAMILY);
	f->saddr = pf->t.src;
	f->daddr = pf->t.dst;
	f->sport = pf->t.sport;
	f->dport = pf->t.dport;
	HAS(SADDR);
	HAS(DADDR);
	HAS(SPORT);
	HAS(DPORT);
	f->state = m->state;
	HAS(STATE);
	f->conn_state = tcphs_fsm_conn_state(m);
	HAS(CONN_STATE);
	tcphs_history_str(&pf->hist, f->history);
	HAS(HISTORY);
	f->opener = m->opener;
	HAS(OPENER);
	f->end = tcphs_fsm_end(m);
	HAS(END);
	/* A capture has no clock of its own to time flows out by. */
	f->outcome = tcphs_fsm_outcome(m, false);
	if (f->outcome != TCPHS_OUT_NONE)
		HAS(OUTCOME);
	f->stage = tcphs_fsm_stage(m);
	HAS(STAGE);
	if ((m->dflags[0] | m->dflags[1]) & TCPHS_DF_FIN) {
		f->closer = m->closer;
		HAS(CLOSER);
	}
	if (m->dflags[TCPHS_DIR_ORIG] & TCPHS_DF_SYN) {
		f->isn_orig = m->isn[TCPHS_DIR_ORIG];
		HAS(ISN_ORIG);
	}
	if (m->dflags[TCPHS_DIR_REPLY] & TCPHS_DF_SYN) {
		f->isn_reply = m->isn[TCPHS_DIR_REPLY];
		HAS(ISN_REPLY);
	}
	for (i = 0; i < TS_MAX; i++) {
		if (pf->ts[i]) {
			*ts_field[i] = pf->ts[i];
			f->present |= 1ULL << ts_attr[i];
		}
	}
	if (pf->ts[TS_SYN] && pf->ts[TS_SYNACK]) {
		f->lat_syn_synack = pf->ts[TS_SYNACK] - pf->ts[TS_SYN];
		HAS(LAT_SYN_SYNACK);
	}
	if (pf->ts[TS_SYNACK] && pf->ts[TS_ESTABLISHED]) {
		f->lat_synack_ack = pf->ts[TS_ESTABLISHED] - pf->ts[TS_SYNACK];
		HAS(LAT_SYNACK_ACK);
	}
	f->rtx_syn = pf->rtx_syn;
	f->rtx_synack = pf->rtx_synack;
	f->rtx_fin = pf->rtx_fin;
	HAS(RTX_SYN);
	HAS(RTX_SYNACK);
	HAS(RTX_FIN);
#undef HAS
}

/* ------------------------------------------------------------ events -- */

static void ladder_keep(struct pflow *pf, const struct tcphs_flow *ev)
{
	if (pf->nev == pf->alloc) {
		size_t alloc = pf->alloc ? pf->alloc * 2 : 16;
		struct tcphs_flow *n = realloc(pf->ev, alloc * sizeof(*n));

		if (!n)
			return;
		pf->ev = n;
		pf->alloc = alloc;
	}
	pf->ev[pf->nev++] = *ev;
}

static void emit(struct pcap_state *st, struct pflow *pf, const struct tcphs_step *s,
		 unsigned int dir, const struct tcphs_seg *seg, uint64_t now)
{
	const struct tcphs_opts *o = st->o;
	struct tcphs_flow ev = { 0 };

	flow_fill(pf, &ev);
	ev.event = s->event;
	ev.old_state = s->old_state;
	ev.state = s->new_state;
	ev.event_seq = ++st->event_seq;
	ev.ts_ns = now;
	ev.present |= 1ULL << TCPHS_A_EVENT | 1ULL << TCPHS_A_OLD_STATE |
		      1ULL << TCPHS_A_EVENT_SEQ | 1ULL << TCPHS_A_TS_NS;
	if (seg) {
		ev.dir = dir;
		ev.tcp_flags = seg->flags;
		ev.seq = seg->seq;
		ev.ack = seg->ack;
		ev.present |= 1ULL << TCPHS_A_DIR | 1ULL << TCPHS_A_TCP_FLAGS |
			      1ULL << TCPHS_A_SEQ | 1ULL << TCPHS_A_ACK;
	}
	st->stats[TCPHS_STAT_EVENTS]++;
	if (o->ladder) {
		if (tcphs_filter_match(&o->filter, &ev))
			ladder_keep(pf, &ev);
		return;
	}
	if (!o->pcap_events || !tcphs_filter_match(&o->filter, &ev))
		return;
	if (o->json)
		tcphs_print_event_json(stdout, &ev, &st->out);
	else
		tcphs_print_event(stdout, &ev, &st->out);
}

static void count_rtx(uint32_t *c)
{
	if (*c < RTX_MAX)
		(*c)++;
}

/* As the module's hook records a segment's steps (module/hook.c). */
static void record(struct pcap_state *st, struct pflow *pf, const struct tcphs_seg *seg,
		   unsigned int dir, const struct tcphs_verdict *v, bool replayed, uint64_t now)
{
	unsigned int i;

	tcphs_history_update(&pf->hist, seg, dir, v);
	for (i = 0; i < v->nsteps; i++) {
		const struct tcphs_step *s = &v->step[i];

		switch (s->event) {
		case TCPHS_EV_SYN:
			if (dir == TCPHS_DIR_ORIG && !replayed && !pf->ts[TS_SYN])
				pf->ts[TS_SYN] = now;
			break;
		case TCPHS_EV_SYN_ACK:
			if (!pf->ts[TS_SYNACK])
				pf->ts[TS_SYNACK] = now;
			break;
		case TCPHS_EV_ESTABLISHED:
			if (!pf->ts[TS_ESTABLISHED])
				pf->ts[TS_ESTABLISHED] = now;
			break;
		case TCPHS_EV_FIN:
			pf->ts[pf->ts[TS_FIN1] ? TS_FIN2 : TS_FIN1] = now;
			break;
		case TCPHS_EV_TIME_WAIT:
		case TCPHS_EV_RST:
		case TCPHS_EV_RESYNC:
			pf->ts[TS_END] = now;
			if (s->event == TCPHS_EV_RESYNC)
				st->stats[TCPHS_STAT_RESYNC]++;
			break;
		case TCPHS_EV_SYN_RETRANS:
			count_rtx(&pf->rtx_syn);
			break;
		case TCPHS_EV_SYN_ACK_RETRANS:
			count_rtx(&pf->rtx_synack);
			break;
		case TCPHS_EV_INVALID: {
			enum tcphs_stat why = tcphs_fsm_refusal(s);

			st->stats[TCPHS_STAT_INVALID]++;
			if (why != __TCPHS_STAT_MAX)
				st->stats[why]++;
			break;
		}
		}
		if (s->kind == TCPHS_K_FIN_RE)
			count_rtx(&pf->rtx_fin);
		if (s->event != TCPHS_EV_NONE)
			emit(st, pf, s, dir, seg, now);
	}
	if (v->retrans)
		st->stats[TCPHS_STAT_RETRANS]++;
}

static bool opens_flow(const struct pcap_state *st, const struct tcphs_seg *seg)
{
	if (!tcphs_fsm_valid_flags(seg->flags))
		return false;
	if ((seg->flags & (TCPHS_SYN | TCPHS_ACK)) == TCPHS_SYN)
		return true;
	return st->o->loose;
}

/* As the module's track_segment() (module/hook.c); true to resync. */
static bool track_segment(struct pcap_state *st, struct ptuple *t, const struct tcphs_seg *seg,
			  bool replayed, uint64_t now, struct tcphs_verdict *v)
{
	bool restarted = false;
	struct pflow *pf;
	unsigned int dir;

again:
	pf = flow_find(st, t, &dir);
	if (!pf) {
		if (!opens_flow(st, seg)) {
			st->stats[tcphs_fsm_valid_flags(seg->flags) ?
				  TCPHS_STAT_IGNORED : TCPHS_STAT_MALFORMED]++;
			return false;
		}
		dir = TCPHS_DIR_ORIG;
		if ((seg->flags & (TCPHS_SYN | TCPHS_ACK)) == (TCPHS_SYN | TCPHS_ACK)) {
			swap_tuple(t);
			dir = TCPHS_DIR_REPLY;
		}
		pf = flow_create(st, t);
		if (dir == TCPHS_DIR_REPLY)
			swap_tuple(t);
		if (!pf)
			return false;
	}
	tcphs_fsm_segment(&pf->fsm, seg, dir, v);
	if (v->restart) {
		flow_retire(st, pf);
		if (restarted)
			return false;
		restarted = true;
		goto again;
	}
	record(st, pf, seg, dir, v, replayed, now);
	if (!v->resync)
		return false;
	flow_retire(st, pf);
	return true;
}

static void track(struct pcap_state *st, struct ptuple *t, const struct tcphs_seg *seg,
		  bool csum_bad, uint64_t now)
{
	struct tcphs_verdict v, v2;
	struct tcphs_seg syn;
	unsigned int dir;

	st->stats[TCPHS_STAT_PACKETS]++;
	if (csum_bad) {
		struct pflow *pf = flow_find(st, t, &dir);

		st->stats[TCPHS_STAT_BAD_CHECKSUM]++;
		if (pf)
			tcphs_history_bad_checksum(&pf->hist, dir);
		return;
	}
	if (!track_segment(st, t, seg, false, now, &v))
		return;
	syn = v.resync_syn;
	swap_tuple(t);
	track_segment(st, t, &syn, true, now, &v2);
	swap_tuple(t);
	track_segment(st, t, seg, false, now, &v2);
}

/* ------------------------------------------------------------ packets -- */

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint32_t sum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	while (n > 1) {
		sum += get16(p);
		p += 2;
		n -= 2;
	}
	if (n)
		sum += p[0] << 8;
	return sum;
}

/* Is the TCP checksum of @tcp (@len bytes, all captured) right? */
static bool csum_ok(const struct ptuple *t, const uint8_t *tcp, size_t len)
{
	size_t alen = tcphs_addr_len(t->family);
	uint32_t sum = 0;
	uint8_t ph[8];

	sum = sum_add(sum, t->src.b, alen);
	sum = sum_add(sum, t->dst.b, alen);
	ph[0] = len >> 24;
	ph[1] = len >> 16;
	ph[2] = len >> 8;
	ph[3] = len;
	ph[4] = ph[5] = ph[6] = 0;
	ph[7] = 6;		/* IPPROTO_TCP */
	sum = sum_add(sum, ph, sizeof(ph));
	sum = sum_add(sum, tcp, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The window scale option of a SYN, as module/hook.c parses it. */
static uint8_t wscale_of(const uint8_t *opts, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (opts[i] == 0)
			break;
		if (opts[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len || opts[i + 1] < 2 || i + opts[i + 1] > len)
			break;
		if (opts[i] == 3 && opts[i + 1] == 3)
			return opts[i + 2];
		i += opts[i + 1];
	}
	return TCPHS_WSCALE_NONE;
}

/*
 * A TCP segment of @len bytes (the IP payload) at @tcp, of which @cap were
 * captured.
 */
static void tcp_segment(struct pcap_state *st, struct ptuple *t, const uint8_t *tcp,
			size_t len, size_t cap, uint64_t now)
{
	struct tcphs_seg seg = { 0 };
	size_t doff;
	bool bad = false;

	if (cap < 20 || len < 20) {
		st->stats[TCPHS_STAT_MALFORMED]++;
		return;
	}
	doff = (tcp[12] >> 4) * 4;
	if (doff < 20 || doff > len || doff > cap) {
		st->stats[TCPHS_STAT_MALFORMED]++;
		return;
	}
	t->sport = get16(tcp);
	t->dport = get16(tcp + 2);
	seg.seq = get32(tcp + 4);
	seg.ack = get32(tcp + 8);
	seg.flags = tcp[13];
	seg.window = get16(tcp + 14);
	seg.len = len - doff;
	seg.wscale = (seg.flags & TCPHS_SYN) ? wscale_of(tcp + 20, doff - 20) :
		     TCPHS_WSCALE_NONE;
	/* A segment cut by the snap length cannot be checked: taken as good. */
	if (!st->o->no_checksum && cap >= len)
		bad = !csum_ok(t, tcp, len);
	track(st, t, &seg, bad, now);
}

static void ipv4(struct pcap_state *st, const uint8_t *p, size_t cap, uint64_t now)
{
	struct ptuple t = { .family = AF_INET };
	size_t ihl, tot;

	if (cap < 20 || (p[0] >> 4) != 4 || p[9] != 6)
		return;
	ihl = (p[0] & 0xf) * 4;
	tot = get16(p + 2);
	if (get16(p + 6) & 0x3fff) {	/* MF or an offset: a fragment */
		st->stats[TCPHS_STAT_FRAGMENTS]++;
		return;
	}
	if (ihl < 20 || tot < ihl || cap < ihl) {
		st->stats[TCPHS_STAT_MALFORMED]++;
		return;
	}
	memcpy(t.src.b, p + 12, 4);
	memcpy(t.dst.b, p + 16, 4);
	if (cap > tot)
		cap = tot;	/* Ethernet padding */
	tcp_segment(st, &t, p + ihl, tot - ihl, cap - ihl, now);
}

static void ipv6(struct pcap_state *st, const uint8_t *p, size_t cap, uint64_t now)
{
	struct ptuple t = { .family = AF_INET6 };
	size_t off = 40, plen;
	uint8_t next;

	if (cap < 40 || (p[0] >> 4) != 6)
		return;
	plen = get16(p + 4);
	next = p[6];
	memcpy(t.src.b, p + 8, 16);
	memcpy(t.dst.b, p + 24, 16);
	for (;;) {
		size_t hlen;

		if (next == 6)
			break;
		if (off + 8 > cap)
			return;
		switch (next) {
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			hlen = (p[off + 1] + 1) * 8;
			break;
		case 51:	/* authentication */
			hlen = (p[off + 1] + 2) * 4;
			break;
		case 44:	/* fragment */
			if (get16(p + off + 2) & 0xfff9) {	/* an offset, or M */
				st->stats[TCPHS_STAT_FRAGMENTS]++;
				return;
			}
			hlen = 8;
			break;
		default:
			return;
		}
		next = p[off];
		off += hlen;
		if (off > 40 + plen) {
			st->stats[TCPHS_STAT_MALFORMED]++;
			return;
		}
	}
	if (off > 40 + plen || off > cap) {
		st->stats[TCPHS_STAT_MALFORMED]++;
		return;
	}
	if (cap > 40 + plen)
		cap = 40 + plen;
	tcp_segment(st, &t, p + off, 40 + plen - off, cap - off, now);
}

static void ip_packet(struct pcap_state *st, uint16_t ethertype, const uint8_t *p,
		      size_t cap, uint64_t now)
{
	if (now > st->last_ns)
		st->last_ns = now;
	if (ethertype == 0x0800)
		ipv4(st, p, cap, now);
	else if (ethertype == 0x86dd)
		ipv6(st, p, cap, now);
}

static void frame(struct pcap_state *st, uint32_t linktype, const uint8_t *p, size_t cap,
		  uint64_t now)
{
	size_t off;
	uint16_t type;

	switch (linktype) {
	case LT_ETHERNET:
		if (cap < 14)
			return;
		type = get16(p + 12);
		off = 14;
		/* 802.1Q and 802.1ad tags. */
		while ((type == 0x8100 || type == 0x88a8) && cap >= off + 4) {
			type = get16(p + off + 2);
			off += 4;
		}
		break;
	case LT_LINUX_SLL:
		if (cap < 16)
			return;
		type = get16(p + 14);
		off = 16;
		break;
	case LT_LINUX_SLL2:
		if (cap < 20)
			return;
		type = get16(p);
		off = 20;
		break;
	case LT_RAW:
	case LT_IPV4:
	case LT_IPV6:
		if (!cap)
			return;
		type = (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
		off = 0;
		break;
	default:
		return;
	}
	if (cap >= off)
		ip_packet(st, type, p + off, cap - off, now);
}

/* -------------------------------------------------------------- files -- */

static uint32_t fix32(const struct pcap_state *st, uint32_t v)
{
	return st->swapped ? __builtin_bswap32(v) : v;
}

static uint16_t fix16(const struct pcap_state *st, uint16_t v)
{
	return st->swapped ? __builtin_bswap16(v) : v;
}

static int bad_file(const struct pcap_state *st, const char *why)
{
	fprintf(stderr, "tcphs: %s: %s\n", st->name, why);
	return EXIT_ERROR;
}

static bool read_all(struct pcap_state *st, void *p, size_t n)
{
	return fread(p, 1, n, st->fp) == n;
}

static int read_pcap(struct pcap_state *st, uint32_t magic)
{
	uint8_t hdr[20], rec[16];

	st->swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	st->nsec = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	if (!read_all(st, hdr, sizeof(hdr)))
		return bad_file(st, "truncated pcap header");
	memcpy(&st->linktype, hdr + 16, 4);
	st->linktype = fix32(st, st->linktype) & 0x0fffffff;
	while (read_all(st, rec, sizeof(rec))) {
		uint32_t sec, frac, caplen, len;
		uint64_t now;

		memcpy(&sec, rec, 4);
		memcpy(&frac, rec + 4, 4);
		memcpy(&caplen, rec + 8, 4);
		memcpy(&len, rec + 12, 4);
		sec = fix32(st, sec);
		frac = fix32(st, frac);
		caplen = fix32(st, caplen);
		if (caplen > SNAP_MAX)
			return bad_file(st, "a record longer than any snap length");
		if (!read_all(st, st->buf, caplen))
			return bad_file(st, "truncated record");
		now = (uint64_t)sec * 1000000000 + (st->nsec ? frac : (uint64_t)frac * 1000);
		frame(st, st->linktype, st->buf, caplen, now);
	}
	return ferror(st->fp) ? bad_file(st, strerror(errno)) : EXIT_OK;
}

/* An interface's if_tsresol option: 10^-n or 2^-n seconds. */
static uint64_t tick_ns(uint8_t res, uint64_t ticks)
{
	uint64_t div = 1;
	unsigned int i, n = res & 0x7f;

	if (res & 0x80) {
		if (n >= 64)
			return 0;
		return (uint64_t)((double)ticks * 1e9 / (double)(1ULL << n));
	}
	if (n <= 9) {
		for (i = n; i < 9; i++)
			div *= 10;
		return ticks * div;
	}
	for (i = 9; i < n; i++)
		div *= 10;
	return ticks / div;
}

static void pcapng_idb(struct pcap_state *st, const uint8_t *b, size_t n)
{
	size_t off = 8;
	uint8_t res = 6;

	if (st->nifaces >= MAX_IFACES || n < 8)
		return;
	/* Options: code, length, value padded to 4. */
	while (off + 4 <= n) {
		uint16_t code, len;

		memcpy(&code, b + off, 2);
		memcpy(&len, b + off + 2, 2);
		code = fix16(st, code);
		len = fix16(st, len);
		if (!code || off + 4 + len > n)
			break;
		if (code == 9 && len >= 1)
			res = b[off + 4];
		off += 4 + ((len + 3) & ~3u);
	}
	st->if_linktype[st->nifaces] = fix16(st, *(const uint16_t *)b);
	st->if_tsresol[st->nifaces] = res;
	st->nifaces++;
}

/* The first block's type, the section header's, has been read. */
static int read_pcapng(struct pcap_state *st)
{
	uint32_t total, bom;
	uint8_t head[8];

	/* The section header says the byte order. */
	if (!read_all(st, &total, 4) || !read_all(st, &bom, 4))
		return bad_file(st, "truncated section header");
	st->swapped = bom == 0x4d3c2b1a;
	if (!st->swapped && bom != 0x1a2b3c4d)
		return bad_file(st, "bad pcapng byte-order magic");
	total = fix32(st, total);
	if (total < 28 || total > SNAP_MAX + 64 || total % 4)
		return bad_file(st, "bad block length");
	if (!read_all(st, st->buf, total - 12))
		return bad_file(st, "truncated section header");

	while (read_all(st, head, sizeof(head))) {
		uint32_t type, body;

		memcpy(&type, head, 4);
		memcpy(&total, head + 4, 4);
		type = fix32(st, type);
		total = fix32(st, total);
		if (total < 12 || total > SNAP_MAX + 64 || total % 4)
			return bad_file(st, "bad block length");
		body = total - 12;
		if (!read_all(st, st->buf, body + 4))
			return bad_file(st, "truncated block");
		if (type == 0x0a0d0d0a) {		/* another section */
			uint32_t bom;

			memcpy(&bom, st->buf, 4);
			st->swapped = bom == 0x4d3c2b1a;
			st->nifaces = 0;
		} else if (type == 1) {			/* interface description */
			pcapng_idb(st, st->buf, body);
		} else if (type == 6 && body >= 20) {	/* enhanced packet */
			uint32_t ifc, hi, lo, caplen;

			memcpy(&ifc, st->buf, 4);
			memcpy(&hi, st->buf + 4, 4);
			memcpy(&lo, st->buf + 8, 4);
			memcpy(&caplen, st->buf + 12, 4);
			ifc = fix32(st, ifc);
			caplen = fix32(st, caplen);
			if (ifc >= st->nifaces || caplen > body - 20)
				continue;
			frame(st, st->if_linktype[ifc], st->buf + 20, caplen,
			      tick_ns(st->if_tsresol[ifc],
				      (uint64_t)fix32(st, hi) << 32 | fix32(st, lo)));
		} else if (type == 3 && body >= 4 && st->nifaces) {	/* simple packet */
			uint32_t len;

			memcpy(&len, st->buf, 4);
			len = fix32(st, len);
			frame(st, st->if_linktype[0], st->buf + 4,
			      len < body - 4 ? len : body - 4, 0);
		}
	}
	return ferror(st->fp) ? bad_file(st, strerror(errno)) : EXIT_OK;
}

/* ------------------------------------------------------------- output -- */

static void print_stats(const struct pcap_state *st)
{
	unsigned int i;

	if (st->o->json) {
		printf("{");
		for (i = 0; i < __TCPHS_STAT_MAX; i++)
			printf("%s\"%s\":%" PRIu64, i ? "," : "",
			       TCPHS_NAME(tcphs_stat_names, i), st->stats[i]);
		printf("}\n");
		return;
	}
	for (i = 0; i < __TCPHS_STAT_MAX; i++)
		printf("%-16s %" PRIu64 "\n", TCPHS_NAME(tcphs_stat_names, i), st->stats[i]);
}

/* The flows, oldest first (the list is newest first). */
static void print_flows(struct pcap_state *st)
{
	const struct tcphs_opts *o = st->o;
	struct tcphs_flow *rows;
	struct pflow **v, *pf;
	size_t n = 0, i, nrows = 0;

	for (pf = st->all; pf; pf = pf->all)
		n++;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return;
	for (pf = st->all, i = n; pf; pf = pf->all)
		v[--i] = pf;
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		free(v);
		fprintf(stderr, "tcphs: out of memory\n");
		return;
	}
	for (i = 0; i < n; i++) {
		struct tcphs_flow f = { 0 };

		pf = v[i];
		if (o->ladder) {
			/* Every flow, open or not, retired or not. */
			if (pf->nev)
				tcphs_draw_ladder(stdout, pf->ev, pf->nev, &st->out);
			continue;
		}
		if (o->pcap_events || pf->retired)
			continue;
		flow_fill(pf, &f);
		if (!tcphs_filter_match(&o->filter, &f))
			continue;
		if (o->json)
			tcphs_print_flow_json(stdout, &f);
		else
			rows[nrows++] = f;
	}
	if (!o->ladder && !o->pcap_events && !o->json) {
		struct tcphs_table t = o->table;

		/* Ages as at the capture's last packet. */
		t.has_now = st->last_ns != 0;
		t.now_ns = st->last_ns;
		tcphs_table_print(stdout, &t, rows, nrows);
	}
	free(rows);
	free(v);
}

static void free_flows(struct pcap_state *st)
{
	struct pflow *pf, *next;

	for (pf = st->all; pf; pf = next) {
		next = pf->all;
		free(pf->ev);
		free(pf);
	}
}

/**
 * run_pcap - tcphs pcap: the state machine over a capture file
 * @o: the options; @o->file is the capture ("-" for standard input)
 *
 * Return: the exit status.
 */
int run_pcap(const struct tcphs_opts *o)
{
	struct pcap_state *st;
	uint32_t magic;
	int ret;

	st = calloc(1, sizeof(*st));
	if (!st || !(st->buf = malloc(SNAP_MAX + 64))) {
		free(st);
		fprintf(stderr, "tcphs: out of memory\n");
		return EXIT_ERROR;
	}
	st->o = o;
	st->out.raw = o->raw;
	st->out.time = o->time;
	st->out.utc = o->utc;
	st->out.no_times = o->no_times;	/* capture times are the wall clock's */
	st->name = o->file;
	st->fp = strcmp(o->file, "-") ? fopen(o->file, "rb") : stdin;
	if (!st->fp) {
		fprintf(stderr, "tcphs: %s: %s\n", o->file, strerror(errno));
		ret = EXIT_ERROR;
		goto out;
	}
	if (!read_all(st, &magic, sizeof(magic))) {
		ret = bad_file(st, "empty, or not a capture file");
	} else if (magic == 0x0a0d0d0a) {
		st->ng = true;
		ret = read_pcapng(st);
	} else if (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 ||
		   magic == 0xa1b23c4d || magic == 0x4d3cb2a1) {
		ret = read_pcap(st, magic);
	} else {
		ret = bad_file(st, "not a pcap or pcapng file");
	}
	if (ret == EXIT_OK) {
		print_flows(st);
		if (o->pcap_stats)
			print_stats(st);
		if (2 * st->stats[TCPHS_STAT_BAD_CHECKSUM] > st->stats[TCPHS_STAT_PACKETS])
			fprintf(stderr, "tcphs: %" PRIu64 " of the %" PRIu64 " TCP checksums in %s "
				"are wrong: taken on the sending host, before checksum "
				"offload? Try --no-checksum\n",
				st->stats[TCPHS_STAT_BAD_CHECKSUM],
				st->stats[TCPHS_STAT_PACKETS], o->file);
	}
	if (st->fp != stdin)
		fclose(st->fp);
out:
	free_flows(st);
	free(st->buf);
	free(st);
	return ret;
}
