# SPDX-License-Identifier: GPL-2.0
#
# tcphs: build the module against a kernel's headers (KDIR), build the
# reader, and drive the developer targets.
#
#   make [KDIR=...]	module/tcphs.ko and userspace/tcphs
#   make demo		boot the test VM, open and close connections, show them
#   make check		every test (unit tests, the VM suite)
#   make lint		checkpatch --strict, sparse (C=2), W=1
#   make bench		speed and memory against a baseline, in the test VM
#   make stress		floods, churn and module cycles at full size
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

.PHONY: all modules reader tools deps demo check lint bench stress clean help

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

lint:
	scripts/lint.sh

bench:
	scripts/bench.sh

stress:
	scripts/stress.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/tools clean
	rm -rf .build

help:
	@sed -n '3,14p' Makefile
