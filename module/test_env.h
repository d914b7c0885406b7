/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the KUnit suites of tcphs_test.ko share: the stand-ins for main.c
 * (tunables, per-namespace setup), a clock for timeouts, and namespaces.
 *
 * tcphs_test.ko carries its own copy of each unit (every *_test.c includes
 * the .c file it tests), so static functions and tables are in reach and the
 * tests never touch a loaded tcphs.ko. It registers a generic netlink family
 * and a slab cache under tcphs.ko's names, so load it while tcphs.ko is not
 * loaded.
 */
#ifndef _TCPHS_TEST_ENV_H
#define _TCPHS_TEST_ENV_H

#include <linux/types.h>
#include <net/net_namespace.h>

#include "tcphs.h"
#include "flow_table.h"

/* The clock flow_table.c reads (tcphs_now_jiffies()) in the test build. */
extern unsigned long tcphs_test_jiffies;

/* Seconds per state class, as main.c's parameters; tests may change them. */
extern unsigned int tcphs_test_timeout_syn;
extern unsigned int tcphs_test_timeout_established;
extern unsigned int tcphs_test_timeout_close;
extern unsigned int tcphs_test_linger;
void tcphs_test_reset_tunables(void);

/* Per-namespace data (tcphs_pernet()) for every namespace, while set up. */
int tcphs_test_pernet_setup(void);
void tcphs_test_pernet_teardown(void);

/*
 * A namespace other than init_net, for tests of per-namespace separation.
 * Only what tcphs reads of a namespace is set up: its identity (the
 * pointer), hash mix, inode number and tcphs_pernet() data. Its netlink
 * socket is init_net's, where the suites that use fake namespaces have no
 * listener, so no event is ever sent. It must never reach the networking
 * core. Freed by tcphs_test_fake_nets_free(), after its flows are gone.
 */
struct net *tcphs_test_fake_net(u32 hash_mix, unsigned int inum);
void tcphs_test_fake_nets_free(void);

/* A file for the /proc readers, opened with or without CAP_NET_ADMIN. */
struct file *tcphs_test_file(bool net_admin);
void tcphs_test_files_free(void);

/* A counter of a namespace, summed over CPUs. */
u64 tcphs_test_stat(struct net *net, enum tcphs_stat s);

/* Zero a namespace's counters and event sequence number. */
void tcphs_test_reset_net(struct net *net);

/* A flow's hash, computed again from its key (the table keeps none). */
u32 tcphs_test_flow_hash(const struct tcphs_flow *flow);

/* The lock that guards @flow (its bucket's), found from its key. */
static inline spinlock_t *tcphs_test_lock(const struct tcphs_flow *flow)
{
	return tcphs_flow_lock(tcphs_test_flow_hash(flow));
}

/* Remove every flow of every namespace; returns how many there were. */
unsigned int tcphs_test_flush_all(void);

#endif /* _TCPHS_TEST_ENV_H */
