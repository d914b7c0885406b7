/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel.h helpers fsm.c and history.c use (see types.h). */
#ifndef _TCPHS_KSHIM_KERNEL_H
#define _TCPHS_KSHIM_KERNEL_H

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/types.h>

#define U16_MAX		((u16)~0U)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON: " #cond)
#define min_t(type, a, b)	((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define max_t(type, a, b)	((type)(a) > (type)(b) ? (type)(a) : (type)(b))

#endif /* _TCPHS_KSHIM_KERNEL_H */
