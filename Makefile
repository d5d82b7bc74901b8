# SPDX-License-Identifier: GPL-2.0
#
# execmark: build the test kernel, the helper and the VM, boot it, test it.
# The kernel build itself enters this directory through Kbuild, not this file.
#
#   make run      boot the test kernel into a shell (builds what is missing)
#   make demo     the same, non-interactive: a scripted story
#   make check    host tests, then the VM: KUnit at boot, selftests inside
#   make bench    benchmarks (not tests)
#
# Options: T=name[,name] runs only those VM selftest programs, K=glob only
# those KUnit suites; HOST=0 skips the host tests of `make check`.

TOP := $(CURDIR)
BUILD := $(TOP)/build
CACHE := $(or $(EXECMARK_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/execmark)
KSRC := $(CACHE)/linux-src
KHDR := $(CACHE)/linux-headers
ROOTFS := $(BUILD)/rootfs
TESTDIR := $(ROOTFS)/usr/lib/execmark/selftests
LOGS := $(BUILD)/logs
export EXECMARK_CACHE := $(CACHE)

T ?=
K ?= execmark*
HOST ?= 1

XM_APPEND := kunit.filter_glob=$(K) $(if $(T),execmark.tests=$(T))
XM_INITRD := $(BUILD)/initramfs.cpio
export XM_APPEND XM_INITRD

.PHONY: all kernel helper selftests initramfs run demo check check-host \
	check-vm bench clean

all: kernel initramfs

kernel:
	@scripts/build-kernel.sh >/dev/null

helper:
	@$(MAKE) -s -C helper O=$(BUILD)/helper

# Selftests: kselftest harness from the kernel tree, UAPI headers from
# its headers_install.
ST_CFLAGS := -std=gnu11 -O2 -g -Wall -Werror \
	-I$(KSRC)/tools/testing/selftests -isystem $(KHDR)/include
ST_SRCS := $(wildcard selftests/execmark/*_test.c)
ST_BINS := $(patsubst selftests/execmark/%.c,$(TESTDIR)/%,$(ST_SRCS)) \
	$(TESTDIR)/lsm_list_modules_test

$(TESTDIR)/%: selftests/execmark/%.c $(wildcard selftests/execmark/*.h) \
		$(wildcard xattr/*.h) | kernel
	@mkdir -p $(@D)
	$(CC) $(ST_CFLAGS) -o $@ $< -lpthread -lcrypto

# Programs the selftests run (not tests themselves).
AUX := $(ROOTFS)/usr/lib/execmark/aux
ST_BINS += $(AUX)/hello $(AUX)/dyn-interp $(AUX)/preload.so
$(AUX)/hello: selftests/execmark/aux/hello.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Werror -o $@ $<
# Its ELF interpreter is the copy of ld.so that exec_test makes.
$(AUX)/dyn-interp: selftests/execmark/aux/hello.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Werror -Wl,--dynamic-linker=/tmp/xm/ld.so -o $@ $<
$(AUX)/preload.so: selftests/execmark/aux/preload.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Werror -shared -fPIC -o $@ $<
# forward_test's burst of denials: N PROT_EXEC mmaps of one file.
ST_BINS += $(AUX)/burst
$(AUX)/burst: selftests/execmark/aux/burst.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Werror -o $@ $<

# The kernel's own LSM list test, which scripts/kernel.patch teaches execmark.
$(TESTDIR)/lsm_list_modules_test: | kernel
	@mkdir -p $(@D)
	$(CC) $(ST_CFLAGS) -o $@ $(KSRC)/tools/testing/selftests/lsm/lsm_list_modules_test.c \
		$(KSRC)/tools/testing/selftests/lsm/common.c

# The helper's own tests also run in the VM, as one selftest program.
$(TESTDIR)/helper_test: selftests/execmark/helper_test.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@
ST_BINS += $(TESTDIR)/helper_test

# --- execmark-python (issue 5): the CPython launcher, its tree preparation,
# its VM test and benchmark. Documentation/python.rst.
# Linked with Debian's static libpython3.11.a, non-PIE and exporting its
# symbols for the extension modules, as Debian links /usr/bin/python3.11:
# against libpython3.11.so the interpreter executes about 14% more
# instructions. The binary is also LTO-linked, and the .a lost its LTO
# byte-code: about 7% that no link flag recovers (Documentation/python.rst).
PYCONFIG := /usr/bin/python3.11-config
PY_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror \
	$(shell $(PYCONFIG) --includes)
PY_LIBS := -no-pie -Xlinker -export-dynamic -L$(shell $(PYCONFIG) --configdir) \
	-l:libpython3.11.a -ldl -lm -lz -lexpat
$(ROOTFS)/usr/bin/execmark-python: helper/python/execmark-python.c
	@mkdir -p $(@D)
	$(CC) $(PY_CFLAGS) -o $@ $< $(PY_LIBS)
$(ROOTFS)/usr/sbin/execmark-python-prepare: helper/python/execmark-python-prepare
	install -D -m 0755 $< $@
$(TESTDIR)/python_test: selftests/execmark/python_test.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@
$(ROOTFS)/usr/lib/execmark/bench/python-bench.sh: bench/python-bench.sh
	install -D -m 0755 $< $@
ST_BINS += $(ROOTFS)/usr/bin/execmark-python \
	$(ROOTFS)/usr/sbin/execmark-python-prepare $(TESTDIR)/python_test \
	$(ROOTFS)/usr/lib/execmark/bench/python-bench.sh
# --- end execmark-python ---

selftests: $(ST_BINS)

# Benchmarks run in the VM too (make bench); they are not tests.
BENCHDIR := $(ROOTFS)/usr/lib/execmark/bench
$(BENCHDIR)/execloop $(BENCHDIR)/readloop: $(BENCHDIR)/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Werror -o $@ $<
$(BENCHDIR)/tiny: bench/tiny.c
	$(CC) -O2 -Wall -Werror -static -nostdlib -o $@ $<
# libprog loads 20 shared libraries, each with its own soname and content,
# from $$ORIGIN/libs (the benchmark copies it and libs/ where it wants).
BENCH_LIBS := $(foreach n,$(shell seq 0 19),$(BENCHDIR)/libs/libbench$(n).so)
$(BENCHDIR)/libs/libbench%.so: bench/libbench.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Werror -shared -fPIC -DN=$* -Wl,-soname,libbench$*.so -o $@ $<
$(BENCHDIR)/libprog: bench/libprog.c $(BENCH_LIBS)
	$(CC) -O2 -Wall -Werror -o $@ $< -L$(BENCHDIR)/libs -Wl,--no-as-needed \
		$(foreach n,$(shell seq 0 19),-lbench$(n)) -Wl,-rpath,'$$ORIGIN/libs'
$(BENCHDIR)/vm-bench.sh: bench/vm-bench.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@

initramfs: helper selftests $(BENCHDIR)/execloop $(BENCHDIR)/readloop \
		$(BENCHDIR)/libprog $(BENCHDIR)/tiny $(BENCHDIR)/vm-bench.sh
	@install -C -D -m 0755 $(BUILD)/helper/execmark $(ROOTFS)/usr/sbin/execmark
	@install -C -D -m 0755 -t $(ROOTFS)/usr/lib/execmark/helper \
		$(BUILD)/helper/execmark $(BUILD)/helper/xattr-tool selftests/helper/run.sh
	@scripts/mkinitramfs.sh $(BUILD)/initramfs.cpio $(ROOTFS)

run: all
	@scripts/vm.sh shell

demo: all
	@scripts/vm.sh demo $(LOGS)/demo.log

check-host:
	@mkdir -p $(LOGS)
	@python3 scripts/tap_test.py 2>&1 | tee $(LOGS)/host-tap.log
	@$(MAKE) -s -C helper O=$(BUILD)/helper check 2>&1 | tee $(LOGS)/host.log
	@$(MAKE) -s -C helper O=$(BUILD)/helper-asan SANITIZE=1 check 2>&1 | tee $(LOGS)/host-asan.log

check-vm: all
	@mkdir -p $(LOGS)
	@scripts/vm.sh check $(LOGS)/check.log >/dev/null || true
	@python3 scripts/tap.py $(LOGS)/check.log

check: all
	@mkdir -p $(LOGS)
	@rm -f $(LOGS)/host-tap.log $(LOGS)/host.log $(LOGS)/host-asan.log
	@if [ "$(HOST)" = 1 ]; then $(MAKE) -s check-host || true; fi
	@scripts/vm.sh check $(LOGS)/check.log >/dev/null || true
	@python3 scripts/tap.py $(LOGS)/check.log \
		$(if $(filter 1,$(HOST)),--host $(LOGS)/host-tap.log --host $(LOGS)/host.log \
			--host $(LOGS)/host-asan.log)

# Instruction counting (-icount): guest time is executed instructions, so
# ratios measured in one boot vary by about 0.5% instead of 8%. The second
# boot has the kernel's LSMs without execmark: the baseline of mode off.
LSM_NO_EXECMARK := $(shell sed -n 's/^CONFIG_LSM="\(.*\)"/\1/p' scripts/kernel.config | \
	sed 's/execmark,//; s/,execmark$$//')
bench: all
	@mkdir -p $(LOGS)
	@XM_SMP=1 XM_QEMU_OPTS="-icount shift=0,sleep=off" scripts/vm.sh bench $(LOGS)/bench.log >/dev/null
	@XM_SMP=1 XM_QEMU_OPTS="-icount shift=0,sleep=off" XM_APPEND="lsm=$(LSM_NO_EXECMARK)" \
		scripts/vm.sh bench $(LOGS)/bench-nolsm.log >/dev/null
	@grep -h '^\(execmark bench\|bench:\)' $(LOGS)/bench.log $(LOGS)/bench-nolsm.log >$(LOGS)/bench.txt
	@awk '/first thing in the boot/ { off = $$(NF - 3) } /not in lsm=/ { base = $$(NF - 3) } END { \
		if (off && base) printf "bench: ratio warm exec off/without execmark (two boots): %.4f (goal <= 1.002)\n", off / base }' \
		$(LOGS)/bench.txt >>$(LOGS)/bench.txt
	@cat $(LOGS)/bench.txt

clean:
	rm -rf $(BUILD)
	@if [ -d helper ] && [ -f helper/Makefile ]; then $(MAKE) -s -C helper clean; fi
