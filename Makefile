# SPDX-License-Identifier: GPL-2.0
#
# tcphs: build the module against a kernel's headers (KDIR), build the
# reader, and drive the developer targets.
#
#   make [KDIR=...]	module/tcphs.ko and userspace/tcphs
#   make demo		boot the test VM, open and close connections, show them
#   make check		every test (unit tests, the VM suite)
#   make lint		checkpatch --strict, sparse (C=2), W=1
#   make check-debug	under a debug kernel (KASAN, lockdep, kmemleak...): the
#			KUnit suites, then the VM suite (part of make check)
#   make kunit		the KUnit suites only, under the debug kernel
#   make debug-kernel	build (or find) the debug kernel; print its paths
#   make bench		speed and memory against a baseline, in the test VM
#   make stress		floods, churn and module cycles at full size
#   make compat		build against the kernels of Debian 11, 12, 13 and sid
#   make install	tcphs.ko into /lib/modules/KVER/extra (depmod -a), the
#			reader and its man page under PREFIX; DESTDIR respected
#   make uninstall	the same files out again
#   make dkms-install	register with DKMS, build and install for KVER
#   make dkms-remove	out of DKMS again
#
# KDIR defaults to the running kernel's build directory; where that does
# not exist (a host whose kernel cannot load modules), to the headers of the
# kernel the test VM boots.

ifeq ($(origin KDIR), undefined)
KDIR := $(shell d=/lib/modules/$$(uname -r)/build; \
	if [ -d $$d ]; then echo $$d; else \
	bash -c '. scripts/lib.sh && tcphs_kernel_paths >/dev/null 2>&1 && echo $$KDIR'; fi)
endif

PREFIX ?= /usr/local
# The release of the kernel in KDIR, where its modules are installed.
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
INSTALL_MOD_DIR ?= extra
DEPMOD ?= depmod
MODDEST = $(DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)

.PHONY: all modules reader tools deps demo check check-debug kunit debug-kernel lint bench \
	stress compat clean help install uninstall dkms-install dkms-remove

all: modules reader

modules:
	@test -n "$(KDIR)" || { echo "no kernel headers found: set KDIR or run scripts/setup.sh"; exit 2; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

reader:
	$(MAKE) -C userspace

tools:
	$(MAKE) -C tests/tools

deps:
	scripts/setup.sh

demo:
	scripts/demo.sh

check:
	scripts/check.sh

check-debug:
	scripts/check-debug.sh

kunit:
	scripts/check-debug.sh --kunit

debug-kernel:
	scripts/build-debug-kernel.sh

lint:
	scripts/lint.sh

bench:
	scripts/bench.sh

stress:
	scripts/stress.sh

compat:
	scripts/compat.sh

# depmod only for a live system: a staged tree (DESTDIR) is indexed where it
# lands.
install: modules reader
	@test -n "$(KVER)" || { echo "cannot tell the kernel release of KDIR=$(KDIR)"; exit 2; }
	install -d $(MODDEST)
	install -m 0644 module/tcphs.ko $(MODDEST)/tcphs.ko
	$(MAKE) -C userspace install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	if [ -z "$(DESTDIR)" ]; then $(DEPMOD) -a $(KVER); fi

uninstall:
	@test -n "$(KVER)" || { echo "cannot tell the kernel release of KDIR=$(KDIR)"; exit 2; }
	rm -f $(MODDEST)/tcphs.ko
	-rmdir $(MODDEST) 2>/dev/null
	$(MAKE) -C userspace uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	if [ -z "$(DESTDIR)" ] && [ -d /lib/modules/$(KVER) ]; then $(DEPMOD) -a $(KVER); fi

dkms-install:
	scripts/dkms.sh install $(KVER)

dkms-remove:
	scripts/dkms.sh remove

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/tools clean
	rm -rf .build

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' Makefile
