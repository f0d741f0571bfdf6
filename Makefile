# rt: a response-management toolkit of small programs over a git desk.
# One binary per cmd/*.c, all linked against cmd/common/cli.o and lib/librt.a.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
SHAREDIR  ?= $(PREFIX)/share/rt
LIBEXECDIR ?= $(PREFIX)/libexec/rt
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
DESTDIR   ?=

B         ?= build
CC        ?= cc
CFLAGS    ?= -O2 -g
PKGS       = libgit2 yaml-0.1 jansson lmdb
MU_LIBS    = -lmu_mbox -lmu_maildir -lmailutils
override CFLAGS  += -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE \
                    $(shell pkg-config --cflags $(PKGS)) -Ilib \
                    -DRT_SHAREDIR='"$(SHAREDIR)"' -DRT_LIBEXECDIR='"$(LIBEXECDIR)"'
# libgit2 statically (its dependencies shared), so the linker can wrap its
# mbedTLS start-up (entropy, CA bundle): it runs only when TLS is used
# (lib/tls.h). GIT2_STATIC=0, or no libgit2.a, links it shared (started).
GIT2_A    := $(wildcard $(shell pkg-config --variable=libdir libgit2)/libgit2.a)
GIT2_STATIC ?= $(if $(GIT2_A),1,0)
GIT2_WRAP  = $(foreach f,git_mbedtls_stream_global_init git_mbedtls__set_cert_location \
             libssh2_init deflateInit_ inflateInit_,-Wl,--wrap=$(f))
# With it, the libraries whose .a is installed are linked statically too:
# fewer objects for ld.so to open and relocate at every start (24 -> 5
# with GSSAPI opened on demand).
# Not jansson: its archive exports utf8_encode, as lib/text.c does.
# libssh2 and OpenSSL's libcrypto under it too: libcrypto.so alone was 4,191
# of ld.so's 5,230 symbol relocations at each start (only ssh uses them).
STATIC_A  := $(foreach l,mbedtls mbedx509 mbedcrypto http_parser pcre2-8 ssh2 crypto z yaml lmdb,\
             $(if $(wildcard $(dir $(GIT2_A))lib$(l).a),-l$(l)))
ifeq ($(GIT2_STATIC),1)
# GSSAPI (krb5 and five more libraries) opens on first use: lib/gsslazy.c.
GIT2_LIBS  = -Wl,-u,gss_init_sec_context -Wl,-Bstatic -lgit2 $(STATIC_A) -Wl,-Bdynamic \
             $(filter-out -lgit2 $(STATIC_A),$(shell pkg-config --static --libs libgit2))
else
GIT2_LIBS  = $(shell pkg-config --libs libgit2) -lmbedx509 -lmbedcrypto -lz
endif
# zlib's stream starts too, each stream's state reused (lib/zstate.h).
# -u pulls lib/tls.o and lib/zstate.o out of librt.a before libgit2.a asks
# for the wrappers.
override LDFLAGS += -Wl,-u,__wrap_git_mbedtls_stream_global_init -Wl,-u,__wrap_libssh2_init \
                    -Wl,-u,__wrap_deflateInit_
# The mailer (libmu_mailer: gnutls, sasl, ldap...) is a module loaded on the
# first send (lib/mailsend_load.c); the binaries export the rt functions it
# uses, listed from its undefined symbols.
override LDFLAGS += -Wl,--dynamic-list=$(B)/mailer.dyn
MAILER    := $(B)/libexec/rt/rt-mailer.so
# Nettle's SHA-1 (SHA-NI where the CPU has it) for pack checksums: lib/sha1.c.
NETTLE_LIBS := $(if $(wildcard $(shell pkg-config --variable=libdir nettle)/libnettle.a),-l:libnettle.a,-lnettle)
override LDLIBS  += $(GIT2_WRAP) $(GIT2_LIBS) $(shell pkg-config --libs $(filter-out libgit2,$(PKGS))) \
                    $(NETTLE_LIBS) $(MU_LIBS) -lm

LIB_SRC  := $(sort $(wildcard lib/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CMD_SRC  := $(sort $(wildcard cmd/*.c))
BINS     := $(CMD_SRC:cmd/%.c=$(B)/bin/%)
# The command layer every binary shares (usage, exits, id loops): beside
# the commands, not in librt.a, since the library never prints a
# command's name and never exits.
CLI_OBJ  := $(B)/cmd/common/cli.o
$(B)/cmd/%.o: override CFLAGS += -Icmd/common
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCHES  := $(BENCH_SRC:bench/%.c=$(B)/bench/%) $(B)/bench/ref-maildir $(B)/bench/timeit \
            $(B)/bench/fsprobe $(B)/bench/rt-show-shared
MANS     := $(sort $(wildcard man/*.[1-9]))

all: $(BINS) $(UNITS) $(BENCHES) $(MAILER) $(B)/share/man/.made

# The pages laid out as installed, beside $(B)/bin: "rt help COMMAND" in
# the build tree shows this build's page (rt_mandir).
$(B)/share/man/.made: $(MANS)
	@for m in $(MANS); do s=$${m##*.}; mkdir -p $(@D)/man$$s && cp $$m $(@D)/man$$s/ || exit 1; done
	@touch $@

$(MAILER): lib/mailsend.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(MODULE_LDFLAGS) -fPIC -shared -DRT_MAILER_MODULE -Dmail_send=rt_mailer_send \
	    -o $@ lib/mailsend.c -lmu_mailer -lmailutils

$(B)/mailer.dyn: $(MAILER)
	{ echo '{'; nm -D --undefined-only $< | awk '$$2 !~ /@/ { print "\t" $$2 ";" }'; echo '};'; } >$@

$(BINS) $(UNITS) $(BENCH_SRC:bench/%.c=$(B)/bench/%) $(B)/bench/rt-show-shared: | $(B)/mailer.dyn

$(B)/%.o: %.c $(wildcard lib/*.h cmd/common/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# The configured share folder is compiled into desk.o: rebuild it when it
# changes (as git does with GIT-CFLAGS), so "make install PREFIX=..." after
# "make" installs binaries that look in the right place.
$(B)/SHAREDIR: FORCE
	@mkdir -p $(@D)
	@echo '$(SHAREDIR)' | cmp -s - $@ || echo '$(SHAREDIR)' >$@
$(B)/lib/desk.o: $(B)/SHAREDIR

$(B)/librt.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/bin/%: $(B)/cmd/%.o $(CLI_OBJ) $(B)/librt.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/unit/%: $(B)/tests/unit/%.o $(B)/librt.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/bench/%: $(B)/bench/%.o $(B)/librt.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The reference for one durable mail and the timer: plain C, libc only.
$(B)/bench/ref-maildir: bench/ref/maildir.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

$(B)/bench/timeit: bench/ref/timeit.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

$(B)/bench/fsprobe: bench/ref/fsprobe.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

# rt-show with libgit2 shared, the CA bundle parsed at start: the floor's reference.
$(B)/bench/rt-show-shared: $(B)/cmd/rt-show.o $(CLI_OBJ) $(B)/librt.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(GIT2_WRAP) $(shell pkg-config --libs libgit2) \
	    -lmbedx509 -lmbedcrypto -lz $(shell pkg-config --libs $(filter-out libgit2,$(PKGS))) $(NETTLE_LIBS) $(MU_LIBS) -lm

# Tests run the binaries from $(B)/bin with the in-tree share/ folder.
# Each build its own trash folder (build: tests/trash, build-asan:
# tests/trash-asan), so a plain and an ASan run may go at once; files run N
# at once under make -jN (tests/run.sh, or RT_TEST_JOBS=N).
TEST_ENV = RT_BUILD=$(CURDIR)/$(B) RT_SHAREDIR=$(CURDIR)/share \
           RT_TRASH=$(CURDIR)/tests/trash$(subst build,,$(notdir $(B))) \
           PATH=$(CURDIR)/$(B)/bin:$$PATH

check: all
	@$(TEST_ENV) sh tests/run.sh $(T)

# The sanitized binaries link libubsan statically and without PIE: each of
# the suite's thousands of short processes then starts and ends 0.7x as
# long (LeakSanitizer's exit-time scan of libubsan.so's 6 MB of globals,
# ld.so's 80,000 relocations of ASan's global descriptors). libasan stays
# shared: linked statically (0.93x a process), LeakSanitizer's exit check
# of rt-reply after it had sent through the mailer module crashed ("Tracer
# caught signal 11" in ScanRangeForPointers; t5000, t5110). Tests tell the
# ASan build by the runtime's symbols (lib.sh: sanitized_build).
ASAN_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_LDFLAGS = -no-pie -static-libubsan
ASAN_VARS = B=build-asan CFLAGS="$(ASAN_CFLAGS)" LDFLAGS="$(ASAN_LDFLAGS)"
# The sanitized build alone (.ci/run builds it while the plain run goes).
asan:
	@$(MAKE) $(ASAN_VARS) all
check-asan:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	$(MAKE) $(ASAN_VARS) check

check-valgrind: all
	@$(TEST_ENV) RT_VALGRIND=1 sh tests/run.sh $(T)

lint-man:
	@for m in $(MANS); do mandoc -Tlint -W warning $$m || exit 1; done

bench: all
	@$(TEST_ENV) sh bench/run.sh

# Not in CI (about 45 minutes on a shared 2-core machine): a desk of 300k
# tickets (600k tracked files, a million with a work tree), desks grown
# mail by mail up to 100k, and the same figures (plus bench/sync.sh's,
# on its 10k desk: RT_BENCH_SYNC_TICKETS=300000 takes far longer, as it
# clones, copies and removes the whole work tree several times). The
# reads are first measured on the 100k desk, the references of the 300k
# figures in the same run.
bench-big: all
	@echo "bench-big at $$(git rev-parse --short HEAD 2>/dev/null), $$(date -u '+%F %H:%M') UTC, load $$(cut -d' ' -f1-3 /proc/loadavg)"
	@$(TEST_ENV) RT_BENCH_ONLY="cache escalate ls report" sh bench/run.sh
	@$(TEST_ENV) RT_BENCH_BIG=300000 RT_BENCH_GROWN="100 1000 5000 10000 30000 100000" \
	    sh bench/run.sh

demo: deps all
	@$(TEST_ENV) sh share/demo/demo.sh $(DEMO_DESK)

deps:
	@sh .ci/deps.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR) \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -d $(DESTDIR)$(LIBEXECDIR) && install -m 644 $(MAILER) $(DESTDIR)$(LIBEXECDIR)
	for m in $(MANS); do s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
	    install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s; done
	cp -R share/. $(DESTDIR)$(SHAREDIR)/
	install -m 644 completions/rt.bash $(DESTDIR)$(BASHCOMPDIR)/rt
	# bash-completion loads a command's completion by its name: one link each.
	for b in $(BINS); do n=$${b##*/}; [ $$n = rt ] || \
	    ln -sf rt $(DESTDIR)$(BASHCOMPDIR)/$$n; done
	install -m 644 completions/_rt $(DESTDIR)$(ZSHCOMPDIR)/_rt

clean:
	rm -rf build build-asan

# libFuzzer harnesses (fuzz/*.c) over an ASan+UBSan build with clang in
# build/fuzz; fuzz-smoke runs each briefly over the seeds (CI), fuzz/run.sh
# longer: sh fuzz/run.sh -max_total_time=600 event.
FUZZ_B      = build/fuzz
FUZZ_CFLAGS = -O1 -g -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer \
              -fno-sanitize-recover=all
FUZZ_SRC   := $(sort $(wildcard fuzz/*.c))

fuzz:
	@$(MAKE) --no-print-directory B=$(FUZZ_B) CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
	    $(FUZZ_SRC:fuzz/%.c=$(FUZZ_B)/fuzzers/%)

$(B)/fuzzers/%: $(B)/fuzz/%.o $(B)/librt.a | $(B)/mailer.dyn
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The replay unit test includes the harnesses.
$(B)/tests/unit/test_fuzz_replay.o: $(FUZZ_SRC)
# The portable JSON writer's test includes the writer and its test.
$(B)/tests/unit/test_jsonout_portable.o: lib/jsonout.c tests/unit/test_jsonout.c

fuzz-smoke: fuzz
	@FUZZ_BUILD=$(CURDIR)/$(FUZZ_B) sh fuzz/run.sh smoke

.PHONY: FORCE all asan check check-asan check-valgrind lint-man bench bench-big demo deps install clean \
        fuzz fuzz-smoke
.SECONDARY:
