/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPHS_KSHIM_STRING_H
#define _TCPHS_KSHIM_STRING_H

#include <string.h>

#endif /* _TCPHS_KSHIM_STRING_H */
