# SPDX-License-Identifier: GPL-2.0-or-later
# Debian packages and cross builds (included at the end of the Makefile).
#   make deb [ARCH=amd64|armel|armhf|arm64]   $(B)/deb/gadgetd_VERSION_ARCH.deb (scripts/deb.sh)
#   make cross-test   the ARM builds under qemu-user, armhf's under an ARMv6 CPU
#                     model (tests/cross/run.sh); part of `make check`
# armhf is the static ARMv6 build from the armel toolchain: Debian's armhf is
# ARMv7/Thumb-2 and dies with SIGILL on a Pi Zero (README "Which package").
#
# Two switches scripts/deb.sh passes to the make of one architecture:
#   NO_LIBSYSTEMD=1   sd_notify without libsystemd (gadgetd/notify.h)
#   STATIC=1          gadgetd linked -static; the unit tests link the same static
#                     libraries, but libc and cmocka shared (Debian has no libcmocka.a)
ARCH ?= $(shell dpkg --print-architecture)

ifeq ($(NO_LIBSYSTEMD),1)
PKGS := libusbgx libconfig
CPPFLAGS += -DGADGETD_NO_LIBSYSTEMD $(shell $(PKG_CONFIG) --cflags $(PKGS))
LDLIBS := $(shell $(PKG_CONFIG) --libs $(PKGS)) -laio
endif
ifeq ($(STATIC),1)
STATIC_LIBS := $(shell $(PKG_CONFIG) --static --libs $(PKGS)) -laio
$(B)/gadgetd: LDLIBS := -static $(STATIC_LIBS)
$(UNIT): LDLIBS := -Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic
endif

deb:
	$(Q)sh scripts/deps.sh $(if $(filter $(ARCH),$(shell dpkg --print-architecture)),,cross)
	$(Q)B=$(B) VERSION=$(VERSION) bash scripts/deb.sh $(ARCH)

cross-test:
	$(Q)sh scripts/deps.sh cross
	$(Q)$(MAKE) --no-print-directory all
	$(Q)B=$(B) VERSION=$(VERSION) bash tests/cross/run.sh

.PHONY: deb cross-test

clean: clean-cross
clean-cross:
	rm -rf build-amd64 build-armel build-armhf build-arm64
.PHONY: clean-cross
