# smsdesk: one non-recursive Makefile (see README.md).
#
#   make            build build/smsdesk
#   make test       install missing packages, build, run every test, then the
#                   unit tests again under ASan+UBSan (build/asan)
#   make fault      SQLite fault injection through db/ (tests/fault/)
#   make run        the demo: smsdesk serve on the embedded default
#   make asan       the ASan+UBSan build in build/asan
#   make tsan       the ThreadSanitizer build in build/tsan
#   make clean
#
# Libraries come from pkg-config only; each module gets only its own
# library's flags, so a forbidden #include fails to build (see check-deps).

BUILD   ?= build
SAN     ?= 0
WERROR  ?= 1
CC      ?= cc
# Where an install puts data files: the holidays file is looked for in
# $(SHAREDIR)/holidays.txt (README "Working days").
PREFIX  ?= /usr/local
SHAREDIR ?= $(PREFIX)/share/smsdesk

PKG_DB    = sqlite3
PKG_CORE  = icu-i18n icu-uc libsodium
PKG_SMSC  = libsmpp34 libcurl
PKG_WEB   = libmicrohttpd
PKG_MAIN  = inih
PKG_TEST  = cmocka
PKGS      = $(PKG_DB) $(PKG_CORE) $(PKG_SMSC) $(PKG_WEB) $(PKG_MAIN)

# Library headers are system headers: their warnings are not ours.
pc_cflags = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(1) 2>/dev/null))
pc_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

WARN = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 \
       -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition -Wvla \
       -Wpointer-arith -Wcast-qual -Wwrite-strings -Wundef \
       -Wimplicit-fallthrough -Wnull-dereference -fno-common \
       -Wno-format-truncation
# -Wno-format-truncation: error texts are written with snprintf into
# SD_ERRLEN buffers and are meant to be cut short, never to overflow.
ifeq ($(WERROR),1)
WARN += -Werror
endif

ifeq ($(SAN),1)
OPT = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
      -fno-omit-frame-pointer
SANLD = -fsanitize=address,undefined
else ifeq ($(SAN),thread)
# ThreadSanitizer build (make tsan, build/tsan): gcc; the threads are the
# gw loop, the store thread and libmicrohttpd's (design A2).
OPT = -O1 -g -fsanitize=thread -fno-omit-frame-pointer
SANLD = -fsanitize=thread
else ifeq ($(SAN),fuzz)
# libFuzzer build (make fuzz): clang, coverage on every object.
CC = clang
WARN += -Wno-unknown-warning-option
OPT = -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
      -fno-sanitize-recover=all -fno-omit-frame-pointer
SANLD = -fsanitize=address,undefined
else
OPT = -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong
SANLD =
endif

CPPFLAGS_BASE = -I. -D_GNU_SOURCE -MMD -MP
CFLAGS_BASE   = $(WARN) $(OPT) -pthread

BASE_SRC = $(wildcard core/base/*.c)
DB_SRC   = $(wildcard db/*.c)
CORE_SRC = $(wildcard core/*.c)
SMSC_SRC = $(wildcard smsc/*.c)
WEB_SRC  = $(wildcard web-min/*.c)
MAIN_SRC = smsdesk.c $(wildcard smsdesk_*.c)

LIB_SRC = $(BASE_SRC) $(DB_SRC) $(CORE_SRC) $(SMSC_SRC) $(WEB_SRC)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ = $(MAIN_SRC:%.c=$(BUILD)/%.o)
LIB = $(BUILD)/libsmsdesk.a
BIN = $(BUILD)/smsdesk
SIM_SRC = $(wildcard tests/sim/*.c)
SIM_OBJ = $(SIM_SRC:%.c=$(BUILD)/%.o)
SIM = $(if $(SIM_SRC),$(BUILD)/smsdesk-smsc-sim)
PEER = $(BUILD)/esme-peer
HTTP_PEER = $(BUILD)/http-peer
WEB_REQ = $(BUILD)/web-req-test
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES = $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_REPLAY = $(FUZZ_NAMES:%=$(BUILD)/fuzz-replay/%)
FUZZ_BIN = $(FUZZ_NAMES:%=$(BUILD)/fuzzer/%)
FUZZ_SECONDS ?= 60

LDLIBS = $(call pc_libs,$(PKGS)) -lpthread -lm

# Per-module library flags.
$(BUILD)/db/%.o:      MODFLAGS = $(call pc_cflags,$(PKG_DB))
$(BUILD)/core/%.o:    MODFLAGS = $(call pc_cflags,$(PKG_CORE))
$(BUILD)/core/base/%.o: MODFLAGS =
$(BUILD)/smsc/%.o:    MODFLAGS = $(call pc_cflags,$(PKG_SMSC))
$(BUILD)/web-min/%.o: MODFLAGS = $(call pc_cflags,$(PKG_WEB))
# inih only where the configuration file is read (check-deps).
$(BUILD)/smsdesk_conf.o: MODFLAGS = $(call pc_cflags,$(PKG_MAIN)) \
    -DSMSDESK_SHAREDIR='"$(SHAREDIR)"'
$(BUILD)/tests/%.o:   MODFLAGS = $(call pc_cflags,$(PKGS) $(PKG_TEST))

TEST_SUPPORT_SRC = $(wildcard tests/support/*.c)
TEST_SUPPORT_OBJ = $(TEST_SUPPORT_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/*/test_*.c)
UNIT_BIN = $(UNIT_SRC:%.c=$(BUILD)/%)
FAULT_SRC = $(wildcard tests/fault/test_*.c)
# HTTP tests of the web view (libcurl clients run by tests/integ/test_web_*.sh).
WEB_TEST_SRC = $(wildcard tests/web/test_*.c)
WEB_TEST_BIN = $(WEB_TEST_SRC:%.c=$(BUILD)/%)
FAULT_BIN = $(FAULT_SRC:%.c=$(BUILD)/%)

.PHONY: all test test-all run asan clean deps check-deps unit unit-bin integ \
	fault tsan tsan-bin integ-tsan \
	fuzz fuzz-bin fuzz-replay \
	check-headers fmt check-fmt check bench bench-web bench-staff \
	hijri-check

all: $(BIN) $(SIM)

# V=1 shows the full command lines.
ifeq ($(V),1)
Q =
say = @true
else
Q = @
say = @echo
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(say) "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS_BASE) $(MODFLAGS) $(CFLAGS_BASE) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(say) "  AR      $@"
	$(Q)ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB)
	$(say) "  LD      $@"
	$(Q)$(CC) $(CFLAGS_BASE) $(SANLD) -o $@ $(MAIN_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/smsdesk-smsc-sim: $(SIM_OBJ) $(LIB)
	$(say) "  LD      $@"
	$(Q)$(CC) $(CFLAGS_BASE) $(SANLD) -o $@ $(SIM_OBJ) $(LIB) $(LDLIBS)

$(PEER): $(BUILD)/tests/integ/esme_peer.o $(LIB)
	$(say) "  LD      $@"
	$(Q)$(CC) $(CFLAGS_BASE) $(SANLD) -o $@ $< $(LIB) $(LDLIBS)

# How well the lunar-month rule of the holiday suggestion fits a list of
# official month starts (issue #11): make hijri-check MONTHS=FILE.
HIJRI = $(BUILD)/hijri-months
$(HIJRI): $(BUILD)/tests/bench/hijri_months.o $(LIB)
	$(say) "  LD      $@"
	$(Q)$(CC) $(CFLAGS_BASE) $(SANLD) -o $@ $< $(LIB) $(LDLIBS)

$(HTTP_PEER): $(BUILD)/tests/integ/http_peer.o $(LIB)
	$(say) "  LD      $@"
	$(Q)$(CC) $(CFLAGS_BASE) $(SANLD) -o $@ $< $(LIB) $(LDLIBS)

# The request pages over HTTP (tests/integ/test_web_requests.sh).
$(WEB_REQ): $(BUILD)/tests/integ/web_req.o $(LIB)
	$(say) "  LD      $@"
	$(Q)$(CC) $(CFLAGS_BASE) $(SANLD) -o $@ $< $(LIB) $(LDLIBS)

# Fuzz targets, twice: replayed from a plain main() (make test), and as
# libFuzzer binaries (make fuzz, build/fuzz).
$(BUILD)/fuzz-replay/%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(LIB)
	@mkdir -p $(@D)
	$(say) "  LD      $@"
	$(Q)$(CC) $(CFLAGS_BASE) $(SANLD) -o $@ $^ $(LDLIBS)

$(BUILD)/fuzzer/%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIB)
	@mkdir -p $(@D)
	$(say) "  LD      $@"
	$(Q)$(CC) $(CFLAGS_BASE) -fsanitize=fuzzer,address,undefined -o $@ $^ \
	    $(LDLIBS)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(TEST_SUPPORT_OBJ) $(LIB)
	$(say) "  LD      $@"
	$(Q)$(CC) $(CFLAGS_BASE) $(SANLD) -o $@ $< $(TEST_SUPPORT_OBJ) $(LIB) \
	    $(LDLIBS) $(call pc_libs,$(PKG_TEST))

# SQLite fault injection through the public db/ API (tests/fault/).
$(BUILD)/tests/fault/%: $(BUILD)/tests/fault/%.o $(TEST_SUPPORT_OBJ) $(LIB)
	$(say) "  LD      $@"
	$(Q)$(CC) $(CFLAGS_BASE) $(SANLD) -o $@ $< $(TEST_SUPPORT_OBJ) $(LIB) \
	    $(LDLIBS) $(call pc_libs,$(PKG_TEST))

$(BUILD)/tests/web/%: $(BUILD)/tests/web/%.o $(BUILD)/tests/web/webc.o $(LIB)
	$(say) "  LD      $@"
	$(Q)$(CC) $(CFLAGS_BASE) $(SANLD) -o $@ $^ $(LDLIBS)

deps:
	@sh tests/support/deps.sh

check-deps:
	@sh tests/support/check_deps.sh

check-headers:
	@sh tests/support/check_headers.sh "$(CC)" \
	    "$(call pc_cflags,$(PKGS) $(PKG_TEST))"

fmt:
	clang-format -i $(LIB_SRC) $(MAIN_SRC) $(wildcard *.h */*.h */*/*.h)

check-fmt:
	@clang-format --dry-run --Werror $(LIB_SRC) $(MAIN_SRC) \
	    $(wildcard *.h */*.h */*/*.h)

check: check-deps check-headers check-fmt

unit-bin: $(UNIT_BIN) $(FAULT_BIN) $(PEER) $(HTTP_PEER) $(FUZZ_REPLAY) \
    $(WEB_TEST_BIN) $(WEB_REQ)

fuzz-replay: $(FUZZ_REPLAY)
	@sh tests/support/run_fuzz.sh replay "fuzz-replay$(if $(filter 1,$(SAN)),-asan)" $(BUILD)/fuzz-replay $(FUZZ_NAMES)

# make fuzz: each target for FUZZ_SECONDS (60) with leak detection, from a
# working copy of its corpus in build/fuzz/corpus/; crashes land in
# build/fuzz/artifacts/. make test runs it for 10 s a target.
fuzz:
	@sh tests/support/deps.sh
	@$(MAKE) --no-print-directory BUILD=build/fuzz SAN=fuzz fuzz-bin
	@sh tests/support/run_fuzz.sh libfuzzer fuzz build/fuzz/fuzzer \
	    $(FUZZ_NAMES) -- $(FUZZ_SECONDS)

fuzz-bin: $(FUZZ_BIN)

unit: $(UNIT_BIN)
	@sh tests/support/run.sh "unit$(if $(filter 1,$(SAN)),-asan)" $(UNIT_BIN)

# Under ASan (several times slower) a turning sample of the allocation
# faults, every I/O fault (tests/fault/test_store.c).
fault: $(FAULT_BIN)
	@$(if $(filter 1,$(SAN)),FAULT_MALLOC_EVERY=4) sh tests/support/run.sh \
	    "fault$(if $(filter 1,$(SAN)),-asan)" $(FAULT_BIN)

integ: $(BIN) $(SIM) $(PEER) $(HTTP_PEER) $(WEB_TEST_BIN) $(WEB_REQ)
	@BIN=$(BIN) SIM=$(SIM) PEER=$(PEER) HTTP_PEER=$(HTTP_PEER) \
	    WEB_REQ=$(WEB_REQ) \
	    sh tests/support/run.sh \
	    "integ$(if $(filter 1,$(SAN)),-asan)" $(wildcard tests/integ/test_*.sh)

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all unit-bin

# make tsan: every binary with ThreadSanitizer (build/tsan). make test runs
# the pipeline (at a tenth of its counts, without the latency case) and
# CLI tests on it; a test fails on any TSan report (tests/support/tsan.sh).
tsan:
	@$(MAKE) --no-print-directory BUILD=build/tsan SAN=thread all tsan-bin

tsan-bin: $(PEER) $(HTTP_PEER)

TSAN_INTEG = tests/integ/test_pipeline.sh tests/integ/test_cli.sh
integ-tsan: $(BIN) $(SIM) $(PEER) $(HTTP_PEER)
	@BIN=$(BIN) SIM=$(SIM) PEER=$(PEER) HTTP_PEER=$(HTTP_PEER) \
	    PIPELINE_SCALE=0.1 \
	    PIPELINE_CASES="crash-mt crash-mo crash-parts link-faults" \
	    RUN_WRAP="sh tests/support/tsan.sh" \
	    sh tests/support/run.sh integ-tsan $(TSAN_INTEG)

# make test: deps first (in a separate step, so pkg-config sees what it
# installed); then every binary of both builds (a build error stops here);
# then every suite, each recorded even when one fails; the last line is
# "N passed, N failed" and decides the exit status.
RESULTS_FILE = $(CURDIR)/build/results.txt
test:
	@sh tests/support/deps.sh
	@$(MAKE) --no-print-directory test-all

test-all: check-deps check-headers check-fmt
	@$(MAKE) --no-print-directory all unit-bin
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all unit-bin
	@$(MAKE) --no-print-directory BUILD=build/tsan SAN=thread all tsan-bin
	@mkdir -p build && rm -f $(RESULTS_FILE)
	-@RESULTS=$(RESULTS_FILE) $(MAKE) --no-print-directory unit
	-@RESULTS=$(RESULTS_FILE) $(MAKE) --no-print-directory fault
	-@RESULTS=$(RESULTS_FILE) $(MAKE) --no-print-directory fuzz-replay
	-@RESULTS=$(RESULTS_FILE) $(MAKE) --no-print-directory integ
	-@RESULTS=$(RESULTS_FILE) $(MAKE) --no-print-directory \
	    BUILD=build/asan SAN=1 unit fault fuzz-replay integ
	-@RESULTS=$(RESULTS_FILE) $(MAKE) --no-print-directory \
	    BUILD=build/tsan SAN=thread integ-tsan
	-@RESULTS=$(RESULTS_FILE) FUZZ_SECONDS=10 $(MAKE) --no-print-directory fuzz
	@sh tests/support/summary.sh $(RESULTS_FILE)

run:
	@sh tests/support/deps.sh
	@$(MAKE) --no-print-directory all
	@BIN=$(BIN) SIM=$(BUILD)/smsdesk-smsc-sim sh tools/demo.sh

# make bench: smsdesk against Kannel and the simulator's headroom (issue
# #4; tests/bench/run.sh), then the web view beside nginx (issue #13),
# then the staff inbox with 100,000 requests (issue #14).
# make bench-web: the web part alone (tests/bench/bench_web.sh).
# make bench-staff: the inbox part alone (tests/bench/bench_staff.sh;
# WRK_SECONDS, 30 by default).
bench:
	@sh tests/support/deps.sh bench
	@$(MAKE) --no-print-directory all $(PEER)
	@BUILD=$(BUILD) sh tests/bench/run.sh
	@BUILD=$(BUILD) sh tests/bench/bench_staff.sh

hijri-check: $(HIJRI)
	@if [ -z "$(MONTHS)" ]; then \
	    echo "usage: make hijri-check MONTHS=FILE (lines: AH/M YYYY-MM-DD;" \
	        "README \"Holidays\")" >&2; exit 2; fi
	@$(HIJRI) "$(MONTHS)"

bench-staff:
	@sh tests/support/deps.sh bench
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) sh tests/bench/bench_staff.sh

bench-web:
	@sh tests/support/deps.sh bench
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) sh tests/bench/bench_web.sh

clean:
	rm -rf build

# Keep objects of chained rules (tests) so a second make is a no-op.
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
