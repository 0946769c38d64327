# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/fuzz.mk - fuzz targets for the code that reads bytes from the
# network or from a file. Included by the Makefile (it uses CORE_SRCS,
# CPPFLAGS and LDLIBS from there).
#
#   make fuzz          libFuzzer binaries (clang, ASan + UBSan) in build/fuzz/:
#                      fuzz_usbip_rx fuzz_relay_rx fuzz_ffs_desc fuzz_gfs_desc
#                      fuzz_profile fuzz_describe
#   make fuzz-run      run each for FUZZ_SECONDS (600) on build/fuzz/scratch/T
#                      (new inputs go there) + tests/fuzz/corpus/T, FUZZ_JOBS at a
#                      time (number of CPUs); per target: executions, exec/s,
#                      coverage, corpus, finding. Non-zero exit on a finding.
#   make fuzz-smoke    the same for FUZZ_SMOKE_SECONDS (30) from a fresh scratch
#                      corpus: part of `make check`
#   make fuzz-replay   every input of tests/fuzz/corpus/T (and configs/*.cfg for
#                      the profile, corpus/ffs_desc for gfs_desc: the same input
#                      layout) through a gcc + ASan/UBSan build of the
#                      harnesses, without libFuzzer: part of `make check`
#   make fuzz-merge    fold the scratch corpora into tests/fuzz/corpus (only
#                      inputs that add coverage), to be committed
#   make fuzz-corpus   rewrite the seed inputs (tests/fuzz/gen_corpus.c)
# FUZZ_TARGETS="usbip_rx profile" narrows any of them. GADGETD_FUZZ_KNOWN=ID,...
# in the environment looks past reported, unfixed findings (tests/fuzz/README).
# A finding: see tests/fuzz/README.

FUZZ_TARGETS ?= usbip_rx relay_rx ffs_desc gfs_desc profile describe
FUZZ_CC ?= clang
FUZZ_REPLAY_CC ?= gcc
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
FUZZ_B := build/fuzz
FUZZ_RB := build/fuzz-replay

FUZZ_WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	     -Wpointer-arith -Wvla -Wno-unused-parameter
# WERROR=1 makes warnings errors in the harnesses, and in libgadgetd only where gcc
# compiles it (the project's own -Werror gate): clang warns about other things.
FUZZ_WERROR := $(if $(filter 1,$(WERROR)),-Werror)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -MMD -MP $(FUZZ_WARN) $(FUZZ_SAN)
FUZZ_ENV := LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1

# --- libFuzzer build: every object instrumented, libgadgetd compiled once ---
FUZZ_LIB_OBJS := $(CORE_SRCS:%.c=$(FUZZ_B)/obj/%.o)
FUZZ_OBJS := $(FUZZ_TARGETS:%=$(FUZZ_B)/obj/tests/fuzz/fuzz_%.o)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)

$(FUZZ_OBJS): FUZZ_CLANG_WERROR := $(FUZZ_WERROR)
$(FUZZ_LIB_OBJS) $(FUZZ_OBJS): $(FUZZ_B)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_CLANG_WERROR) -fsanitize=fuzzer-no-link \
		-c $< -o $@

$(FUZZ_B)/libgadgetd.a: $(FUZZ_LIB_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# clang and its runtimes come only with the fuzzing targets (scripts/deps.sh fuzz)
fuzz-deps:
	$(Q)sh scripts/deps.sh fuzz
$(FUZZ_LIB_OBJS) $(FUZZ_OBJS): | fuzz-deps

$(FUZZ_BINS): $(FUZZ_B)/fuzz_%: $(FUZZ_B)/obj/tests/fuzz/fuzz_%.o $(FUZZ_B)/libgadgetd.a
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

# --- replay build: the same harnesses with a plain main(), gcc ---
FUZZ_R_LIB_OBJS := $(CORE_SRCS:%.c=$(FUZZ_RB)/obj/%.o)
FUZZ_R_OBJS := $(FUZZ_TARGETS:%=$(FUZZ_RB)/obj/tests/fuzz/fuzz_%.o) \
	       $(FUZZ_RB)/obj/tests/fuzz/replay_main.o $(FUZZ_RB)/obj/tests/fuzz/gen_corpus.o
FUZZ_REPLAYS := $(FUZZ_TARGETS:%=$(FUZZ_RB)/replay_%)

$(FUZZ_R_LIB_OBJS) $(FUZZ_R_OBJS): $(FUZZ_RB)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (replay)")
	$(Q)$(FUZZ_REPLAY_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_WERROR) -Wno-format-truncation \
		-c $< -o $@

$(FUZZ_RB)/libgadgetd.a: $(FUZZ_R_LIB_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_REPLAYS): $(FUZZ_RB)/replay_%: $(FUZZ_RB)/obj/tests/fuzz/fuzz_%.o \
		 $(FUZZ_RB)/obj/tests/fuzz/replay_main.o $(FUZZ_RB)/libgadgetd.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(FUZZ_REPLAY_CC) $(FUZZ_SAN) $^ $(LDLIBS) -o $@

$(FUZZ_RB)/gen_corpus: $(FUZZ_RB)/obj/tests/fuzz/gen_corpus.o
	$(Q)$(FUZZ_REPLAY_CC) $(FUZZ_SAN) $^ -o $@

# --- what to run ---
fuzz: $(FUZZ_BINS)

fuzz-run: fuzz
	$(Q)$(FUZZ_ENV) FUZZ_B=$(FUZZ_B) FUZZ_JOBS=$(FUZZ_JOBS) \
		bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_B)/scratch $(FUZZ_TARGETS)

fuzz-smoke: fuzz
	$(Q)rm -rf $(FUZZ_B)/smoke
	$(Q)$(FUZZ_ENV) FUZZ_B=$(FUZZ_B) FUZZ_JOBS=$(FUZZ_JOBS) \
		bash tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_B)/smoke $(FUZZ_TARGETS)

fuzz-replay: $(FUZZ_REPLAYS)
	$(Q)set -e; for t in $(FUZZ_TARGETS); do \
		extra=; [ $$t != profile ] || extra="$(wildcard configs/*.cfg)"; \
		[ $$t != gfs_desc ] || extra=tests/fuzz/corpus/ffs_desc; \
		$(FUZZ_ENV) $(FUZZ_RB)/replay_$$t tests/fuzz/corpus/$$t $$extra; \
	done

fuzz-merge: fuzz
	$(Q)set -e; mkdir -p $(FUZZ_B)/logs; for t in $(FUZZ_TARGETS); do \
		[ -d $(FUZZ_B)/scratch/$$t ] || continue; \
		log=$(FUZZ_B)/logs/merge-$$t.log; \
		$(FUZZ_ENV) $(FUZZ_B)/fuzz_$$t -merge=1 tests/fuzz/corpus/$$t \
			$(FUZZ_B)/scratch/$$t >$$log 2>&1 || { tail -n 20 $$log; exit 1; }; \
		echo "$$t: $$(grep -E '^MERGE-OUTER: [0-9]+ new files' $$log)"; \
	done

fuzz-corpus: $(FUZZ_RB)/gen_corpus
	$(Q)$(FUZZ_RB)/gen_corpus tests/fuzz/corpus
	$(Q)for f in configs/*.cfg; do cp $$f tests/fuzz/corpus/profile/configs-$$(basename $$f); done

.PHONY: fuzz-deps fuzz fuzz-run fuzz-smoke fuzz-replay fuzz-merge fuzz-corpus
-include $(shell find $(FUZZ_B) $(FUZZ_RB) -name '*.d' 2>/dev/null)
