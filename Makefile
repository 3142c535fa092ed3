# axle — build with GNU make.
#
#   make                    build/libaxle.a, build/libaxle.so and the tools
#   make test               install Criterion if missing, build, run every test
#   make bench              build and run the benchmarks (medians and ratios)
#   make fuzz               build the libFuzzer harnesses with clang, run each briefly
#   make install            PREFIX=/usr/local DESTDIR= (headers, libraries, axle.pc)
#   make uninstall | clean
#
# Options: CC=clang, DEBUG=1 (-O0 -g), SANITIZE=address,undefined or
# SANITIZE=thread (each variant builds into its own directory under build/),
# CFLAGS=... to replace the optimisation flags (-O2 -g by default).

.SUFFIXES:
MAKEFLAGS += --no-builtin-rules
.DELETE_ON_ERROR:

# ---- version: read from the one place it is defined ----------------------
version_part = $(shell sed -n 's/^\#define AX_VERSION_$(1) \([0-9]*\)$$/\1/p' include/axle/base.h)
VERSION_MAJOR := $(call version_part,MAJOR)
VERSION := $(VERSION_MAJOR).$(call version_part,MINOR).$(call version_part,PATCH)
SONAME := libaxle.so.$(VERSION_MAJOR)

# ---- options ------------------------------------------------------------
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DESTDIR ?=
DEBUG ?= 0
SANITIZE ?=
FUZZ_CC ?= clang
FUZZ_TIME ?= 10

ifeq ($(DEBUG),1)
CFLAGS ?= -O0 -g
else
CFLAGS ?= -O2 -g
endif

comma := ,
VARIANT := $(strip $(if $(filter 1,$(DEBUG)),debug)$(if $(SANITIZE),$(if $(filter 1,$(DEBUG)),-)san-$(subst $(comma),-,$(SANITIZE))))
BUILD := build$(if $(VARIANT),/$(VARIANT))

WARNINGS := -Wall -Wextra -Wpedantic -Wshadow -Werror \
	-Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition \
	-Wpointer-arith -Wundef -Wvla -Wwrite-strings -Wformat=2 \
	-Wimplicit-fallthrough

# _GNU_SOURCE: the library uses Linux interfaces (accept4, eventfd, signalfd)
# where they exist; portable fallbacks sit beside them.
AX_CPPFLAGS := -Iinclude -I. -D_GNU_SOURCE -MMD -MP
AX_CFLAGS := -std=c11 $(WARNINGS) -fvisibility=hidden -fPIC $(CFLAGS)
AX_LDFLAGS := $(LDFLAGS)
ifneq ($(SANITIZE),)
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
AX_CFLAGS += $(SAN_FLAGS)
AX_LDFLAGS += $(SAN_FLAGS)
endif
LIBS := -pthread

# Objects depend on a stamp holding the compiler and flags, so switching CC
# or CFLAGS rebuilds everything instead of mixing objects.
FLAGS_STAMP := $(BUILD)/.flags
$(shell mkdir -p $(BUILD) && echo '$(CC) $(AX_CPPFLAGS) $(AX_CFLAGS) $(AX_LDFLAGS)' | cmp -s - $(FLAGS_STAMP) || echo '$(CC) $(AX_CPPFLAGS) $(AX_CFLAGS) $(AX_LDFLAGS)' > $(FLAGS_STAMP))

# ---- sources ------------------------------------------------------------
MODULES := base bytes runtime net hpack http1 http2 json http
LIB_SRCS := $(wildcard $(addsuffix /*.c,$(MODULES)))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)

TOOLS := $(notdir $(wildcard tools/axle-*))
TOOL_BINS := $(TOOLS:%=$(BUILD)/bin/%)

TEST_SRCS := $(wildcard tests/*/*.c)
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(BUILD)/tests/axle-tests

BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

FUZZ_SRCS := $(wildcard fuzz/*.c)
FUZZ_BINS := $(FUZZ_SRCS:fuzz/%.c=build/fuzz/%)

# ---- library and tools --------------------------------------------------
.PHONY: all
all: $(BUILD)/libaxle.a $(BUILD)/libaxle.so $(TOOL_BINS)

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(AX_CPPFLAGS) $(AX_CFLAGS) -c $< -o $@

$(BUILD)/libaxle.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/libaxle.so: $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,$(SONAME) $(if $(SANITIZE),,-Wl,--no-undefined) $(AX_LDFLAGS) -o $@ $^ $(LIBS)
	@ln -sf libaxle.so $(BUILD)/$(SONAME)

.SECONDEXPANSION:
# (addprefix/basename, not patsubst: a % in the prerequisites would be
# replaced by the stem.)
$(BUILD)/bin/%: $$(addprefix $(BUILD)/obj/,$$(addsuffix .o,$$(basename $$(wildcard tools/$$*/*.c)))) $(BUILD)/libaxle.a
	@mkdir -p $(@D)
	$(CC) $(AX_LDFLAGS) -o $@ $^ $(LIBS)

# ---- tests --------------------------------------------------------------
# Criterion's flags are read when a recipe runs, after need-criterion has had
# the chance to install it.
CRITERION_CFLAGS = $(shell pkg-config --cflags criterion)
CRITERION_LIBS = $(shell pkg-config --libs criterion)
TEST_CFLAGS = -std=c11 $(WARNINGS) $(CFLAGS) $(SAN_FLAGS) $(CRITERION_CFLAGS)

.PHONY: need-criterion
need-criterion:
	@sh mk/need-criterion.sh

$(BUILD)/obj/tests/%.o: tests/%.c $(FLAGS_STAMP) | need-criterion
	@mkdir -p $(@D)
	$(CC) $(AX_CPPFLAGS) -Itests $(TEST_CFLAGS) -c $< -o $@

$(TEST_BIN): $(TEST_OBJS) $(BUILD)/libaxle.a
	@mkdir -p $(@D)
	$(CC) $(AX_LDFLAGS) -o $@ $(TEST_OBJS) $(BUILD)/libaxle.a $(CRITERION_LIBS) $(LIBS)

# The install check links statically, which sanitizer runtimes do not allow.
.PHONY: test
test: all $(TEST_BIN)
	sh mk/check-suites.sh
	sh mk/depguard.sh $(BUILD)/libaxle.a "$(SANITIZE)"
	sh mk/depguard-selftest.sh "$(CC)"
	sh mk/check-exports.sh $(BUILD)/libaxle.so
	+$(if $(SANITIZE),@echo "install check: skipped under SANITIZE",sh mk/check-install.sh "$(CC)")
	@echo "== every suite on the poll backend"
	AXLE_BACKEND=poll $(TEST_BIN)
	@echo "== every suite on the default backend"
	$(TEST_BIN)

# ---- benchmarks ---------------------------------------------------------
# Peer libraries (libuv, nghttp2, llhttp, http-parser, cJSON, jansson) are
# optional comparators for the benchmarks only; the library and the tests
# never see them. mk/bench-peers.sh says, per benchmark, which ones this
# machine has; its answer is kept in a stamp so that installing or removing
# a peer rebuilds that benchmark. `make bench BENCH_PEERS=none` leaves every
# peer out.
export BENCH_PEERS

$(BUILD)/bench/.peers-%: bench-peers-check
	@mkdir -p $(@D)
	@sh mk/bench-peers.sh $* $(BUILD) '$(CC)' > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

.PHONY: bench-peers-check
bench-peers-check:

.PRECIOUS: $(BUILD)/bench/.peers-%
$(BUILD)/bench/%: bench/%.c bench/bench.h $(BUILD)/libaxle.a $(FLAGS_STAMP) $(BUILD)/bench/.peers-%
	@mkdir -p $(@D)
	$(CC) $(AX_CPPFLAGS) -Ibench $$(sed -n 1p $(BUILD)/bench/.peers-$*) $(AX_CFLAGS) $(AX_LDFLAGS) -o $@ $< $(BUILD)/libaxle.a $$(sed -n 2p $(BUILD)/bench/.peers-$*) $(LIBS)

.PHONY: bench
bench: $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "== $$b"; $$b || exit 1; done

# ---- fuzzing ------------------------------------------------------------
# Each harness is linked with the library sources compiled under libFuzzer,
# ASan and UBSan; seeds come from fuzz/corpus/<harness>/ when present.
FUZZ_FLAGS := -std=c11 $(WARNINGS) -O1 -g -Iinclude -I. -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

build/fuzz/%: fuzz/%.c $(LIB_SRCS) $(wildcard include/axle/*.h $(addsuffix /*.h,$(MODULES)))
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) -pthread

.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do \
	  n=$$(basename $$f); mkdir -p build/fuzz/corpus-$$n; \
	  seeds=; [ -d fuzz/corpus/$$n ] && seeds=fuzz/corpus/$$n; \
	  echo "== $$n ($(FUZZ_TIME)s)"; \
	  $$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -artifact_prefix=build/fuzz/$$n- build/fuzz/corpus-$$n $$seeds || exit 1; \
	done

# ---- install ------------------------------------------------------------
.PHONY: install uninstall
install: $(BUILD)/libaxle.a $(BUILD)/libaxle.so
	install -d $(DESTDIR)$(INCLUDEDIR)/axle $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 include/axle.h $(DESTDIR)$(INCLUDEDIR)/axle.h
	install -m 644 include/axle/*.h $(DESTDIR)$(INCLUDEDIR)/axle/
	install -m 644 $(BUILD)/libaxle.a $(DESTDIR)$(LIBDIR)/libaxle.a
	install -m 755 $(BUILD)/libaxle.so $(DESTDIR)$(LIBDIR)/libaxle.so.$(VERSION)
	ln -sf libaxle.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libaxle.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    mk/axle.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/axle.pc

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/axle.h
	rm -rf $(DESTDIR)$(INCLUDEDIR)/axle
	rm -f $(DESTDIR)$(LIBDIR)/libaxle.a $(DESTDIR)$(LIBDIR)/libaxle.so \
	      $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libaxle.so.$(VERSION) \
	      $(DESTDIR)$(LIBDIR)/pkgconfig/axle.pc

# ---- run ----------------------------------------------------------------
.PHONY: run
run: all
	@if [ -x $(BUILD)/bin/axle-serve ]; then exec $(BUILD)/bin/axle-serve; \
	 else echo "axle-serve does not exist yet (see README.md: module status)"; exit 1; fi

.PHONY: clean
clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(patsubst %.c,$(BUILD)/obj/%.d,$(wildcard tools/*/*.c))
