/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tcphs family's id and its events group, read from nlctrl's answer to
 * CTRL_CMD_GETFAMILY: shared by the tests' netlink tools (nlbad, nlfuzz).
 */
#ifndef TCPHS_TOOLS_IDS_H
#define TCPHS_TOOLS_IDS_H

#include <stdint.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/tcphs.h>

struct tcphs_ids {
	uint16_t family;	/* 0 until found */
	uint32_t events;	/* the "events" group, 0 until found */
};

/* mnl_attr_parse() callback for the reply's attributes; @data: tcphs_ids. */
static inline int tcphs_ids_attr(const struct nlattr *attr, void *data)
{
	struct tcphs_ids *ids = data;
	const struct nlattr *grp, *ga;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			ids->family = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested(grp, attr) {
			const char *name = NULL;
			uint32_t id = 0;

			mnl_attr_for_each_nested(ga, grp) {
				if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_NAME &&
				    mnl_attr_validate(ga, MNL_TYPE_NUL_STRING) == 0)
					name = mnl_attr_get_str(ga);
				else if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_ID &&
					 mnl_attr_validate(ga, MNL_TYPE_U32) == 0)
					id = mnl_attr_get_u32(ga);
			}
			if (name && !strcmp(name, TCPHS_MCGRP_EVENTS))
				ids->events = id;
		}
		break;
	}
	return MNL_CB_OK;
}

#endif /* TCPHS_TOOLS_IDS_H */
