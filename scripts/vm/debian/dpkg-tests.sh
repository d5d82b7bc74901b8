# SPDX-License-Identifier: GPL-2.0
# The apt and dpkg hooks in the Debian VM, in enforce mode (issue 15):
# sourced by system-tests.sh in a boot of their own, which defines t, fail and
# $work. A local repository on the VM's disk (file: URI) whose Release is
# signed by a key made here (apt Signed-By), an unsigned one apt is told to
# trust ([trusted=yes]), local .debs; packages built here with dpkg-deb,
# each file with content no other file has (a nonce), so that only the
# hooks can make it trusted.

XM_REPO=/srv/xm-repo
XM_UNSIGNED=/srv/xm-unsigned
XM_DEBS=$work/debs
XM_LOG=/var/lib/xm-test/log
XM_FIX=/usr/lib/execmark/dpkg-fixture
XM_LIST=/sys/kernel/security/execmark/digests

# xm_build NAME VERSION [SCRIPTS]: a package in $XM_DEBS/NAME-VERSION/
# with /usr/bin/NAME-script (prints "NAME-script VERSION"); SCRIPTS "all"
# adds preinst, prerm, postrm that log to $XM_LOG and a postinst that logs
# and runs the package's new program (which loads its new library).
xm_build() {
	d=$XM_DEBS/src/$1-$2
	rm -rf "$d"
	mkdir -p "$d/DEBIAN" "$d/usr/bin"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: execmark tests <t@example.org>\nDescription: execmark test package\n' \
		"$1" "$2" >"$d/DEBIAN/control"
	printf '#!/bin/sh\necho %s-script %s\n# nonce %s\n' "$1" "$2" "$(cat /proc/sys/kernel/random/uuid)" \
		>"$d/usr/bin/$1-script"
	chmod 755 "$d/usr/bin/$1-script"
	if [ "${3:-}" = all ]; then
		mkdir -p "$d/usr/lib/xm-app"
		# The fixture's program and library, each made new content.
		cp "$XM_FIX/xm-prog" "$d/usr/bin/$1"
		cp "$XM_FIX/libxmfix.so.1" "$d/usr/lib/xm-app/libxmfix.so.1"
		for f in "$d/usr/bin/$1" "$d/usr/lib/xm-app/libxmfix.so.1"; do
			printf 'nonce %s\n' "$(cat /proc/sys/kernel/random/uuid)" >>"$f"
		done
		for s in preinst prerm postrm; do
			printf '#!/bin/sh\nset -e\nmkdir -p /var/lib/xm-test\necho "%s-%s $*" >>%s\n' \
				"$s" "$2" "$XM_LOG" >"$d/DEBIAN/$s"
		done
		printf '#!/bin/sh\nset -e\necho "postinst-%s $*" >>%s\n/usr/bin/%s >/var/lib/xm-test/postinst-%s.out\n' \
			"$2" "$XM_LOG" "$1" "$2" >"$d/DEBIAN/postinst"
		chmod 755 "$d/DEBIAN/preinst" "$d/DEBIAN/postinst" "$d/DEBIAN/prerm" "$d/DEBIAN/postrm"
	fi
	dpkg-deb -b --root-owner-group "$d" "$XM_DEBS/${1}_${2}_all.deb" >/dev/null
}

# The repository's Packages and Release, signed by the test key.
xm_repo_index() {
	(cd "$1" && apt-ftparchive packages . >Packages &&
		apt-ftparchive release . >"$work/Release" && mv "$work/Release" Release &&
		if [ -n "${2:-}" ]; then
			GNUPGHOME=$work/gnupg gpg --batch --yes --clearsign -o InRelease Release
		fi) >/dev/null 2>&1
}

# die MESSAGE: the test fails here (t runs each test in a subshell).
die() { echo "$*"; exit 1; }
refused() {	# refused PROGRAM: it does not run (enforce mode)
	if out=$("$@" 2>&1); then
		die "$1 ran: $out"
	fi
	return 0
}
list_empty() {	# the kernel's digest list holds nothing
	[ -r "$XM_LIST" ] || die "no $XM_LIST"
	l=$(cat "$XM_LIST") || return 1
	[ -z "$l" ] || die "the list holds: $(echo "$l" | head -n 5)"
}
no_pending() {
	p=$(ls /var/lib/execmark/dpkg/pending 2>/dev/null)
	[ -z "$p" ] || die "pending records left: $p"
}
xapt() { DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0 "$@"; }

dpkg_setup() {
	mkdir -p "$XM_DEBS" "$XM_REPO" "$XM_UNSIGNED" /etc/apt/keyrings
	# Only the test repositories: the VM has no network.
	[ ! -e /etc/apt/sources.list ] || mv /etc/apt/sources.list /etc/apt/sources.list.xm-saved
	mkdir -m 700 -p "$work/gnupg"
	# gpg's output not into t's pipe, which the gpg-agent it starts would keep.
	GNUPGHOME=$work/gnupg gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
		--quick-gen-key 'execmark test repository <t@example.org>' ed25519 sign never \
		>"$work/gpg.log" 2>&1 || die "gpg --quick-gen-key failed: $(cat "$work/gpg.log")"
	GNUPGHOME=$work/gnupg gpg --batch --export >/etc/apt/keyrings/xm-test.gpg 2>>"$work/gpg.log"
	[ -s /etc/apt/keyrings/xm-test.gpg ] || die "no key exported"
	xm_build xm-app 1 all
	xm_build xm-app 2 all
	xm_build xm-py 1
	mkdir -p "$XM_DEBS/src/xm-py-1/usr/lib/python3/dist-packages/xmpymod"
	printf 'VALUE = "xm-py-ok %s"\n' "$(cat /proc/sys/kernel/random/uuid)" \
		>"$XM_DEBS/src/xm-py-1/usr/lib/python3/dist-packages/xmpymod/__init__.py"
	dpkg-deb -b --root-owner-group "$XM_DEBS/src/xm-py-1" "$XM_DEBS/xm-py_1_all.deb" >/dev/null
	xm_build xm-killer 1
	printf '#!/bin/sh\nif [ -e /run/xm-kill ]; then rm -f /run/xm-kill; kill -KILL $PPID; sleep 5; fi\n' \
		>"$XM_DEBS/src/xm-killer-1/DEBIAN/preinst"
	chmod 755 "$XM_DEBS/src/xm-killer-1/DEBIAN/preinst"
	dpkg-deb -b --root-owner-group "$XM_DEBS/src/xm-killer-1" "$XM_DEBS/xm-killer_1_all.deb" >/dev/null
	xm_build xm-unsigned 1
	xm_build xm-local 1
	xm_build xm-local2 1
	xm_build xm-local3 1
	cp "$XM_DEBS"/xm-app_*.deb "$XM_DEBS"/xm-py_1_all.deb "$XM_DEBS"/xm-killer_1_all.deb "$XM_REPO/"
	cp "$XM_DEBS"/xm-unsigned_1_all.deb "$XM_UNSIGNED/"
	xm_repo_index "$XM_REPO" signed
	xm_repo_index "$XM_UNSIGNED"
	GNUPGHOME=$work/gnupg gpgconf --kill gpg-agent >/dev/null 2>&1
	[ -s "$XM_REPO/InRelease" ] || die "the repository's Release is not signed"
	cat >/etc/apt/sources.list.d/xm-test.list <<EOF
deb [signed-by=/etc/apt/keyrings/xm-test.gpg] file:$XM_REPO ./
deb [trusted=yes] file:$XM_UNSIGNED ./
EOF
	out=$(xapt update 2>&1) || die "apt-get update failed: $out"
	ls /var/lib/apt/lists/ | grep -q '_srv_xm-repo_._InRelease$' || die "apt kept no InRelease: $out"
}

apt_install_postinst_runs_new_binary_and_library() {
	out=$(xapt install xm-app=1 2>&1) || die "apt-get install xm-app=1 failed: $(echo "$out" | tail -n 15)"
	[ "$(cat /var/lib/xm-test/postinst-1.out 2>&1)" = "xm-prog libxmfix" ] ||
		die "the postinst's run of xm-app: $(cat /var/lib/xm-test/postinst-1.out 2>&1)"
	[ "$(/usr/bin/xm-app)" = "xm-prog libxmfix" ] || die "xm-app does not run afterwards"
	execmark verify /usr/bin/xm-app /usr/lib/xm-app/libxmfix.so.1 \
		/var/lib/dpkg/info/xm-app.postinst || die "not marked"
	list_empty && no_pending
}
apt_upgrade_runs_new_binary_and_scripts_of_both_versions() {
	: >"$XM_LOG"
	out=$(xapt install xm-app 2>&1) || die "apt-get upgrade of xm-app failed: $(echo "$out" | tail -n 15)"
	for l in "prerm-1 upgrade 2" "preinst-2 upgrade 1 2" "postrm-1 upgrade 2" "postinst-2 configure 1"; do
		grep -qx "$l" "$XM_LOG" || die "no '$l' in the log: $(cat "$XM_LOG")"
	done
	[ "$(cat /var/lib/xm-test/postinst-2.out)" = "xm-prog libxmfix" ] || die "postinst-2 output"
	[ "$(/usr/bin/xm-app-script)" = "xm-app-script 2" ] || die "the new script does not run"
	[ "$(/usr/bin/xm-app)" = "xm-prog libxmfix" ] || die "xm-app does not run"
	list_empty && no_pending
}
python_modules_of_a_package_import() {
	out=$(xapt install xm-py 2>&1) || die "apt-get install xm-py failed: $(echo "$out" | tail -n 15)"
	printf 'import xmpymod\nprint(xmpymod.VALUE.split()[0])\n' >"$work/imp.py"
	chmod 755 "$work/imp.py"
	execmark mark "$work/imp.py" >/dev/null 2>&1
	out=$(execmark-python "$work/imp.py" 2>&1)
	[ "$out" = xm-py-ok ] || die "execmark-python: $out"
}
dpkg_i_of_a_local_deb_is_refused() {
	out=$(dpkg -i "$XM_DEBS/xm-local_1_all.deb" 2>&1) || die "dpkg -i failed: $out"
	refused /usr/bin/xm-local-script
	list_empty && no_pending
}
apt_install_of_a_local_deb_is_refused() {
	out=$(xapt install "$XM_DEBS/xm-local3_1_all.deb" 2>&1) ||
		die "apt-get install ./xm-local3 failed: $(echo "$out" | tail -n 15)"
	echo "$out" | grep -q "no Release apt verified lists this .deb" || die "no notice: $out"
	refused /usr/bin/xm-local3-script
	list_empty && no_pending
}
trusted_yes_repository_is_refused() {
	out=$(xapt install xm-unsigned 2>&1) || die "apt-get install xm-unsigned failed: $(echo "$out" | tail -n 15)"
	echo "$out" | grep -q "no Release apt verified lists this .deb" || die "no notice: $out"
	refused /usr/bin/xm-unsigned-script
	list_empty
}
trust_local_option_trusts_a_local_deb() {
	out=$(xapt install -o Execmark::Trust-Local=true "$XM_DEBS/xm-local2_1_all.deb" 2>&1) ||
		die "apt-get install ./xm-local2 failed: $(echo "$out" | tail -n 15)"
	[ "$(/usr/bin/xm-local2-script)" = "xm-local2-script 1" ] || die "xm-local2-script refused"
	list_empty
}
admin_edited_script_refused_and_named_by_verify() {
	echo 'echo edited' >>/usr/bin/xm-app-script
	refused /usr/bin/xm-app-script
	out=$(execmark dpkg-verify xm-app 2>&1)
	[ $? = 1 ] || die "dpkg-verify: status not 1: $out"
	echo "$out" | grep -q "^xm-app: /usr/bin/xm-app-script: modified" || die "not named: $out"
}
dpkg_killed_during_unpack_leaves_nothing_stale() {
	touch /run/xm-kill
	if out=$(xapt install xm-killer 2>&1); then
		die "apt-get install xm-killer succeeded: dpkg was not killed"
	fi
	out=$(dpkg --configure -a 2>&1) || die "dpkg --configure -a failed: $out"
	list_empty && no_pending || return 1
	[ "$(/usr/bin/xm-app)" = "xm-prog libxmfix" ] || die "xm-app does not run after it"
	if [ -e /usr/bin/xm-killer-script ]; then refused /usr/bin/xm-killer-script; fi
	dpkg --remove xm-killer >/dev/null 2>&1
	list_empty
}
remove_and_purge_leave_nothing_on_the_list() {
	out=$(xapt remove xm-app 2>&1) || die "apt-get remove failed: $out"
	[ ! -e /usr/bin/xm-app ] || die "xm-app is still there"
	grep -qx "prerm-2 remove" "$XM_LOG" || die "prerm-2 did not run"
	out=$(xapt purge xm-app xm-py 2>&1) || die "apt-get purge failed: $out"
	grep -qx "postrm-2 purge" "$XM_LOG" || die "postrm-2 purge did not run"
	[ ! -e /var/lib/execmark/dpkg/installed/xm-app:all ] || die "the manifest is left"
	list_empty && no_pending
}
malformed_archives_abort_apt_before_dpkg() {
	python3 /usr/lib/execmark/mkdebs.py "$work/bad" --no-huge || die "mkdebs.py failed"
	for b in path-traversal duplicate-name wrong-compression hardlink-to-nothing truncated; do
		if out=$(xapt install "$work/bad/$b.deb" 2>&1); then
			die "$b: apt-get install succeeded"
		fi
		case $b in
		truncated) ;;	# apt refuses it itself
		*) echo "$out" | grep -q "refusing the installation" || die "$b: not ours: $out" ;;
		esac
		! dpkg -s xm-fixture >/dev/null 2>&1 || die "$b: dpkg installed it"
		[ ! -e /etc/execmark-evil ] || die "$b: /etc/execmark-evil exists"
		list_empty && no_pending || return 1
	done
}

# execmark verify agrees with the kernel about a file the list trusts:
# "listed" while its digest is listed (and it runs), "unmarked" after
# (and it is refused).
verify_says_listed_while_the_kernel_runs_it() {
	f=$work/listed-prog
	printf '#!/bin/sh\necho listed-prog\n# nonce %s\n' "$(cat /proc/sys/kernel/random/uuid)" >"$f"
	chmod 755 "$f"
	refused "$f"
	execmark digests add -q "$f" || die "digests add failed"
	out=$(execmark verify "$f" 2>&1) || die "verify of a listed file: status $?: $out"
	[ "$(echo "$out" | head -n 1)" = "listed $f" ] || die "verify says: $out"
	[ "$("$f")" = listed-prog ] || die "the listed file does not run"
	execmark digests remove -q "$f" || die "digests remove failed"
	out=$(execmark verify "$f" 2>/dev/null)
	[ $? = 1 ] && [ "$out" = "unmarked $f" ] || die "after remove, verify says: $out"
	refused "$f"
	list_empty
}

dpkg_tests() {
	# A kernel without the digest list: the hooks cannot work; say so.
	if [ ! -e "$XM_LIST" ]; then
		n=$((n + 1))
		echo "    ok $n apt_and_dpkg_hooks # SKIP the kernel has no $XM_LIST" >>"$results"
		return 0
	fi
	t apt_hooks_setup_signed_local_repository dpkg_setup
	t verify_says_listed_while_the_kernel_runs_it verify_says_listed_while_the_kernel_runs_it
	t apt_install_postinst_runs_new_binary_and_library apt_install_postinst_runs_new_binary_and_library
	t apt_upgrade_runs_new_binary_and_scripts_of_both_versions apt_upgrade_runs_new_binary_and_scripts_of_both_versions
	t python_modules_of_a_package_import_in_enforce python_modules_of_a_package_import
	t dpkg_i_of_a_local_deb_is_refused dpkg_i_of_a_local_deb_is_refused
	t apt_install_of_a_local_deb_is_refused apt_install_of_a_local_deb_is_refused
	t trusted_yes_repository_is_refused trusted_yes_repository_is_refused
	t trust_local_option_trusts_a_local_deb trust_local_option_trusts_a_local_deb
	t admin_edited_script_refused_and_named_by_verify admin_edited_script_refused_and_named_by_verify
	t dpkg_sigkill_during_unpack_then_configure_a_leaves_nothing_stale dpkg_killed_during_unpack_leaves_nothing_stale
	t remove_and_purge_leave_no_digest_nor_manifest remove_and_purge_leave_nothing_on_the_list
	t malformed_archives_abort_apt_before_dpkg_nothing_trusted malformed_archives_abort_apt_before_dpkg
	# The image's own sources back, for the tests after these.
	rm -f /etc/apt/sources.list.d/xm-test.list
	[ ! -e /etc/apt/sources.list.xm-saved ] ||
		mv /etc/apt/sources.list.xm-saved /etc/apt/sources.list
}
