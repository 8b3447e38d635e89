# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# pairpath: build the BPF datapath, its skeleton and the loader.

OUTPUT := .output
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VERSION := 0.1.0

# Debian 12 packages the build, the tests and the demo need.
DEB_PKGS := clang llvm libclang-rt-14-dev libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config \
	    libnl-3-dev libnl-route-3-dev libmicrohttpd-dev libcjson-dev \
	    iproute2 iputils-ping valgrind python3 tcpdump curl \
	    prometheus python3-prometheus-client iperf3 gnuplot-nox

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

INCLUDES := -Iinclude -Ivmlinux -I$(OUTPUT)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -MMD -MP $(INCLUDES)

LIBS := -lbpf -lelf -lz -lnl-route-3 -lnl-3 -lcjson -lmicrohttpd
NL_CFLAGS := -I/usr/include/libnl3
COMMON_CFLAGS := -g -Wall -Wextra -Werror -Wno-format-truncation -std=gnu11 -MMD -MP $(INCLUDES) \
		 $(NL_CFLAGS) -DPAIRPATH_VERSION='"$(VERSION)"'
RELEASE_CFLAGS := $(COMMON_CFLAGS) -O2 -D_FORTIFY_SOURCE=2 \
		  -fstack-protector-strong -fPIE
RELEASE_LDFLAGS := -pie -Wl,-z,relro,-z,now
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer
ASAN_CFLAGS := $(COMMON_CFLAGS) -O1 $(SAN_FLAGS)

SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(wildcard bpf/*.bpf.c))
USER_SRCS := $(wildcard user/*.c)
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
ASAN_OBJS := $(patsubst user/%.c,$(OUTPUT)/asan/%.o,$(USER_SRCS))
LIB_OBJS := $(filter-out %/main.o,$(USER_OBJS))

TEST_BPF_SRCS := $(wildcard tests/bpf/*.bpf.c)
TEST_BPF_OBJS := $(patsubst tests/bpf/%.bpf.c,$(OUTPUT)/tests/%.bpf.o,$(TEST_BPF_SRCS))

# Defined before any rule names them: make expands prerequisites as it reads.
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(wildcard tests/fuzz/*.c))
BENCH_SKELS := $(patsubst bench/%.bpf.c,$(OUTPUT)/bench/%.skel.h,$(wildcard bench/*.bpf.c))
BENCH_TOOLS := $(patsubst bench/%.c,$(OUTPUT)/bench/%,$(filter-out %.bpf.c,$(wildcard bench/*.c)))

DEPS_STAMP := $(OUTPUT)/.deps-$(shell echo $(DEB_PKGS) | md5sum | cut -c1-8)

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps test demo clean vmlinux help asan fuzz

all: $(OUTPUT)/pairpath

help:
	@echo 'make           build .output/pairpath (installs missing Debian packages)'
	@echo 'make test      build everything and run the test suite'
	@echo 'make demo      run pairpath on a demo of two containers'
	@echo 'make vmlinux   regenerate vmlinux/vmlinux.h from the running kernel'
	@echo 'make clean     remove .output'
	@echo 'V=1            show the commands'

# A fresh Debian 12 machine has none of the packages: install what is missing.
deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	$(Q)mkdir -p $(OUTPUT)
	$(Q)missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  APT      $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi
	$(Q)touch $@

vmlinux:
	$(call msg,GEN,vmlinux/vmlinux.h)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/asan $(OUTPUT)/tests:
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(DEPS_STAMP) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $@.d -MT $@ -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUTPUT)/tests/%.bpf.o: tests/bpf/%.bpf.c $(DEPS_STAMP) | $(OUTPUT)/tests
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# Every user object waits for the skeleton; -MMD records the rest.
$(OUTPUT)/user/%.o: user/%.c $(SKELS) | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(RELEASE_CFLAGS) -c $< -o $@

$(OUTPUT)/asan/%.o: user/%.c $(SKELS) | $(OUTPUT)/asan
	$(call msg,CC-ASAN,$@)
	$(Q)$(CC) $(ASAN_CFLAGS) -c $< -o $@

$(OUTPUT)/pairpath: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(RELEASE_LDFLAGS) $^ $(LIBS) -o $@

$(OUTPUT)/asan/pairpath: $(ASAN_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SAN_FLAGS) $^ $(LIBS) -o $@

asan: $(OUTPUT)/asan/pairpath

$(OUTPUT)/tests/prog_test: tests/prog_test.c user/ports.c $(OUTPUT)/pairpath.skel.h | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ASAN_CFLAGS) -Iuser $(filter %.c,$^) $(LIBS) $(SAN_FLAGS) -o $@

TEST_DEPS := $(OUTPUT)/pairpath $(OUTPUT)/asan/pairpath $(FUZZ_BINS) $(BENCH_TOOLS) \
	     $(OUTPUT)/tests/prog_test $(TEST_BPF_OBJS)

test: $(TEST_DEPS)
	$(Q)bash tests/run.sh

demo: $(OUTPUT)/pairpath
	$(Q)bash tests/demo.sh

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT)

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/*.o.d $(OUTPUT)/user/*.d $(OUTPUT)/asan/*.d \
	  $(OUTPUT)/tests/*.d)

# --- Benchmark (bench/): bench/run.sh drives it; results in bench/results/.
.PHONY: bench bench-quick bench-tools

$(OUTPUT)/bench:
	$(Q)mkdir -p $@

$(OUTPUT)/bench/%.bpf.o: bench/%.bpf.c $(DEPS_STAMP) | $(OUTPUT)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $@.d -MT $@ -c $< -o $@

$(OUTPUT)/bench/%.skel.h: $(OUTPUT)/bench/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

$(BENCH_TOOLS): $(OUTPUT)/bench/%: bench/%.c $(BENCH_SKELS) $(SKELS) | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(COMMON_CFLAGS) -O2 -I$(OUTPUT)/bench $< $(if $(filter progcost,$*),user/ports.c -Iuser) \
		-lbpf -lelf -lz -o $@

bench-tools: $(OUTPUT)/pairpath $(BENCH_TOOLS)

bench: bench-tools
	$(Q)bash bench/run.sh

bench-quick: bench-tools
	$(Q)bash bench/run.sh --quick

-include $(wildcard $(OUTPUT)/bench/*.d)

# libFuzzer targets: the parsers that take outside input (clang only).
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Iuser

$(OUTPUT)/fuzz:
	$(Q)mkdir -p $@

$(OUTPUT)/fuzz/fuzz_cli $(OUTPUT)/fuzz/fuzz_values $(OUTPUT)/fuzz/fuzz_batch: user/cli.c
$(OUTPUT)/fuzz/fuzz_route: user/route.c
$(OUTPUT)/fuzz/%: tests/fuzz/%.c $(DEPS_STAMP) | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(filter %.c,$^) -o $@

fuzz: $(FUZZ_BINS)
