# SPDX-License-Identifier: GPL-2.0
#
# execmark: build the test kernel, the helper and the VM, boot it, test it.
# The kernel build itself enters this directory through Kbuild, not this file.
#
#   make run      boot the test kernel into a shell (builds what is missing)
#   make demo     the same, non-interactive: a scripted story
#   make check    host tests, then the VM: KUnit at boot, selftests inside
#   make bench    benchmarks (not tests)
#   make fuzz     the fuzz harnesses of fuzz/, each to FUZZ_RUNS inputs
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

XM_APPEND := kunit.filter_glob=$(K)
XM_INITRD := $(BUILD)/initramfs.cpio
XM_TESTS := $(T)
XM_KERNEL ?= $(BUILD)/bzImage
export XM_APPEND XM_INITRD XM_TESTS XM_KERNEL

.PHONY: all kernel helper python selftests bench-files initramfs run demo \
	install install-build deb kernel-deb image clean-image deps run-initramfs \
	check check-host check-vm bench fuzz clean

all: kernel initramfs

# What building, booting and testing need, from Debian's packages: only the
# missing ones are installed (scripts/install-deps.sh).
deps:
	@scripts/install-deps.sh

kernel: deps
	@scripts/build-kernel.sh $(BUILD)/bzImage >/dev/null

helper:
	@$(MAKE) -s -C helper O=$(BUILD)/helper

# execmark-python and its tree preparation (helper/python/Makefile).
python:
	@$(MAKE) -s -C helper/python DESTDIR=$(ROOTFS)

# The benchmarks' programs in the image (bench/Makefile); make bench runs them.
bench-files:
	@$(MAKE) -s -C bench DESTDIR=$(ROOTFS)

# Kernel selftests (selftests/execmark/): kselftest harness from the kernel
# tree, UAPI headers from its headers_install.
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

# The kernel's own LSM list test, which scripts/kernel.patch teaches execmark.
$(TESTDIR)/lsm_list_modules_test: | kernel
	@mkdir -p $(@D)
	$(CC) $(ST_CFLAGS) -o $@ $(KSRC)/tools/testing/selftests/lsm/lsm_list_modules_test.c \
		$(KSRC)/tools/testing/selftests/lsm/common.c

# Userspace tests, run in the VM as selftest programs too. The forwarder
# end to end (selftests/forward/): forward_test, its plumbing (auditlib.c)
# and its burst of denials, N PROT_EXEC mmaps of one file.
FWD_SRCS := selftests/forward/forward_test.c selftests/forward/auditlib.c
$(TESTDIR)/forward_test: $(FWD_SRCS) selftests/forward/auditlib.h \
		$(wildcard selftests/execmark/*.h) $(wildcard xattr/*.h) | kernel
	@mkdir -p $(@D)
	$(CC) $(ST_CFLAGS) -Iselftests/execmark -o $@ $(FWD_SRCS) -lpthread -lcrypto
$(AUX)/burst: selftests/forward/burst.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Werror -o $@ $<
ST_BINS += $(TESTDIR)/forward_test $(AUX)/burst

# The helper's tests (selftests/helper/) and execmark-python's
# (selftests/python/): each directory's scripts in /usr/lib/execmark/, and
# a selftest program that runs them.
HELPER_TESTS := $(filter-out %/helper_test.sh %/keypool.sh,$(wildcard selftests/helper/*.sh))
PYTHON_TESTS := $(filter-out %/python_test.sh,$(wildcard selftests/python/*.sh))
$(TESTDIR)/helper_test: selftests/helper/helper_test.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@
$(TESTDIR)/python_test: selftests/python/python_test.sh $(PYTHON_TESTS)
	@mkdir -p $(@D)
	install -m 0755 $< $@
	@install -C -D -m 0755 -t $(ROOTFS)/usr/lib/execmark/python $(PYTHON_TESTS)
ST_BINS += $(TESTDIR)/helper_test $(TESTDIR)/python_test

selftests: $(ST_BINS)

initramfs: helper python selftests bench-files
	@install -C -D -m 0755 $(BUILD)/helper/execmark $(ROOTFS)/usr/sbin/execmark
	@install -C -D -m 0755 -t $(ROOTFS)/usr/lib/execmark/helper \
		$(BUILD)/helper/execmark $(BUILD)/helper/xattr-tool $(HELPER_TESTS)
	@# The test CA of the test kernel (scripts/build-kernel.sh), for the
	@# selftests of signed marks; never in a package or the repository.
	@install -C -D -m 0644 $(CACHE)/keys/test-ca.pem $(ROOTFS)/usr/lib/execmark/keys/test-ca.pem
	@install -C -D -m 0600 $(CACHE)/keys/test-ca.key $(ROOTFS)/usr/lib/execmark/keys/test-ca.key
	@# The helper's test keys, made here once (selftests/helper/keypool.sh).
	@[ -d $(ROOTFS)/usr/lib/execmark/helper/keypool ] || \
		selftests/helper/keypool.sh $(ROOTFS)/usr/lib/execmark/helper/keypool
	@scripts/mkinitramfs.sh $(BUILD)/initramfs.cpio $(ROOTFS)

# The Debian system (scripts/mkimage.sh) on its own disk, kept between runs
# until make clean-image; the busybox initramfs with make run-initramfs.
IMAGE_DIR := $(BUILD)/image
IMAGE := $(IMAGE_DIR)/debian.img
export XM_IMAGE := $(IMAGE)
image: deb
	@scripts/mkimage.sh $(IMAGE) $(DEBDIR)

clean-image:
	rm -rf $(IMAGE_DIR)

run: kernel image
	@if [ -f $(IMAGE_DIR)/run.img ] && [ $(IMAGE) -nt $(IMAGE_DIR)/run.img ]; then \
		echo "[execmark] note: the image was rebuilt since this disk was made; 'make clean-image' starts from the new one"; fi
	@XM_DISK=$(IMAGE_DIR)/run.img XM_DISK_FROM=$(IMAGE) scripts/vm.sh shell

run-initramfs: all
	@scripts/vm.sh shell

demo: all
	@scripts/vm.sh demo $(LOGS)/demo.log

# The host suites, each through scripts/test-cache.sh: built first, then run,
# or the TAP of their last passing run printed again (marked "# cached")
# when the programs and tests they run are byte for byte the same -- a
# change of lsm/ alone changes none of them but the fuzz harnesses that
# compile its code. FRESH=1 runs them all.
CACHED = FRESH=$(FRESH) TEST_CACHE=$(BUILD)/test-cache scripts/test-cache.sh
check-host: deb
	@mkdir -p $(LOGS)
	@python3 scripts/tap_test.py 2>&1 | tee $(LOGS)/host-tap.log
	@$(MAKE) -s -C helper O=$(BUILD)/helper >/dev/null 2>&1 || true
	@$(CACHED) helper $(BUILD)/helper/execmark $(BUILD)/helper/xattr-tool selftests/helper -- \
		$(MAKE) -s -C helper O=$(BUILD)/helper check 2>&1 | tee $(LOGS)/host.log
	@$(MAKE) -s -C helper O=$(BUILD)/helper-asan SANITIZE=1 >/dev/null 2>&1 || true
	@$(CACHED) helper-asan $(BUILD)/helper-asan/execmark $(BUILD)/helper-asan/xattr-tool \
		selftests/helper -- \
		$(MAKE) -s -C helper O=$(BUILD)/helper-asan SANITIZE=1 check 2>&1 | tee $(LOGS)/host-asan.log
	@$(MAKE) -s -C fuzz O=$(BUILD)/fuzz >/dev/null 2>&1 || true
	@$(CACHED) fuzz $$(find $(BUILD)/fuzz -maxdepth 1 -type f -perm -u+x) fuzz/corpus \
		$$(ls fuzz/*.sh fuzz/*.options fuzz/*.dict fuzz/*.runs fuzz/*.seconds 2>/dev/null) -- \
		$(MAKE) -s -C fuzz O=$(BUILD)/fuzz check 2>&1 | tee $(LOGS)/host-fuzz.log
	@$(CACHED) lintian $(wildcard $(DEBDIR)/*.deb) scripts/lintian-tap.sh -- \
		scripts/lintian-tap.sh $(DEBDIR) 2>&1 | tee $(LOGS)/host-lintian.log
	@$(CACHED) image-faults scripts selftests/helper/mkdebs.py $(wildcard $(DEBDIR)/*.deb) -- \
		scripts/image-faults-test.sh $(DEBDIR) 2>&1 | tee $(LOGS)/host-image.log

# The VM's boots (scripts/vm-check.sh): check.log, and one more log for each
# test that runs in a boot of its own; check.logs lists them.
VM_LOGS := $$(cat $(LOGS)/check.logs 2>/dev/null || echo $(LOGS)/check.log)
check-vm: all image
	@mkdir -p $(LOGS)
	@scripts/vm-check.sh $(LOGS) || true
	@python3 scripts/tap.py $(VM_LOGS)

# Two steps, each of two things at once: the kernel and initramfs (all)
# while the packages and the Debian image are built or found up to date
# (image: it does not depend on the kernel, which boots it with -kernel);
# then the host tests while the VM boots run (XM_JOBS at a time, default
# 2, scripts/vm-check.sh). The host tests' output is shown in one block
# when they are done.
check: deps
	@mkdir -p $(LOGS)
	@t0=$$(date +%s); $(MAKE) -s image & img=$$!; rc=0; $(MAKE) -s all || rc=$$?; \
	wait $$img || rc=1; echo "[execmark] building took $$(( $$(date +%s) - t0 ))s" >&2; exit $$rc
	@rm -f $(LOGS)/host-tap.log $(LOGS)/host.log $(LOGS)/host-asan.log \
		$(LOGS)/host-fuzz.log $(LOGS)/host-lintian.log $(LOGS)/host-image.log
	@if [ "$(HOST)" = 1 ]; then \
		{ t0=$$(date +%s); $(MAKE) -s check-host >$(LOGS)/host-out.log 2>&1; cat $(LOGS)/host-out.log; \
		  echo "[execmark] the host tests took $$(( $$(date +%s) - t0 ))s" >&2; } & \
	fi; \
	scripts/vm-check.sh $(LOGS) || true; \
	wait
	@python3 scripts/tap.py $(VM_LOGS) \
		$(if $(filter 1,$(HOST)),--host $(LOGS)/host-tap.log --host $(LOGS)/host.log \
			--host $(LOGS)/host-asan.log --host $(LOGS)/host-fuzz.log \
			--host $(LOGS)/host-lintian.log --host $(LOGS)/host-image.log)

bench: all image
	@$(MAKE) -s -C bench run LOGS=$(LOGS)

# The fuzz harnesses (fuzz/, Documentation/fuzzing.rst): each to FUZZ_RUNS
# inputs (10^7), at most FUZZ_SECONDS each; FUZZ=name,... only these.
fuzz:
	@$(MAKE) -s -C fuzz O=$(BUILD)/fuzz fuzz

# Installation in FHS places (the Debian packages use it too):
#   make install DESTDIR=/stage PREFIX=/usr
# /etc is SYSCONFDIR: /etc for PREFIX=/usr, else PREFIX/etc.
PREFIX ?= /usr/local
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
SBINDIR := $(PREFIX)/sbin
BINDIR := $(PREFIX)/bin
MAN1DIR := $(PREFIX)/share/man/man1
MAN8DIR := $(PREFIX)/share/man/man8
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR := $(PREFIX)/share/doc/execmark
INST_PY := $(BUILD)/install-python

install-build:
	@$(MAKE) -s -C helper O=$(BUILD)/helper
	@$(MAKE) -s -C helper/python DESTDIR=$(INST_PY)

install: install-build
	install -D -m 0755 $(BUILD)/helper/execmark $(DESTDIR)$(SBINDIR)/execmark
	install -D -m 0644 helper/execmark.8 $(DESTDIR)$(MAN8DIR)/execmark.8
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/execmark|$(SBINDIR)/execmark|g' helper/execmark-forward.service \
		>$(DESTDIR)$(UNITDIR)/execmark-forward.service
	sed -e 's|/usr/sbin/execmark|$(SBINDIR)/execmark|g' -e 's|/etc/default|$(SYSCONFDIR)/default|g' \
		dist/execmark-mode.service >$(DESTDIR)$(UNITDIR)/execmark-mode.service
	install -D -m 0644 dist/execmark.default $(DESTDIR)$(SYSCONFDIR)/default/execmark
	install -d $(DESTDIR)$(SYSCONFDIR)/apt/apt.conf.d $(DESTDIR)$(SYSCONFDIR)/dpkg/dpkg.cfg.d
	sed 's|/usr/sbin/execmark|$(SBINDIR)/execmark|g' dist/execmark.apt.conf \
		>$(DESTDIR)$(SYSCONFDIR)/apt/apt.conf.d/05execmark
	sed 's|/usr/sbin/execmark|$(SBINDIR)/execmark|g' dist/execmark.dpkg.cfg \
		>$(DESTDIR)$(SYSCONFDIR)/dpkg/dpkg.cfg.d/execmark
	install -D -m 0755 $(INST_PY)/usr/bin/execmark-python $(DESTDIR)$(BINDIR)/execmark-python
	install -D -m 0755 $(INST_PY)/usr/sbin/execmark-python-prepare \
		$(DESTDIR)$(SBINDIR)/execmark-python-prepare
	install -D -m 0644 helper/python/execmark-python.1 $(DESTDIR)$(MAN1DIR)/execmark-python.1
	install -D -m 0644 helper/python/execmark-python-prepare.8 \
		$(DESTDIR)$(MAN8DIR)/execmark-python-prepare.8
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR) README Documentation/helper.rst \
		Documentation/python.rst Documentation/admin-guide/LSM/execmark.rst

# The test kernel as a Debian package (make bindeb-pkg of the shared test
# build, under its lock) in build/kernel-deb/; no other target needs it.
kernel-deb: deps
	@scripts/kernel-deb.sh $(BUILD)/kernel-deb

# Debian packages (debian/): built from a copy of the tree, so that
# dpkg-buildpackage leaves the checkout clean; the .debs land in DEBDIR.
DEBDIR := $(BUILD)/deb
deb: deps
	@scripts/mkdeb.sh $(DEBDIR)

clean:
	rm -rf $(BUILD)
	@if [ -d helper ] && [ -f helper/Makefile ]; then $(MAKE) -s -C helper clean; fi
