/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's compiler words fsm.c and history.c use (see types.h). */
#ifndef _TCPHS_KSHIM_COMPILER_H
#define _TCPHS_KSHIM_COMPILER_H

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define __packed	__attribute__((__packed__))
#define fallthrough	__attribute__((__fallthrough__))

#endif /* _TCPHS_KSHIM_COMPILER_H */
