#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build tcphs with W=1 against the kernel of every Debian release it
# supports (a warning fails the build), then boot that release's kernel in
# the test VM and run the VM suite there: what differs between kernels at
# run time (the events group's capability, genetlink and netfilter details)
# is only known by running. Prints one line per kernel,
# "compat RELEASE (SUITE): ok (build, vm N passed)" or "... FAILED (...)",
# then "compat: N passed, M failed"; exits non-zero if one failed.
#
# On a kernel whose generic netlink cannot keep the events group to
# CAP_NET_ADMIN (see tcphs_kernel_facts in lib.sh), the suite loads tcphs
# with unsafe_unrestricted_events=1, so that its event tests run;
# tests/vm/t_privilege.sh loads it without and checks the group is absent.
#
# Usage: scripts/compat.sh [--refresh] [--debug] [--no-vm] [KERNEL]...
#        scripts/compat.sh --print-env [--vm] KERNEL
#        scripts/compat.sh --vm KERNEL [VM-RUN-OPTION]... [-- COMMAND [ARG]...]
#        scripts/compat.sh --list
#        scripts/compat.sh --doc KERNEL
#
#   KERNEL       a row of the matrix, by its series or its suite:
#                5.10 (bullseye), 6.1 (bookworm), 6.12 (trixie), sid (7.x);
#                default: all four. "debug" is the debug kernel of
#                scripts/build-debug-kernel.sh, which has KUnit, so the test
#                module builds too.
#   --debug      add the debug kernel to the default rows
#   --no-vm      build only
#   --refresh    refresh the package lists even if they are recent
#   --print-env  prepare KERNEL and print KREL and KDIR (with --vm also
#                VMLINUZ and MODDIR) as shell assignments, for eval
#   --vm         run scripts/vm-run.sh on KERNEL's Debian image, with the
#                options given (--add, --module-params); COMMAND defaults
#                to the VM suite, /tcphs/tests/vm/run-all.sh
#   --list       prepare every row and print it: row, suite, release, and
#                how it was prepared
#   --doc        fetch KERNEL's linux-doc package (not installed), unpack
#                its Documentation/netlink/ (YNL's schemas and specs, from
#                6.2 on) and print where its Documentation/ is
#
# Where the kernels come from: the linux-headers-cloud-amd64 of each suite
# (and its -security suite), fetched with apt-get download through a private
# apt configuration in the cache; nothing is installed on the machine and
# its apt sources are untouched. bookworm's headers are the host's own,
# installed by scripts/setup.sh, and its image the test VM's (downloaded,
# not installed: scripts/vm-kernel.sh). A release whose header packages cannot run here (their
# kbuild programs need a newer C library, or a newer compiler than this
# machine's) is prepared from its linux-source package instead: the Debian
# .config, olddefconfig with the local gcc, modules_prepare, and Debian's
# Module.symvers, with the same release string as Debian's image, so that
# Debian's kernel loads what is built against it (pahole must be installed:
# see prepare_source).
#
# The tree is copied (sources only) and built outside the checkout, so the
# checkout's module/ is never built against another kernel.
#
# Cache: $TCPHS_COMPAT_CACHE, default ${XDG_CACHE_HOME:-~/.cache}/tcphs/compat:
#   apt/              the private apt configuration, lists and lock
#   doc/              linux-doc packages' Documentation/netlink (--doc)
#   <release>/        one kernel: debs/, root/ (unpacked headers),
#                     src/ and build-<key>/ (source-built), image/ (for the VM),
#                     prepare.txt (how long each step took)
# A release no longer current in its suite is removed once its successor is
# prepared. Package lists older than a day are refreshed.
#
# Logs: $TCPHS_BUILD/compat/<release>.log (build), <release>.vm.log (the
# VM suite), <release>.build/vm/last-{console,dmesg}.log (its VM's console
# and kernel log).
#
# Environment: TCPHS_COMPAT_CACHE, TCPHS_COMPAT_MIRROR (default
# http://deb.debian.org), TCPHS_KERNEL_JOBS (default nproc), TCPHS_BUILD,
# TCPHS_COMPAT_VM_TIMEOUT (seconds per VM run, default 1800),
# TCPHS_COMPAT_VM_JOBS (VM suites at once, default 2), TCPHS_COMPAT_VM_ROWS
# (the rows whose VM suite runs, default all), and what scripts/vm-run.sh
# takes.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Bump when the way a kernel is prepared changes: prepared trees are redone.
RECIPE=2
# The matrix: row, suite, packages' flavour.
ROWS=("5.10 bullseye" "6.1 bookworm" "6.12 trixie" "sid sid")
FLAVOUR=cloud-amd64

usage() {
	sed -n '4,/^set -euo/{/^#/s/^# \{0,1\}//p;}' "$0" >&2
	exit 2
}

CACHE=${TCPHS_COMPAT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tcphs/compat}
MIRROR=${TCPHS_COMPAT_MIRROR:-http://deb.debian.org}
JOBS=${TCPHS_KERNEL_JOBS:-$(nproc)}
OUT=$TCPHS_BUILD/compat

say() {
	tcphs_log "$*"
}

now() {
	date +%s
}

# ----------------------------------------------------------------- apt ----
APT_DIR=$CACHE/apt
export APT_CONFIG=$APT_DIR/apt.conf

apt_setup() {
	local s
	mkdir -p -- "$APT_DIR"/{lists/partial,cache/archives/partial,state,etc/sources.list.d,etc/preferences.d}
	: >>"$APT_DIR/state/status"
	{
		for s in bullseye trixie sid; do
			printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s/debian %s main\n' \
				"$MIRROR" "$s"
			[ "$s" = sid ] ||
				printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s/debian-security %s-security main\n' \
					"$MIRROR" "$s"
		done
	} >"$APT_DIR/etc/sources.list"
	cat >"$APT_DIR/apt.conf" <<-EOF
		Dir::State "$APT_DIR/state";
		Dir::State::Lists "$APT_DIR/lists";
		Dir::State::status "$APT_DIR/state/status";
		Dir::Cache "$APT_DIR/cache";
		Dir::Etc::SourceList "$APT_DIR/etc/sources.list";
		Dir::Etc::SourceParts "$APT_DIR/etc/sources.list.d";
		Dir::Etc::Preferences "$APT_DIR/etc/preferences";
		Dir::Etc::PreferencesParts "$APT_DIR/etc/preferences.d";
		Acquire::Languages "none";
		APT::Architecture "amd64";
		APT::Architectures { "amd64"; };
		APT::Sandbox::User "root";
	EOF
}

APT_READY=0
# Make the private package lists ready: refreshed when older than a day,
# or always with --refresh. A failed refresh keeps the old lists.
apt_ready() {
	[ "$APT_READY" = 0 ] || return 0
	APT_READY=1
	local stamp=$APT_DIR/lists/.updated
	exec 7>"$CACHE/apt.lock"
	flock 7
	apt_setup
	if [ "$REFRESH" = 1 ] || [ ! -f "$stamp" ] ||
		[ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
		if apt-get -qq update >"$APT_DIR/update.log" 2>&1; then
			touch -- "$stamp"
		elif [ -f "$stamp" ]; then
			say "warning: refreshing the package lists failed; using the old ones ($APT_DIR/update.log)"
		else
			cat "$APT_DIR/update.log" >&2
			tcphs_die "cannot read the Debian package lists"
		fi
	fi
	flock -u 7
}

# Print the newest version of package $1 in suite $2 or $2-security.
suite_version() {
	local v best=""
	while read -r v; do
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then
			best=$v
		fi
	done < <(apt-cache madison "$1" 2>/dev/null |
		awk -F' *[|] *' -v s="$2" '$3 ~ (" " s "(-security)?/") { print $2 }')
	[ -n "$best" ] || return 1
	printf '%s\n' "$best"
}

# Print the packages named in the Depends of $1 (=version) matching regex $2.
depends_matching() {
	apt-cache show "$1" | sed -n 's/^Depends: //p' | head -n1 | tr ',|' '\n' |
		sed -e 's/^ *//' -e 's/ .*//' | grep -E -- "$2" || true
}

# fetch DIR PKG=VER...: download the .debs into DIR unless already there.
fetch() {
	local dir=$1 p name ver want=()
	shift
	mkdir -p -- "$dir"
	for p in "$@"; do
		name=${p%%=*}
		ver=${p#*=}
		compgen -G "$dir/${name}_${ver}_*.deb" >/dev/null || want+=("$p")
	done
	[ ${#want[@]} = 0 ] && return 0
	apt_ready
	(cd "$dir" && apt-get -qq download "${want[@]}") ||
		tcphs_die "apt-get download ${want[*]} failed"
}

# -------------------------------------------------------------- kernels ----
# Resolve a row: sets ROW SUITE REL VER HDR_PKG (header package for REL).
resolve() {
	local r row="" suite=""
	for r in "${ROWS[@]}"; do
		if [ "$1" = "${r% *}" ] || [ "$1" = "${r#* }" ]; then
			row=${r% *}
			suite=${r#* }
		fi
	done
	[ -n "$row" ] || tcphs_die "unknown kernel '$1' (one of: 5.10 6.1 6.12 sid debug)"
	ROW=$row
	SUITE=$suite
	if [ "$SUITE" = bookworm ]; then
		tcphs_kernel_paths ""
		REL=$KVER
		VER=$(dpkg-query -W -f='${Version}' "linux-headers-$REL" 2>/dev/null || echo unknown)
		HDR_PKG=linux-headers-$REL
		return 0
	fi
	apt_ready
	VER=$(suite_version "linux-headers-$FLAVOUR" "$SUITE") ||
		tcphs_die "no linux-headers-$FLAVOUR in $SUITE"
	HDR_PKG=$(depends_matching "linux-headers-$FLAVOUR=$VER" "^linux-headers-.*-$FLAVOUR\$")
	[ -n "$HDR_PKG" ] || tcphs_die "cannot tell which headers linux-headers-$FLAVOUR $VER wants"
	REL=${HDR_PKG#linux-headers-}
}

# The GLIBC version a set of ELF programs needs at most.
glibc_needed() {
	local f
	for f in "$@"; do
		objdump -T -- "$f" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' || true
	done | sed 's/GLIBC_//' | sort -V | tail -n1
}

# Can the unpacked headers in $1 (kbuild programs in $2) be used here?
# Prints why not, if not.
headers_usable() {
	local kdir=$1 kbuild=$2 need have cc
	local progs=()
	while IFS= read -r -d '' f; do
		tcphs_is_elf "$f" && progs+=("$f")
	done < <(find "$kbuild" -type f -perm -u+x -print0)
	need=$(glibc_needed "${progs[@]}")
	have=$(ldd --version | head -n1 | grep -o '[0-9]*\.[0-9]*$')
	if [ -n "$need" ] && [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | tail -n1)" != "$have" ]; then
		echo "its kbuild programs need glibc $need, this machine has $have"
		return 1
	fi
	cc=$(sed -n 's/^CC = .*gcc-\([0-9][0-9]*\).*/\1/p' "$kdir/.kernelvariables" 2>/dev/null)
	if [ -n "$cc" ] && [ "$(gcc -dumpversion | cut -d. -f1)" -lt "$cc" ]; then
		echo "it was built with gcc-$cc, this machine has gcc $(gcc -dumpversion)"
		return 1
	fi
}

# Unpack the header packages of $REL into $D/root; sets KDIR, or returns 1
# (with the reason in HDR_WHY) if they cannot be used here.
prepare_headers() {
	local root=$D/root common kbuild f cc
	KDIR=$root/usr/src/linux-headers-$REL
	HOW="Debian's headers"
	[ ! -f "$root/.done" ] || return 0
	fetch "$D/debs" "$HDR_PKG=$VER"
	common=$(depends_matching "$HDR_PKG=$VER" '^linux-headers-.*-common$')
	kbuild=$(depends_matching "$HDR_PKG=$VER" '^linux-kbuild-')
	if [ -z "$common" ] || [ -z "$kbuild" ]; then
		tcphs_die "cannot tell what $HDR_PKG needs"
	fi
	fetch "$D/debs" "$common=$VER" "$kbuild=$VER"
	T_DOWNLOAD=$(now)
	rm -rf -- "$root"
	for f in "$D/debs/${HDR_PKG}_$VER"_*.deb "$D/debs/${common}_$VER"_*.deb \
		"$D/debs/${kbuild}_$VER"_*.deb; do
		dpkg -x "$f" "$root"
	done
	# The packages name their other halves by absolute path.
	sed -i "s|/usr/src/|$root/usr/src/|g" "$KDIR/Makefile"
	T_EXTRACT=$(now)
	if ! HDR_WHY=$(headers_usable "$KDIR" "$root/usr/lib/$kbuild"); then
		rm -rf -- "$root"
		return 1
	fi
	# The compiler the kernel was built with may be missing: use gcc.
	cc=$(sed -n 's/^CC = .*\(gcc-[0-9][0-9]*\).*/\1/p' "$KDIR/.kernelvariables")
	if [ -n "$cc" ] && ! command -v "$cc" >/dev/null && ! command -v "x86_64-linux-gnu-$cc" >/dev/null; then
		sed -i "s/^CC = .*/CC = gcc/" "$KDIR/.kernelvariables"
	fi
	: >"$root/.done"
}

# Kconfig symbols that say what the toolchain can do.
TOOLCHAIN_OPTS='^(CC_|AS_|LD_|GCC_|CLANG_|RUSTC_|BINDGEN_|PAHOLE_|TOOLCHAIN_|OBJTOOL_|OPENSSL_)|_VERSION(_TEXT)?$|_IS_AVAILABLE$'

# Prepare $REL from its linux-source package with Debian's configuration;
# sets KDIR. pahole must be there: without it Kconfig drops BTF, which
# changes struct module, and Debian's kernel refuses the module.
prepare_source() {
	local series srcpkg top key o kver lv f
	command -v pahole >/dev/null 2>&1 || tcphs_die "missing pahole (dwarves; run scripts/setup.sh)"
	series=$(cut -d. -f1,2 <<<"$VER")
	srcpkg=linux-source-$series
	if [ ! -f "$D/src/.unpacked" ]; then
		fetch "$D/debs" "$HDR_PKG=$VER" "$srcpkg=$VER"
	fi
	T_DOWNLOAD=$(now)

	if [ ! -f "$D/src/.unpacked" ]; then
		say "unpacking $srcpkg $VER"
		rm -rf -- "$D/src" "$D/hdr"
		mkdir -p -- "$D/src" "$D/hdr"
		f=$(compgen -G "$D/debs/${srcpkg}_${VER}_*.deb")
		dpkg-deb --fsys-tarfile "$f" | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
			xz -dc -T0 | tar -x -C "$D/src"
		f=$(compgen -G "$D/debs/${HDR_PKG}_${VER}_*.deb")
		dpkg-deb --fsys-tarfile "$f" |
			tar -x -C "$D/hdr" --strip-components=4 "./usr/src/$HDR_PKG/.config" \
				"./usr/src/$HDR_PKG/Module.symvers"
		: >"$D/src/.unpacked"
		rm -f -- "$D/debs/${srcpkg}_"*.deb
	fi
	T_EXTRACT=$(now)
	top=$(find "$D/src" -mindepth 1 -maxdepth 1 -type d -name 'linux-source-*' | head -n1)
	[ -n "$top" ] || tcphs_die "no linux-source-* in $D/src"

	key=$( {
		printf 'recipe %s\nversion %s\n' "$RECIPE" "$VER"
		gcc --version | head -n1
		ld --version | head -n1
		pahole --version
		cat -- "$D/hdr/.config"
	} | sha256sum | cut -c1-16)
	o=$D/build-$key
	if [ ! -f "$o/.tcphs-done" ]; then
		say "preparing $REL from $srcpkg (modules_prepare, $JOBS jobs)"
		rm -rf -- "$D"/build-*
		mkdir -p -- "$o"
		cp -- "$D/hdr/.config" "$o/.config"
		kver=$(make -s --no-print-directory -C "$top" kernelversion 2>/dev/null)
		lv=${REL#"$kver"}
		[ "$lv" != "$REL" ] || tcphs_die "$REL does not start with the source's version $kver"
		if ! { make -C "$top" O="$o" LOCALVERSION="$lv" olddefconfig &&
			make -C "$top" O="$o" LOCALVERSION="$lv" -j"$JOBS" modules_prepare; } \
			>"$o/prepare.log" 2>&1; then
			tail -n 20 "$o/prepare.log" >&2
			tcphs_die "modules_prepare of $REL failed (log: $o/prepare.log)"
		fi
		[ "$(cat "$o/include/config/kernel.release")" = "$REL" ] ||
			tcphs_die "prepared $(cat "$o/include/config/kernel.release"), wanted $REL"
		cp -- "$D/hdr/Module.symvers" "$o/Module.symvers"
		"$top/scripts/diffconfig" "$D/hdr/.config" "$o/.config" >"$o/config-diff.txt" 2>/dev/null || true
		# Options that only describe the toolchain change no layout; any
		# other that olddefconfig dropped may make the module unloadable
		# in Debian's kernel (the build itself is still checked).
		grep -v '^-.* n$' "$o/config-diff.txt" | sed -e 's/^[-+ ]//' -e 's/ .*//' |
			grep -Ev "$TOOLCHAIN_OPTS" >"$o/config-lost.txt" || true
		if [ -s "$o/config-lost.txt" ]; then
			say "warning: $REL: olddefconfig changed $(tr '\n' ' ' <"$o/config-lost.txt")"
		fi
		: >"$o/.tcphs-done"
	fi
	KDIR=$o
	HOW="source, Debian's .config (${HDR_WHY})"
	if [ -s "$o/config-lost.txt" ]; then
		HOW+="; differs from Debian's in $(tr '\n' ' ' <"$o/config-lost.txt")"
	fi
}

# Remove the prepared kernels of $SUITE other than $REL.
prune() {
	local d
	for d in "$CACHE"/*/; do
		d=${d%/}
		if [ ! -f "$d/suite" ] || [ "$(cat "$d/suite")" != "$SUITE" ] || [ "$d" = "$D" ]; then
			continue
		fi
		(
			flock -n 6 || exit 0
			say "removing $(basename -- "$d"), no longer current in $SUITE"
			rm -rf -- "$d"
		) 6>"$d.lock"
		rm -f -- "$d.lock"
	done
}

# Prepare the kernel of row $1: sets ROW SUITE REL VER KDIR HOW.
prepare() {
	local t0
	if [ "$1" = debug ]; then
		local env
		env=$("$TCPHS_SCRIPTS/build-debug-kernel.sh" --print-env) ||
			tcphs_die "building the debug kernel failed"
		eval "$env"
		ROW=debug SUITE=debug REL=$KREL VER=$KREL HOW="scripts/build-debug-kernel.sh"
		D=""
		return 0
	fi
	resolve "$1"
	if [ "$SUITE" = bookworm ]; then
		HOW="the host's headers"
		D=""
		return 0
	fi
	D=$CACHE/$REL
	mkdir -p -- "$D"
	exec 8>"$D.lock"
	flock 8
	t0=$(now)
	T_DOWNLOAD=$t0 T_EXTRACT=$t0
	printf '%s\n' "$SUITE" >"$D/suite"
	HDR_WHY=""
	if [ -f "$D/how" ] && [ "$(cat "$D/how")" = "source $RECIPE" ]; then
		HDR_WHY=$(cat "$D/why")
		prepare_source
	elif prepare_headers; then
		printf 'headers %s\n' "$RECIPE" >"$D/how"
	else
		printf '%s\n' "$HDR_WHY" >"$D/why"
		prepare_source
		printf 'source %s\n' "$RECIPE" >"$D/how"
	fi
	if [ ! -f "$D/prepare.txt" ]; then
		printf 'release %s\nversion %s\nhow %s\ndownload_s %s\nextract_s %s\nbuild_s %s\ntotal_s %s\n' \
			"$REL" "$VER" "$HOW" $((T_DOWNLOAD - t0)) $((T_EXTRACT - T_DOWNLOAD)) \
			$(($(now) - T_EXTRACT)) $(($(now) - t0)) >"$D/prepare.txt"
		say "prepared $REL in $(($(now) - t0)) s: download $((T_DOWNLOAD - t0)) s," \
			"unpack $((T_EXTRACT - T_DOWNLOAD)) s, build $(($(now) - T_EXTRACT)) s"
	fi
	flock -u 8
	exec 8>&-
	prune
}

# The Debian image of the prepared $REL, for the VM: sets VMLINUZ MODDIR.
prepare_image() {
	if [ -z "$D" ]; then
		[ "$ROW" != debug ] || return 0	# build-debug-kernel.sh set them
		tcphs_kernel_paths "$REL"	# the test VM's own (scripts/vm-kernel.sh)
		tcphs_vm_kernel
		return 0
	fi
	local img=$D/image pkgs f base re
	if [ ! -f "$img/.done" ]; then
		pkgs=("linux-image-$REL=$VER")
		apt_ready
		# Since 7.x the image package is split in three.
		re=${REL//./\\.}
		re=${re//+/\\+}
		for base in $(depends_matching "linux-image-$REL=$VER" \
			"^linux-(base|binary|modules)-$re\$"); do
			pkgs+=("$base=$VER")
		done
		fetch "$D/debs" "${pkgs[@]}"
		rm -rf -- "$img"
		for f in "${pkgs[@]}"; do
			dpkg -x "$(compgen -G "$D/debs/${f%%=*}_${VER}_*.deb")" "$img"
		done
		MODDIR=$(find "$img" -maxdepth 4 -type d -path "*/lib/modules/$REL" | head -n1)
		[ -n "$MODDIR" ] || tcphs_die "no modules directory in linux-image-$REL"
		# Compressed modules become plain ones, which every modprobe reads.
		find "$MODDIR" -name '*.ko.xz' -exec xz -d -- {} +
		find "$MODDIR" -name '*.ko.zst' -exec zstd -q -d --rm -- {} +
		depmod -b "${MODDIR%/lib/modules/*}" "$REL"
		: >"$img/.done"
	fi
	MODDIR=$(find "$img" -maxdepth 4 -type d -path "*/lib/modules/$REL" | head -n1)
	VMLINUZ=$img/boot/vmlinuz-$REL
	[ -f "$VMLINUZ" ] || VMLINUZ=$MODDIR/vmlinuz	# 7.x
	[ -f "$VMLINUZ" ] || tcphs_die "no $VMLINUZ"
}

# The linux-doc package of the resolved $REL, unpacked in the cache (older
# versions go): sets DOC to its Documentation/.
prepare_doc() {
	local series pkg ver dir
	series=$(printf '%s\n' "$REL" | grep -o '^[0-9]*\.[0-9]*')
	pkg=linux-doc-$series
	[ "$SUITE" != bookworm ] ||
		tcphs_die "$pkg is the host's suite's: install it, or choose 6.12 or sid"
	apt_ready
	ver=$(suite_version "$pkg" "$SUITE") || tcphs_die "no $pkg in $SUITE"
	dir=$CACHE/doc/${pkg}_$ver
	DOC=$dir/usr/share/doc/$pkg/Documentation
	exec 8>"$CACHE/doc.lock"
	flock 8
	if [ ! -f "$dir/.done" ]; then
		fetch "$CACHE/doc/debs" "$pkg=$ver"
		rm -rf -- "$dir"
		mkdir -p -- "$dir"
		dpkg-deb --fsys-tarfile "$(compgen -G "$CACHE/doc/debs/${pkg}_${ver}_*.deb")" |
			tar -C "$dir" -x --wildcards "./usr/share/doc/$pkg/Documentation/netlink/*" ||
			tcphs_die "unpacking $pkg $ver failed"
		find "$DOC" -name '*.gz' -exec gunzip -f -- {} +
		: >"$dir/.done"
		find "$CACHE/doc" -mindepth 1 -maxdepth 1 -name "${pkg}_*" ! -name "${pkg}_$ver" \
			-exec rm -rf -- {} +
		find "$CACHE/doc/debs" -name "${pkg}_*.deb" ! -name "${pkg}_${ver}_*" -delete
	fi
	flock -u 8
	exec 8>&-
	[ -d "$DOC" ] || tcphs_die "no Documentation/ in $pkg $ver"
}

# Copy the project's sources (no build output, no .git) to $1.
copy_tree() {
	rm -rf -- "$1"
	mkdir -p -- "$1"
	tar -C "$TCPHS_ROOT" --exclude-vcs --exclude=./.build --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.o.d' \
		--exclude=modules.order --exclude=Module.symvers --exclude=compat-generated.h \
		--exclude='*.d' -cf - . | tar -C "$1" -xf -
}

# Build the module(s) against $KDIR with W=1; no warning allowed.
build_one() {
	local log=$OUT/$REL.log tree rc=0
	tree=$(mktemp -d "$OUT/$REL.src.XXXXXX")
	copy_tree "$tree"
	make -C "$KDIR" M="$tree" W=1 -j"$JOBS" modules >"$log" 2>&1 || rc=$?
	if [ $rc != 0 ]; then
		grep -E -B2 -A4 'error|Error' "$log" | head -n 40
		return 1
	fi
	if grep -E 'warning:|error:|WARNING:' "$log"; then
		echo "the build must give no warning (log: $log)"
		return 1
	fi
	[ -f "$tree/module/tcphs.ko" ] || { echo "no tcphs.ko (log: $log)"; return 1; }
	rm -rf -- "$tree"
}

# The parameters the VM suite loads tcphs with on $KDIR's kernel.
suite_params() {
	if tcphs_kernel_facts "$KDIR" | grep -qx 'mcast_cap=0'; then
		echo unsafe_unrestricted_events=1
	fi
}

# Boot $REL's image and run the VM suite; prints its summary line.
vm_cpus() {
	if printf '%s\n' 6.12 "$REL" | sort -V -C; then
		echo 1
	else
		echo "${TCPHS_VM_CPUS:-2}"
	fi
}

vm_one() {
	local log=$OUT/$REL.vm.log tree rc=0
	prepare_image || return 1
	tree=$(mktemp -d "$OUT/$REL.vm.XXXXXX")
	copy_tree "$tree"
	: >"$log"
	# Under TCG with two vCPUs, 6.12 and 7.x kernels oops on int3 now and
	# then while they patch their own text (a static key flips: at boot, or
	# when netfilter hooks come and go; seen in __ip_local_out's nf_hook
	# with 6.12 on a loaded machine), tcphs loaded or not: one vCPU there.
	# 5.10 and 6.1 (and the debug kernel) keep two.
	# Its own build directory, so that two VMs at once keep their own
	# last-console.log and last-dmesg.log.
	TCPHS_BUILD=$OUT/$REL.build \
	TCPHS_VM_CPUS=$(vm_cpus) \
	TCPHS_VM_TIMEOUT=${TCPHS_COMPAT_VM_TIMEOUT:-1800} \
		"$tree/scripts/vm-run.sh" --kernel "$VMLINUZ" --modules-dir "$MODDIR" --kdir "$KDIR" \
		--module-params "$(suite_params)" -- /tcphs/tests/vm/run-all.sh >>"$log" 2>&1 || rc=$?
	rm -rf -- "$tree"
	VM_SUMMARY=$(grep -a '^vm: [0-9]* passed, [0-9]* failed' "$log" | tail -n1)
	if [ $rc != 0 ]; then
		grep -a -E '^not ok|FAIL:|vm-run.sh:' "$log" | head -n 30
		# The kernel's report, if there was one.
		sed -n '/vm-run.sh: the first kernel report:/,+15p' "$log" | head -n 16
		echo "the VM suite failed: ${VM_SUMMARY:-no summary} (exit status $rc, log: $log)"
		return 1
	fi
}

# ------------------------------------------------------------------ main ----
REFRESH=0
DEBUG=0
MODE=build
VM=0
RUN_VM=1
while [ $# -gt 0 ]; do
	case $1 in
	--refresh) REFRESH=1; shift ;;
	--debug) DEBUG=1; shift ;;
	--no-vm) RUN_VM=0; shift ;;
	--print-env) MODE=print; shift ;;
	--vm) VM=1; shift ;;
	--list) MODE=list; shift ;;
	--doc) MODE=doc; shift ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) tcphs_log "unknown option: $1"; usage ;;
	*) break ;;
	esac
done

mkdir -p -- "$CACHE" "$OUT"
for t in apt-get dpkg-deb objdump xz flock make gcc; do
	command -v "$t" >/dev/null 2>&1 || tcphs_die "missing $t (run scripts/setup.sh)"
done

if [ "$MODE" = list ]; then
	for r in "${ROWS[@]}"; do
		prepare "${r% *}" >/dev/null
		printf '%-6s %-9s %-32s %s\n' "$ROW" "$SUITE" "$REL" "$HOW"
	done
	exit 0
fi

if [ "$MODE" = doc ]; then
	[ $# = 1 ] || usage
	resolve "$1"
	prepare_doc
	printf '%s\n' "$DOC"
	exit 0
fi

if [ "$MODE" = print ] || [ "$VM" = 1 ]; then
	[ $# -ge 1 ] || usage
	prepare "$1"
	shift
	if [ "$VM" = 1 ]; then
		prepare_image
	fi
	if [ "$MODE" = print ]; then
		printf 'KREL=%q\nKDIR=%q\n' "$REL" "$KDIR"
		[ "$VM" = 0 ] || printf 'VMLINUZ=%q\nMODDIR=%q\n' "$VMLINUZ" "$MODDIR"
		exit 0
	fi
	# The rest is for vm-run.sh; the VM suite unless a command is given.
	case " $* " in
	*" -- "*) ;;
	*) set -- "$@" -- /tcphs/tests/vm/run-all.sh ;;
	esac
	# The VM builds the module, the reader and the tools in the tree it
	# runs from: use a copy.
	tree=$(mktemp -d "$OUT/$REL.vm.XXXXXX")
	copy_tree "$tree"
	rc=0
	"$tree/scripts/vm-run.sh" --kernel "$VMLINUZ" --modules-dir "$MODDIR" --kdir "$KDIR" \
		--module-params "$(suite_params)" "$@" || rc=$?
	rm -rf -- "$tree"
	exit $rc
fi

rows=("$@")
if [ ${#rows[@]} = 0 ]; then
	for r in "${ROWS[@]}"; do
		rows+=("${r% *}")
	done
	[ "$DEBUG" = 0 ] || rows+=(debug)
fi

"$TCPHS_SCRIPTS/setup.sh" >/dev/null || tcphs_die "installing dependencies failed"
passed=0
failed=0
declare -A REL_OF BUILD_S
vm_rows=()

# The builds, one after the other.
for r in "${rows[@]}"; do
	t0=$(now)
	if ! (prepare "$r" && printf '%s (%s)\n' "$REL" "$SUITE" >"$OUT/.rel" &&
		build_one >"$OUT/.out" 2>&1); then
		rel=$(cat "$OUT/.rel" 2>/dev/null || echo "$r")
		cat "$OUT/.out" 2>/dev/null || true
		echo "compat $rel: FAILED (build)"
		failed=$((failed + 1))
		rm -f -- "$OUT/.rel" "$OUT/.out"
		continue
	fi
	REL_OF[$r]=$(cat "$OUT/.rel")
	BUILD_S[$r]=$(($(now) - t0))
	rm -f -- "$OUT/.rel" "$OUT/.out"
	if [ "$RUN_VM" = 1 ] && [ "$r" != debug ] &&
		[[ " ${TCPHS_COMPAT_VM_ROWS:-${rows[*]}} " == *" $r "* ]]; then
		vm_rows+=("$r")
	fi
done

# The VM suites, TCPHS_COMPAT_VM_JOBS (default 2) at a time: the VMs spend
# much of their time waiting, so two share the machine well.
vm_job() {
	local r=$1 t0
	t0=$(now)
	if prepare "$r" >/dev/null && vm_one >"$OUT/vm-$r.out" 2>&1; then
		echo "$(grep -a '^vm: ' "$OUT/$REL.vm.log" | tail -n1 | sed 's/^vm: //')" \
			"in the VM $(($(now) - t0)) s" >"$OUT/vm-$r.ok"
	fi
}
running=0
for r in "${vm_rows[@]}"; do
	rm -f -- "$OUT/vm-$r.ok" "$OUT/vm-$r.out"
	if [ "$running" -ge "${TCPHS_COMPAT_VM_JOBS:-2}" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	(vm_job "$r") &
	running=$((running + 1))
done
wait || true

for r in "${rows[@]}"; do
	[ -n "${REL_OF[$r]:-}" ] || continue
	what="build ${BUILD_S[$r]} s"
	if [[ " ${vm_rows[*]} " == *" $r "* ]]; then
		if [ ! -f "$OUT/vm-$r.ok" ]; then
			cat "$OUT/vm-$r.out" 2>/dev/null || true
			echo "compat ${REL_OF[$r]}: FAILED (the VM suite)"
			failed=$((failed + 1))
			continue
		fi
		what+=", $(cat "$OUT/vm-$r.ok")"
	elif [ "$RUN_VM" = 1 ] && [ "$r" != debug ]; then
		what+=", VM suite not run here (TCPHS_COMPAT_VM_ROWS)"
	fi
	echo "compat ${REL_OF[$r]}: ok ($what)"
	passed=$((passed + 1))
	rm -f -- "$OUT/vm-$r.ok" "$OUT/vm-$r.out"
done
echo "compat: $passed passed, $failed failed"
[ "$failed" = 0 ]
