#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print, as reStructuredText, which scenario of tests/scenarios/ drives
# which transition of the state machine: one row per "EVENT OLD -> NEW",
# with the scenarios whose expected events include it. Documentation/
# scenarios.rst is this script's output (`make check` compares them).
dir=${1:-$(dirname "$0")/../scenarios}
cat <<'HEAD'
.. SPDX-License-Identifier: GPL-2.0

=====================================
Which scenario drives which transition
=====================================

The handshake zoo (``tests/scenarios/*.scn``, run by ``tests/vm/t_zoo.sh``)
lists for every crafted exchange the events tcphs must report. This table,
written by ``tests/tools/scenario-table.sh``, turns that around: for each
transition (event, old state, new state), the scenarios that expect it.

HEAD
for f in "$dir"/*.scn; do
	n=$(basename "$f" .scn)
	sed 's/#.*//' "$f" | awk -v n="${n%%-*}" '$1 == "event" { print $2 " " $3 " -> " $5 "\t" n }'
done | sort -t '	' -k1,1 -k2,2n | awk -F '\t' '
	{ if ($1 != cur) { if (cur != "") rows[++nr] = cur "\t" list; cur = $1; list = $2 }
	  else if (index(" " list ",", " " $2 ",") == 0) list = list ", " $2 }
	END { if (cur != "") rows[++nr] = cur "\t" list
	      w1 = length("transition"); w2 = length("scenarios")
	      for (i = 1; i <= nr; i++) { split(rows[i], p, "\t")
		if (length(p[1]) > w1) w1 = length(p[1]); if (length(p[2]) > w2) w2 = length(p[2]) }
	      line = sprintf("%s  %s", rep("=", w1), rep("=", w2))
	      print line; printf "%-" w1 "s  %s\n", "transition", "scenarios"; print line
	      for (i = 1; i <= nr; i++) { split(rows[i], p, "\t"); printf "%-" w1 "s  %s\n", p[1], p[2] }
	      print line }
	function rep(c, n,   s) { s = ""; while (n-- > 0) s = s c; return s }'
