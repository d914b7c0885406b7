/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcphs: a line of /proc/net/tcphs_events read back into an event.
 */
#ifndef _TCPHS_EVLOG_H
#define _TCPHS_EVLOG_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

enum tcphs_evlog_line {
	TCPHS_EVLOG_EVENT,	/* @f holds the event */
	TCPHS_EVLOG_LOST,	/* a "#" line: @lost events were overwritten */
	TCPHS_EVLOG_BAD,	/* not a line of the log: @err says why */
};

enum tcphs_evlog_line tcphs_evlog_parse(const char *line, struct tcphs_flow *f,
					uint64_t *lost, char *err, size_t errlen);

#endif /* _TCPHS_EVLOG_H */
