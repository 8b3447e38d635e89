# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# pairpath: build the BPF datapath, its skeletons, the library of user/
# and the binaries on top of it. A plain `make` only builds; `make deps`
# installs what the build needs, and `make demo`, `make test` and
# `make bench` install what they need themselves.

OUTPUT := .output
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VERSION := 0.1.0

# Debian 12 packages: what the build needs, and what each run adds.
BUILD_PKGS := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config \
	      libnl-3-dev libnl-route-3-dev libmicrohttpd-dev libcjson-dev
DEMO_PKGS := iproute2 iputils-ping python3
TEST_PKGS := $(DEMO_PKGS) libclang-rt-14-dev valgrind strace curl prometheus \
	     python3-prometheus-client iperf3 nftables iptables podman containerd runc busybox-static containernetworking-plugins
BENCH_PKGS := $(DEMO_PKGS) iperf3 gnuplot-nox linux-perf iptables

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif
SUBMAKE := $(MAKE) --no-print-directory

INCLUDES := -Iuser -Iinclude -Ivmlinux -I$(OUTPUT)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -MMD -MP $(INCLUDES)

LIBS := -lbpf -lelf -lz -lnl-route-3 -lnl-3 -lcjson -lmicrohttpd
NL_CFLAGS := -I/usr/include/libnl3
COMMON_CFLAGS := -g -Wall -Wextra -Werror -Wno-format-truncation -std=gnu11 -MMD -MP \
		 $(INCLUDES) $(NL_CFLAGS) -DPAIRPATH_VERSION='"$(VERSION)"'
RELEASE_CFLAGS := $(COMMON_CFLAGS) -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
RELEASE_LDFLAGS := -pie -Wl,-z,relro,-z,now
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The test build: sanitizers, and the test hooks (lib/testhook.h).
TEST_CFLAGS := $(COMMON_CFLAGS) -O1 $(SAN_FLAGS) -DPAIRPATH_TEST_HOOKS

SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(wildcard bpf/*.bpf.c))

# user/ in layers (README, "Layout"): every folder but cmd/ and cni/ is the
# library that the binaries on top share; cmd/ holds pairpath's commands
# and main(), cni/ the CNI plugin's.
USER_SRCS := $(wildcard user/*/*.c)
CMD_SRCS := $(filter user/cmd/%,$(USER_SRCS))
CNI_SRCS := $(filter user/cni/%,$(USER_SRCS))
LIB_SRCS := $(filter-out user/cmd/% user/cni/%,$(USER_SRCS))
obj = $(patsubst user/%.c,$(OUTPUT)/$(1)/%.o,$(2))

TEST_BPF_OBJS := $(patsubst tests/bpf/%.bpf.c,$(OUTPUT)/test/%.bpf.o,$(wildcard tests/bpf/*.bpf.c))
TEST_TOOLS := $(patsubst tests/tools/%.c,$(OUTPUT)/test/%,$(wildcard tests/tools/*.c))

# Defined before any rule names them: make expands prerequisites as it reads.
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(wildcard tests/fuzz/*.c))
BENCH_SKELS := $(patsubst bench/%.bpf.c,$(OUTPUT)/bench/%.skel.h,$(wildcard bench/*.bpf.c))
BENCH_TOOLS := $(patsubst bench/%.c,$(OUTPUT)/bench/%,$(filter-out %.bpf.c,$(wildcard bench/*.c)))

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: install all deps deps-demo deps-test deps-bench test test-build demo clean vmlinux help \
	fuzz bench bench-quick bench-tools

all: $(OUTPUT)/pairpath $(OUTPUT)/pairpath-cni

# make install [PREFIX=/usr/local] [DESTDIR=] [CNI_BIN_DIR=]: the plugin goes
# where the node's runtimes look, /usr/lib/cni on Debian.
PREFIX ?= /usr/local
CNI_BIN_DIR ?= $(shell test -f /etc/debian_version && echo /usr/lib/cni || echo /opt/cni/bin)
install: $(OUTPUT)/pairpath $(OUTPUT)/pairpath-cni
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX) $(DESTDIR)$(CNI_BIN_DIR))
	$(Q)install -D -m 0755 $(OUTPUT)/pairpath $(DESTDIR)$(PREFIX)/sbin/pairpath
	$(Q)install -D -m 0755 $(OUTPUT)/pairpath-cni $(DESTDIR)$(CNI_BIN_DIR)/pairpath-cni
	$(Q)install -D -m 0644 docs/pairpath.8 $(DESTDIR)$(PREFIX)/share/man/man8/pairpath.8

help:
	@echo 'make           build .output/pairpath and .output/pairpath-cni (see make deps)'
	@echo 'make install   pairpath to PREFIX/sbin, pairpath-cni to CNI_BIN_DIR, the man page'
	@echo 'make deps      install the Debian packages the build needs'
	@echo 'make demo      install what it needs, build, run pairpath on two demo containers'
	@echo 'make test      install what it needs, build everything, run the test suite'
	@echo 'make bench     install what it needs, build, run the benchmark (about 16 min)'
	@echo 'make vmlinux   regenerate vmlinux/vmlinux.h from the running kernel'
	@echo 'make clean     remove .output'
	@echo 'V=1            show the commands'

# $(call apt_install,PACKAGES): install those of PACKAGES that are missing.
define apt_install
	$(Q)missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  APT      "$$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi
endef

deps:
	$(call apt_install,$(BUILD_PKGS))
deps-demo: deps
	$(call apt_install,$(DEMO_PKGS))
deps-test: deps
	$(call apt_install,$(TEST_PKGS))
deps-bench: deps
	$(call apt_install,$(BENCH_PKGS))

vmlinux:
	$(call msg,GEN,vmlinux/vmlinux.h)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

$(OUTPUT):
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $@.d -MT $@ -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# Every user object waits for the skeletons; -MMD records the rest.
$(OUTPUT)/release/%.o: user/%.c $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(RELEASE_CFLAGS) -c $< -o $@

$(OUTPUT)/test/%.o: user/%.c $(SKELS)
	$(call msg,CC-TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(TEST_CFLAGS) -c $< -o $@

$(OUTPUT)/release/libpairpath.a: $(call obj,release,$(LIB_SRCS))
$(OUTPUT)/test/libpairpath.a: $(call obj,test,$(LIB_SRCS))
$(OUTPUT)/release/libpairpath.a $(OUTPUT)/test/libpairpath.a:
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/pairpath: $(call obj,release,$(CMD_SRCS)) $(OUTPUT)/release/libpairpath.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(RELEASE_LDFLAGS) $^ $(LIBS) -o $@

$(OUTPUT)/test/pairpath: $(call obj,test,$(CMD_SRCS)) $(OUTPUT)/test/libpairpath.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SAN_FLAGS) $^ $(LIBS) -o $@

# The CNI plugin: another top on the same library, never an exec of pairpath.
$(OUTPUT)/pairpath-cni: $(call obj,release,$(CNI_SRCS)) $(OUTPUT)/release/libpairpath.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(RELEASE_LDFLAGS) $^ $(LIBS) -lpthread -o $@

$(OUTPUT)/test/pairpath-cni: $(call obj,test,$(CNI_SRCS)) $(OUTPUT)/test/libpairpath.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SAN_FLAGS) $^ $(LIBS) -lpthread -o $@

# --- Tests: the test build, BPF unit tests, test tools, fuzzers.
$(OUTPUT)/test/%.bpf.o: tests/bpf/%.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $@.d -MT $@ -c $< -o $@

# BPF unit tests, one binary per program.
UNIT_TESTS := $(OUTPUT)/test/prog_test $(OUTPUT)/test/routed_test
$(UNIT_TESTS): $(OUTPUT)/test/%: tests/%.c $(OUTPUT)/test/libpairpath.a $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -MF $@.d -MT $@ $(filter-out %.h,$^) $(LIBS) -o $@

# Small C tools on libbpf for what the shell tests cannot ask otherwise.
$(TEST_TOOLS): $(OUTPUT)/test/%: tests/tools/%.c $(OUTPUT)/test/libpairpath.a $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(TEST_CFLAGS) -MF $@.d -MT $@ $(filter-out %.h,$^) $(LIBS) -o $@

# libFuzzer targets: the parsers that take outside input (clang only).
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined $(INCLUDES) -MMD -MP

$(OUTPUT)/fuzz/fuzz_cli: user/cmd/cli.c user/cmd/values.c
$(OUTPUT)/fuzz/fuzz_values: user/cmd/values.c
$(OUTPUT)/fuzz/fuzz_batch: user/cmd/batch.c user/cmd/values.c user/lib/log.c
$(OUTPUT)/fuzz/fuzz_route: user/observe/route.c
CNI_PARSE_SRCS := user/cni/conf.c user/cni/env.c user/cni/result.c user/cni/version.c
$(OUTPUT)/fuzz/fuzz_cni_conf $(OUTPUT)/fuzz/fuzz_cni_env $(OUTPUT)/fuzz/fuzz_cni_result: $(CNI_PARSE_SRCS)
$(OUTPUT)/fuzz/%: tests/fuzz/%.c
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(NL_CFLAGS) -MF $@.d -MT $@ $(filter %.c,$^) -lbpf -lcjson -o $@

fuzz: $(FUZZ_BINS)

TEST_BUILD := $(OUTPUT)/pairpath $(OUTPUT)/test/pairpath $(OUTPUT)/pairpath-cni \
	      $(OUTPUT)/test/pairpath-cni $(UNIT_TESTS) \
	      $(TEST_TOOLS) $(TEST_BPF_OBJS) $(FUZZ_BINS) $(BENCH_TOOLS)
test-build: $(TEST_BUILD)

test:
	$(Q)$(SUBMAKE) deps-test
	$(Q)$(SUBMAKE) test-build
	$(Q)bash tests/run.sh

demo:
	$(Q)$(SUBMAKE) deps-demo
	$(Q)$(SUBMAKE) $(OUTPUT)/pairpath
	$(Q)bash tests/demo.sh

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT)

# --- Benchmark (bench/): bench/run.sh drives it; results in bench/results/.
$(OUTPUT)/bench/%.bpf.o: bench/%.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $@.d -MT $@ -c $< -o $@

$(OUTPUT)/bench/%.skel.h: $(OUTPUT)/bench/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# progcost runs the datapath program against the port table of state/;
# scrape times the exporter's snapshot and text on the library.
$(OUTPUT)/bench/progcost: $(OUTPUT)/release/libpairpath.a
$(OUTPUT)/bench/scrape: $(OUTPUT)/release/libpairpath.a
$(BENCH_TOOLS): $(OUTPUT)/bench/%: bench/%.c $(BENCH_SKELS) $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(COMMON_CFLAGS) -O2 -I$(OUTPUT)/bench -MF $@.d -MT $@ \
		$(filter %.c %.a,$^) $(LIBS) -o $@

bench-tools: $(OUTPUT)/pairpath $(BENCH_TOOLS)

bench:
	$(Q)$(SUBMAKE) deps-bench
	$(Q)$(SUBMAKE) bench-tools
	$(Q)bash bench/run.sh

bench-quick:
	$(Q)$(SUBMAKE) deps-bench
	$(Q)$(SUBMAKE) bench-tools
	$(Q)bash bench/run.sh --quick

-include $(shell find $(OUTPUT) -name '*.d' 2>/dev/null)
