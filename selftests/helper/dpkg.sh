# SPDX-License-Identifier: GPL-2.0
#
# apt-prepare and dpkg-apply (the apt and dpkg hooks) against a fake
# securityfs, with real dpkg on a root of its own (dpkg --root) and, when
# gpg and apt-ftparchive are there, a signed repository apt reads.
# Sourced by run.sh, which defines what it uses (lib.sh). Needs dpkg,
# dpkg-deb, dpkg-query, dpkg-divert, apt-get and python3 (skipped without:
# the VM's initramfs has busybox's dpkg).

# hook FILE... : apt-prepare's input (protocol version 3) for the .debs,
# with Execmark::Trust-Local set to $TRUST_LOCAL.
hook_input() {
	printf 'VERSION 3\nAPT::Architecture=amd64\nExecmark::Trust-Local=%s\n\n' "$TRUST_LOCAL"
	for f; do
		printf 'xm-fixture - - none < 1.0 all none %s\n' "$f"
	done
}
prepare() {	# prepare FILE...: apt-prepare for these .debs, output in out/err
	hook_input "$@" >"$W/hook.in"
	run env DPKG_ROOT="$R" "$E" apt-prepare <"$W/hook.in"
}
# xm_pkg DIR NAME VERSION: a package built with dpkg-deb: /usr/bin/NAME
# (printing NAME-VERSION), a conffile /etc/NAME.conf, a postinst.
xm_pkg() {
	d=$W/build/$2-$3
	mkdir -p "$d/DEBIAN" "$d/usr/bin" "$d/etc"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: t\n' \
		"$2" "$3" >"$d/DEBIAN/control"
	printf '#!/bin/sh\necho %s-%s\n' "$2" "$3" >"$d/usr/bin/$2"
	printf 'setting=%s\n' "$3" >"$d/etc/$2.conf"
	echo "/etc/$2.conf" >"$d/DEBIAN/conffiles"
	printf '#!/bin/sh\nexit 0\n' >"$d/DEBIAN/postinst"
	chmod 755 "$d/usr/bin/$2" "$d/DEBIAN/postinst"
	(cd "$d" && md5sum usr/bin/$2) >"$d/DEBIAN/md5sums"
	dpkg-deb -b --root-owner-group "$d" "$1/$2_$3_all.deb" >/dev/null
}
xdpkg() {	# dpkg on the root $R, with the post-invoke hook
	run dpkg --root="$R" --force-script-chrootless --force-not-root \
		--post-invoke="$E dpkg-apply" "$@"
}
list_has() { grep -q -x -- "$1sha256:$(digest sha256sum "$2")" "$S/digests"; }
marked() { [ "$(mark_of "$1")" = "$(want_mark "$1" sha256)" ]; }

dpkg_tests() {
	# Debian's dpkg (busybox's applets, in the VM's initramfs, are not).
	for tool in dpkg dpkg-deb dpkg-query dpkg-divert apt-get python3; do
		if ! command -v $tool >/dev/null 2>&1; then
			skip "apt and dpkg hooks" "no $tool here"
			return 0
		fi
	done
	if ! dpkg --version 2>/dev/null | grep -q "Debian 'dpkg'"; then
		skip "apt and dpkg hooks" "dpkg is not Debian's dpkg"
		return 0
	fi
	S=$W/dpkg-sfs R=$W/dpkg-root D=$W/debs
	mkdir -p "$S" "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$D"
	: >"$R/var/lib/dpkg/status"
	: >"$S/digests"
	export EXECMARK_SECURITYFS=$S
	# An apt without sources: nothing counts as verified.
	printf 'Dir::Etc::SourceList "%s/none";\nDir::Etc::SourceParts "%s/no-parts";\nDir::State::Lists "%s/lists";\nDebug::NoLocking "1";\n' \
		"$W" "$W" "$W" >"$W/apt.conf"
	mkdir -p "$W/no-parts"
	mkdir -p "$W/lists/partial"
	APT_CONFIG=$W/apt.conf
	export APT_CONFIG
	xm_pkg "$D" xm-fixture 1.0
	xm_pkg "$D" xm-fixture 2.0
	pending=$R/var/lib/execmark/dpkg/pending
	installed=$R/var/lib/execmark/dpkg/installed

	TRUST_LOCAL=false prepare "$D/xm-fixture_1.0_all.deb"
	check "apt-prepare: a .deb no verified Release lists is not trusted" eval '
		rc_is 0 && err_has "no Release apt verified lists this .deb" &&
		[ ! -s "$S/digests" ] && [ -z "$(ls "$pending")" ]'

	TRUST_LOCAL=true prepare "$D/xm-fixture_1.0_all.deb"
	check "apt-prepare with Execmark::Trust-Local: record and digests of files and scripts" eval '
		rc_is 0 && [ "$(ls "$pending" | wc -l)" = 1 ] &&
		list_has + "$W/build/xm-fixture-1.0/usr/bin/xm-fixture" &&
		list_has + "$W/build/xm-fixture-1.0/DEBIAN/postinst" &&
		list_has + "$W/build/xm-fixture-1.0/etc/xm-fixture.conf"'

	: >"$S/digests"
	xdpkg -i "$D/xm-fixture_1.0_all.deb"
	check "dpkg-apply: unpacked files and maintainer scripts marked, digests off the list" eval '
		rc_is 0 && marked "$R/usr/bin/xm-fixture" && marked "$R/etc/xm-fixture.conf" &&
		marked "$R/var/lib/dpkg/info/xm-fixture.postinst" &&
		list_has - "$W/build/xm-fixture-1.0/usr/bin/xm-fixture" &&
		[ -z "$(ls "$pending")" ] && [ -f "$installed/xm-fixture:all" ]'
	DPKG_ROOT=$R run "$E" dpkg-verify
	check "dpkg-verify: all files of the package ok, exit 0" eval '
		rc_is 0 && [ ! -s "$W/out" ] && err_has "1 package checked: 3 files ok"'

	# Upgrade, with the administrator's conffile and a file changed after
	# unpacking (a pre-invoke stands in for the change between them).
	echo "admin=1" >>"$R/etc/xm-fixture.conf"
	TRUST_LOCAL=true prepare "$D/xm-fixture_2.0_all.deb"
	: >"$S/digests"
	run dpkg --root="$R" --force-script-chrootless --force-not-root --force-confold \
		--unpack "$D/xm-fixture_2.0_all.deb"
	printf '#!/bin/sh\necho changed\n' >"$R/usr/bin/xm-fixture"
	DPKG_ROOT=$R DPKG_ADMINDIR=$R/var/lib/dpkg run "$E" dpkg-apply
	check "dpkg-apply: a file changed after unpacking and an admin's conffile are not marked" eval '
		! marked "$R/usr/bin/xm-fixture" && [ "$(mark_of "$R/usr/bin/xm-fixture")" = none ] &&
		! marked "$R/etc/xm-fixture.conf" && grep -q "^admin=1" "$R/etc/xm-fixture.conf" &&
		err_has "xm-fixture 2.0: 1 file marked, 2 not" &&
		grep -q "^Version: 2.0" "$installed/xm-fixture:all"'
	DPKG_ROOT=$R run "$E" dpkg-verify xm-fixture
	check "dpkg-verify names the changed file and conffile, exit 1" eval '
		rc_is 1 && out_has "xm-fixture: /usr/bin/xm-fixture: modified (not the package'"'"'s content)" &&
		out_has "xm-fixture: /etc/xm-fixture.conf: modified (not the package'"'"'s content)" &&
		! grep -q postinst "$W/out"'
	check "dpkg-apply: the digests of the upgrade are off the list" eval '
		list_has - "$W/build/xm-fixture-2.0/usr/bin/xm-fixture" && [ -z "$(ls "$pending")" ]'

	# A record whose package dpkg never unpacked: kept while a frontend
	# transaction runs (DPKG_FRONTEND_LOCKED), dropped after it.
	TRUST_LOCAL=true prepare "$D/xm-fixture_1.0_all.deb"
	: >"$S/digests"
	DPKG_FRONTEND_LOCKED=true DPKG_ROOT=$R run "$E" dpkg-apply
	check "dpkg-apply in a frontend transaction keeps records of packages not unpacked yet" eval '
		rc_is 0 && [ "$(ls "$pending" | wc -l)" = 1 ] && [ ! -s "$S/digests" ]'
	DPKG_ROOT=$R run "$E" dpkg-apply
	check "dpkg-apply after it: the stale record and its digests are gone" eval '
		rc_is 0 && [ -z "$(ls "$pending")" ] && err_has "not unpacked" &&
		list_has - "$W/build/xm-fixture-1.0/usr/bin/xm-fixture"'

	xdpkg --purge xm-fixture
	check "purge: the package's manifest is gone" eval '
		rc_is 0 && [ -z "$(ls "$installed")" ] && [ ! -e "$R/usr/bin/xm-fixture" ]'

	# Diversions: the package's file at the diversion's target is marked.
	run dpkg-divert --root="$R" --package other --divert /usr/bin/xm-fixture.distrib \
		--add /usr/bin/xm-fixture
	TRUST_LOCAL=true prepare "$D/xm-fixture_1.0_all.deb"
	xdpkg -i "$D/xm-fixture_1.0_all.deb"
	check "dpkg-apply follows a diversion to where dpkg put the file" eval '
		rc_is 0 && marked "$R/usr/bin/xm-fixture.distrib" && [ ! -e "$R/usr/bin/xm-fixture" ]'
	xdpkg --purge xm-fixture
	run dpkg-divert --root="$R" --package other --remove /usr/bin/xm-fixture

	# Malformed and hostile archives: a clear error, nothing recorded.
	python3 "$here/mkdebs.py" "$W/bad" >/dev/null 2>&1
	for f in "$W"/bad/*.deb; do
		b=$(basename "$f" .deb)
		case $b in good*) continue ;; esac
		: >"$S/digests"
		TRUST_LOCAL=true prepare "$W/bad/good.deb" "$f"
		check "apt-prepare refuses $b: exit 2, names it, nothing trusted" eval '
			rc_is 2 && err_has "$f: " && err_has "refusing the installation" &&
			[ ! -s "$S/digests" ] && [ -z "$(ls "$pending")" ]'
	done

	# Enrolment of a package installed without the hooks.
	run dpkg --root="$R" --force-script-chrootless --force-not-root -i "$D/xm-fixture_1.0_all.deb"
	echo "changed" >>"$R/etc/xm-fixture.conf"
	DPKG_ROOT=$R run "$E" dpkg-enroll --trust-on-first-use
	check "dpkg-enroll --trust-on-first-use: the files as they are, marked" eval '
		rc_is 0 && marked "$R/usr/bin/xm-fixture" && marked "$R/etc/xm-fixture.conf" &&
		marked "$R/var/lib/dpkg/info/xm-fixture.postinst" &&
		grep -q "^Source: trust-on-first-use" "$installed/xm-fixture:all"'
	rm -f "$installed"/*
	printf '#!/bin/sh\necho changed\n' >"$R/usr/bin/xm-fixture"
	DPKG_ROOT=$R run "$E" dpkg-enroll --md5sums xm-fixture
	check "dpkg-enroll --md5sums: a file whose MD5 is not dpkg's is named and not marked" eval '
		rc_is 1 && ! marked "$R/usr/bin/xm-fixture" &&
		err_has "xm-fixture: /usr/bin/xm-fixture: not the content dpkg'"'"'s md5sums lists" &&
		grep -q "^Source: md5sums" "$installed/xm-fixture:all"'
	rm -f "$installed"/*
	xdpkg --purge xm-fixture

	dpkg_verified_tests
	unset EXECMARK_SECURITYFS APT_CONFIG
}

# A repository signed with a key made here, read by apt-get update: its
# .deb is verified; the same .deb from a [trusted=yes] repository signed by
# an unknown key is not.
dpkg_verified_tests() {
	if ! command -v gpg >/dev/null 2>&1 || ! command -v apt-ftparchive >/dev/null 2>&1; then
		skip "apt-prepare with a signed repository" "no gpg or apt-ftparchive"
		return 0
	fi
	G=$W/gnupg
	mkdir -m 700 "$G"
	for k in good other; do
		mkdir -m 700 "$G/$k"
		GNUPGHOME=$G/$k gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
			--quick-gen-key "execmark test $k <t@example.org>" ed25519 sign never 2>/dev/null
		GNUPGHOME=$G/$k gpg --batch --export >"$W/$k.gpg"	# apt reads it as _apt
	done
	for k in good other; do
		mkdir -p "$W/repo-$k"
		cp "$D/xm-fixture_1.0_all.deb" "$W/repo-$k/"
		(cd "$W/repo-$k" && apt-ftparchive packages . >Packages &&
			apt-ftparchive release . >"$W/Release" && mv "$W/Release" Release &&
			GNUPGHOME=$G/$k gpg --batch --yes --clearsign -o InRelease Release) 2>/dev/null
	done
	printf 'deb [signed-by=%s/good.gpg] file:%s/repo-good ./\ndeb [trusted=yes] file:%s/repo-other ./\n' \
		"$W" "$W" "$W" >"$W/none"
	run apt-get update
	: >"$S/digests"
	TRUST_LOCAL=false prepare "$W/repo-good/xm-fixture_1.0_all.deb"
	check "apt-prepare: a .deb of a Release apt verified is trusted" eval '
		rc_is 0 && grep -q "^Source: verified" "$pending"/* &&
		list_has + "$W/build/xm-fixture-1.0/usr/bin/xm-fixture"'
	rm -f "$pending"/*
	# The same content under another name in the same repository is the
	# same verified content; a different .deb in [trusted=yes] is not.
	xm_pkg "$W/repo-other" xm-fixture 3.0
	(cd "$W/repo-other" && apt-ftparchive packages . >Packages &&
		apt-ftparchive release . >"$W/Release" && mv "$W/Release" Release &&
		GNUPGHOME=$G/other gpg --batch --yes --clearsign -o InRelease Release) 2>/dev/null
	run apt-get update
	: >"$S/digests"
	TRUST_LOCAL=false prepare "$W/repo-other/xm-fixture_3.0_all.deb"
	check "apt-prepare: a .deb of a [trusted=yes] Release signed by an unknown key is not trusted" eval '
		rc_is 0 && err_has "no Release apt verified lists this .deb" &&
		[ ! -s "$S/digests" ] && [ -z "$(ls "$pending")" ]'

	# dpkg-enroll from the .debs apt fetches: the verified one is
	# enrolled, the one of the [trusted=yes] source is not.
	run dpkg --root="$R" --force-script-chrootless --force-not-root -i "$D/xm-fixture_1.0_all.deb"
	DPKG_ROOT=$R run "$E" dpkg-enroll
	check "dpkg-enroll: the installed version's .deb fetched through apt and verified: files marked" eval '
		rc_is 0 && marked "$R/usr/bin/xm-fixture" && marked "$R/var/lib/dpkg/info/xm-fixture.postinst" &&
		grep -q "^Source: verified" "$installed/xm-fixture:all" && err_has "enrolled 1 package ("'
	rm -f "$installed"/*
	run dpkg --root="$R" --force-script-chrootless --force-not-root -i "$W/repo-other/xm-fixture_3.0_all.deb"
	DPKG_ROOT=$R run "$E" dpkg-enroll
	check "dpkg-enroll: a version only a [trusted=yes] source has is not enrolled" eval '
		rc_is 1 && err_has "xm-fixture 3.0: no Release apt verified lists the .deb apt fetched" &&
		[ -z "$(ls "$installed")" ] && [ "$(mark_of "$R/usr/bin/xm-fixture")" = none ]'
}
