// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs_test.ko: the KUnit suites of tcphs, and what main.c provides to the
 * units in tcphs.ko (tunables, per-namespace data), here under the tests'
 * control.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <net/netns/generic.h>

#include "ports.h"
#include "ring.h"
#include "test_env.h"

unsigned int tcphs_net_id __read_mostly;
unsigned int tcphs_max_flows = 65536;
unsigned int tcphs_event_ring;
bool tcphs_loose;
bool tcphs_owners = true;
unsigned int tcphs_ports_param = 32;

unsigned long tcphs_test_jiffies;
unsigned int tcphs_test_timeout_syn;
unsigned int tcphs_test_timeout_established;
unsigned int tcphs_test_timeout_close;
unsigned int tcphs_test_linger;

/* main.c's defaults. */
void tcphs_test_reset_tunables(void)
{
	tcphs_max_flows = 65536;
	tcphs_loose = false;
	tcphs_owners = true;
	tcphs_test_timeout_syn = 60;
	tcphs_test_timeout_established = 5 * 24 * 3600;
	tcphs_test_timeout_close = 120;
	tcphs_test_linger = 60;
	/* Close to the wrap of jiffies, so timeouts cross it. */
	tcphs_test_jiffies = ULONG_MAX - 30 * HZ;
}

/* As main.c's, from the tests' tunables. */
unsigned long tcphs_state_timeout(unsigned int state)
{
	unsigned int secs;

	switch (state) {
	case TCPHS_STATE_NONE:
	case TCPHS_STATE_SYN_SENT:
	case TCPHS_STATE_SYN_SENT2:
	case TCPHS_STATE_SYN_RECV:
		secs = tcphs_test_timeout_syn;
		break;
	case TCPHS_STATE_ESTABLISHED:
		secs = tcphs_test_timeout_established;
		break;
	case TCPHS_STATE_FIN_WAIT_1:
	case TCPHS_STATE_FIN_WAIT_2:
	case TCPHS_STATE_CLOSING:
	case TCPHS_STATE_LAST_ACK:
		secs = tcphs_test_timeout_close;
		break;
	default:
		secs = tcphs_test_linger;
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

u64 tcphs_test_stat(struct net *net, enum tcphs_stat s)
{
	u64 sum[__TCPHS_STAT_MAX];

	tcphs_stats_sum(tcphs_pernet(net), sum);
	return sum[s];
}

void tcphs_test_reset_net(struct net *net)
{
	struct tcphs_net *tn = tcphs_pernet(net);
	int cpu;

	for_each_possible_cpu(cpu) {
		memset(per_cpu_ptr(tn->stats, cpu), 0, sizeof(struct tcphs_stats));
		if (tn->ports)
			memset(per_cpu_ptr(tn->ports->counts, cpu), 0,
			       (tn->ports->nports + 1) * sizeof(struct tcphs_port_counts));
	}
	if (tn->ports)
		memset(tn->ports->port, 0, tn->ports->nports * sizeof(tn->ports->port[0]));
	atomic64_set(&tn->event_seq, 0);
	atomic64_set(&tn->flow_ids, 0);
	tn->max_flows = 0;
	tn->inval_start = 0;
	atomic_set(&tn->inval_used, 0);
}

static int __net_init tcphs_test_net_init(struct net *net)
{
	struct tcphs_net *tn = tcphs_pernet(net);

	tn->net = net;
	tn->stats = alloc_percpu(struct tcphs_stats);
	if (!tn->stats)
		return -ENOMEM;
	if (tcphs_ports_net_init(tn, tcphs_ports_param)) {
		free_percpu(tn->stats);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit tcphs_test_net_exit(struct net *net)
{
	tcphs_ports_net_exit(tcphs_pernet(net));
	free_percpu(tcphs_pernet(net)->stats);
}

static struct pernet_operations tcphs_test_net_ops = {
	.init	= tcphs_test_net_init,
	.exit	= tcphs_test_net_exit,
	.id	= &tcphs_net_id,
	.size	= sizeof(struct tcphs_net),
};

int tcphs_test_pernet_setup(void)
{
	tcphs_test_reset_tunables();
	return register_pernet_subsys(&tcphs_test_net_ops);
}

void tcphs_test_pernet_teardown(void)
{
	unregister_pernet_subsys(&tcphs_test_net_ops);
}

struct tcphs_fake_net {
	struct list_head list;
	struct net_generic *gen;
	struct tcphs_net tn;
	struct net net;
};

static LIST_HEAD(tcphs_fake_nets);

struct net *tcphs_test_fake_net(u32 hash_mix, unsigned int inum)
{
	struct tcphs_fake_net *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return NULL;
	f->gen = kzalloc(struct_size(f->gen, ptr, tcphs_net_id + 1), GFP_KERNEL);
	f->tn.stats = alloc_percpu(struct tcphs_stats);
	if (!f->gen || !f->tn.stats) {
		free_percpu(f->tn.stats);
		kfree(f->gen);
		kfree(f);
		return NULL;
	}
	f->gen->ptr[tcphs_net_id] = &f->tn;
	RCU_INIT_POINTER(f->net.gen, f->gen);
	f->net.hash_mix = hash_mix;
	f->net.ns.inum = inum;
	f->net.user_ns = &init_user_ns;
	f->net.genl_sock = init_net.genl_sock;
	f->tn.net = &f->net;
	list_add(&f->list, &tcphs_fake_nets);
	return &f->net;
}

void tcphs_test_fake_nets_free(void)
{
	struct tcphs_fake_net *f, *tmp;

	list_for_each_entry_safe(f, tmp, &tcphs_fake_nets, list) {
		list_del(&f->list);
		free_percpu(f->tn.stats);
		kfree(f->gen);
		kfree(f);
	}
}

static struct file tcphs_test_files[2];

/*
 * A file opened by this task, with or without CAP_NET_ADMIN, as the /proc
 * files' readers check (tcphs_proc_may_read()). Made once, freed by
 * tcphs_test_files_free().
 */
struct file *tcphs_test_file(bool net_admin)
{
	struct file *file = &tcphs_test_files[net_admin];
	struct cred *cred;

	if (file->f_cred)
		return file;
	cred = prepare_creds();
	if (!cred)
		return NULL;
	if (net_admin)
		cap_raise(cred->cap_effective, CAP_NET_ADMIN);
	else
		cap_lower(cred->cap_effective, CAP_NET_ADMIN);
	file->f_cred = cred;
	return file;
}

void tcphs_test_files_free(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tcphs_test_files); i++) {
		if (tcphs_test_files[i].f_cred)
			put_cred(tcphs_test_files[i].f_cred);
		tcphs_test_files[i].f_cred = NULL;
	}
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites of tcphs");
