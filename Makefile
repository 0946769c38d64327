# SPDX-License-Identifier: GPL-2.0-or-later
# gadgetd - plain GNU make. `make`, `make check`, `make install`, `make demo`,
# `make asan`, `make fuzz`, `make fuzz-run`. V=1 shows the commands.
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
B ?= build
VERSION := 0.1.0

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -MMD -MP
CFLAGS += -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	  -Wpointer-arith -Wvla -Wno-unused-parameter -Wno-format-truncation
CPPFLAGS += -I. -D_GNU_SOURCE -DGADGETD_VERSION='"$(VERSION)"'

PKGS := libusbgx libconfig libsystemd
CPPFLAGS += $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -laio # libaio ships no .pc

ifeq ($(WERROR),1)
CFLAGS += -Werror
endif
ifeq ($(SANITIZE),1)
B := build-san
CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

ifneq ($(V),1)
Q := @
endif

CORE_SRCS := $(filter-out gadgetd/main.c,$(wildcard gadgetd/*.c functionfs/*.c))
CORE_OBJS := $(CORE_SRCS:%.c=$(B)/obj/%.o)
UNIT := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))
# --capture writes pcap files with libpcap; NO_PCAP=1 builds without it
ifneq ($(NO_PCAP),1)
CPPFLAGS += -DHAVE_LIBPCAP $(shell $(PKG_CONFIG) --cflags libpcap 2>/dev/null)
LDLIBS += $(shell $(PKG_CONFIG) --libs libpcap 2>/dev/null)
else
UNIT := $(filter-out $(B)/tests/test_capture,$(UNIT))
endif
# --user's relay confines itself with libseccomp; NO_SECCOMP=1 builds without it
ifneq ($(NO_SECCOMP),1)
CPPFLAGS += -DHAVE_LIBSECCOMP $(shell $(PKG_CONFIG) --cflags libseccomp 2>/dev/null)
LDLIBS += $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null)
endif
TOOLS := $(patsubst tests/tools/%.c,$(B)/tools/%,$(wildcard tests/tools/*.c))

all: $(B)/gadgetd $(TOOLS)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/libgadgetd.a: $(CORE_OBJS)
	$(Q)$(AR) rcs $@ $^

$(B)/gadgetd: $(B)/obj/gadgetd/main.o $(B)/libgadgetd.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(B)/libgadgetd.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka) -o $@

$(B)/tools/%: $(B)/obj/tests/tools/%.o $(B)/libgadgetd.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

deps:
	$(Q)sh scripts/deps.sh

# Unit tests (cmocka): pure logic, no kernel needed.
unit: $(UNIT)
	$(Q)set -e; for t in $(UNIT); do echo "== $$t"; $$t; done

asan:
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 unit

# End-to-end tests in the QEMU lab (real kernel, usbipd, dummy_hcd, stock drivers).
# The lab jobs on each lab kernel, 6.1 then 6.12 (LAB_KERNELS, README "Kernels").
e2e:
	$(Q)sh scripts/deps.sh lab
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 build-san/gadgetd # fault and hostile jobs
	$(Q)bash tests/lab/run-e2e.sh

# Everything CI runs: -Werror build, unit tests plain and under ASan/UBSan, lab tests.
check:
	$(Q)sh scripts/deps.sh all
	$(Q)$(MAKE) --no-print-directory WERROR=1 all unit install-test check-configs
	$(Q)$(MAKE) --no-print-directory WERROR=1 asan
	$(Q)$(MAKE) --no-print-directory WERROR=1 fuzz-replay fuzz-smoke
	$(Q)$(MAKE) --no-print-directory WERROR=1 cross-test
	$(Q)$(MAKE) --no-print-directory WERROR=1 e2e

# The packages first: a fresh machine has no libaio.h or libusbgx headers yet.
demo:
	$(Q)sh scripts/deps.sh lab
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash scripts/demo.sh

# gadgetd against the kernel's own USB/IP client (vhci) in one lab boot; prints a
# table and writes .cache/bench/results.md (tests/bench/). Nothing is asserted.
bench:
	$(Q)sh scripts/deps.sh lab
	$(Q)$(MAKE) --no-print-directory all $(B)/tools/bench-xfer
	$(Q)GADGETD=$(B)/gadgetd bash tests/bench/run-bench.sh
$(B)/tools/bench-xfer: tests/bench/bench-xfer.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@
.PHONY: bench

UNITDIR ?= $(PREFIX)/lib/systemd/system
MODLOADDIR ?= $(PREFIX)/lib/modules-load.d

$(B)/gadgetd@.service: configs/gadgetd@.service.in
	@mkdir -p $(@D)
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< > $@

# Profiles are configuration: one that exists is never overwritten (an edited
# one is kept, the shipped one goes beside it as NAME.cfg.new), and uninstall
# removes only those still as shipped.
install: $(B)/gadgetd $(B)/gadgetd@.service
	install -D -m 0755 $(B)/gadgetd $(DESTDIR)$(SBINDIR)/gadgetd
	install -D -m 0644 gadgetd/gadgetd.8 $(DESTDIR)$(MANDIR)/man8/gadgetd.8
	install -D -m 0644 configs/gadgetd.profile.5 $(DESTDIR)$(MANDIR)/man5/gadgetd.profile.5
	install -D -m 0644 $(B)/gadgetd@.service $(DESTDIR)$(UNITDIR)/gadgetd@.service
	install -D -m 0644 configs/modules-load.conf $(DESTDIR)$(MODLOADDIR)/gadgetd.conf
	install -d $(DESTDIR)$(SYSCONFDIR)/gadgetd
	@# the account --user runs the network side as (gadgetd@.service uses it)
	@if [ -z "$(DESTDIR)" ] && ! getent passwd gadgetd >/dev/null; then \
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin gadgetd && echo "install: created the account gadgetd"; fi
	@for f in configs/*.cfg; do t=$(DESTDIR)$(SYSCONFDIR)/gadgetd/$${f##*/}; \
		if [ ! -e "$$t" ]; then install -m 0644 "$$f" "$$t"; \
		elif ! cmp -s "$$f" "$$t"; then install -m 0644 "$$f" "$$t.new"; \
			echo "install: $$t was edited: kept; the shipped one is $$t.new"; fi; \
	done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/gadgetd $(DESTDIR)$(MANDIR)/man8/gadgetd.8 \
		$(DESTDIR)$(MANDIR)/man5/gadgetd.profile.5 $(DESTDIR)$(UNITDIR)/gadgetd@.service \
		$(DESTDIR)$(MODLOADDIR)/gadgetd.conf
	@for f in configs/*.cfg; do t=$(DESTDIR)$(SYSCONFDIR)/gadgetd/$${f##*/}; \
		rm -f "$$t.new"; \
		if cmp -s "$$f" "$$t"; then rm -f "$$t"; \
		elif [ -e "$$t" ]; then echo "uninstall: $$t was edited: kept"; fi; \
	done
	-@rmdir $(DESTDIR)$(SYSCONFDIR)/gadgetd 2>/dev/null || true

# make install/uninstall into a scratch root, the unit through systemd-analyze
# verify, the notify protocol against a socket the test listens on
install-test: $(B)/gadgetd
	$(Q)B=$(B) bash tests/install/run.sh

# gadgetd -n --profile-only on every example profile in configs/, and broken
# copies of one (tests/install/configs.sh); no UDC needed
check-configs: $(B)/gadgetd
	$(Q)B=$(B) bash tests/install/configs.sh

clean:
	rm -rf build build-san

.PHONY: all deps unit asan e2e check demo install uninstall install-test check-configs clean
.SECONDARY:
-include $(shell find $(B) -name '*.d' 2>/dev/null)

# libFuzzer targets, the corpus replay and short fuzz runs (tests/fuzz/README)
include tests/fuzz/fuzz.mk

# ---- usbip-sim: the simulated USB/IP device of the lab tests (tests/sim/) ----
# Several source files, so a rule of its own; `make all` builds it beside the
# single-file tools in $(B)/tools/.
SIM_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard tests/sim/*.c))
all: $(B)/tools/usbip-sim
$(B)/tools/usbip-sim: $(SIM_OBJS) $(B)/libgadgetd.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# make deb ARCH=..., make cross-test: Debian packages, cross builds, ARMv6 (scripts/cross.mk)
include scripts/cross.mk
