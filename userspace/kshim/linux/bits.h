/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPHS_KSHIM_BITS_H
#define _TCPHS_KSHIM_BITS_H

#define BIT(n)		(1UL << (n))

#endif /* _TCPHS_KSHIM_BITS_H */
