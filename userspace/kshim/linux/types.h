/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module's fsm.c and history.c take from the kernel's types, for
 * compiling them unchanged into the reader (tcphs pcap). Only this
 * directory is put before the system headers, and only for those files.
 */
#ifndef _TCPHS_KSHIM_TYPES_H
#define _TCPHS_KSHIM_TYPES_H

#include_next <linux/types.h>	/* the UAPI's __u8 ... __be32 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;

#endif /* _TCPHS_KSHIM_TYPES_H */
