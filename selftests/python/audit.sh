# SPDX-License-Identifier: GPL-2.0
#
# The kernel's denials reached the audit log through the forwarder.
# Sourced by run.sh (lib.sh defines what it uses).

audit_tests() {
	sleep 1
	ausearch -m ANOM_EXEC -i >$W/audit.txt 2>&1
	missing=
	for want in "op=check execmark_mode=enforce reason=unmarked .*path=\"?$W/app/unmarked.py" \
		"op=check execmark_mode=enforce reason=unmarked .*path=\"?$W/app/unm.py" \
		"op=check execmark_mode=enforce reason=mismatch .*path=\"?$W/app/tam.py" \
		"op=check execmark_mode=enforce reason=unmarked .*path=\"?$W/app/__pycache__/good.cpython-311.pyc" \
		"op=check execmark_mode=enforce reason=unmarked .*path=\"?$W/lib/sourceless.pyc" \
		"op=check execmark_mode=enforce reason=unmarked .*path=\"?$SITE/xm-evil.pth" \
		; do
		grep -Eq "$want" $W/audit.txt || missing="$missing [$want]"
	done
	if [ -z "$missing" ]; then
		ok "each check denial is in the audit log (ausearch -m ANOM_EXEC)"
	else
		nok "each check denial is in the audit log (ausearch -m ANOM_EXEC)"
		say "missing:$missing"; say "$(grep -c ANOM_EXEC $W/audit.txt) records"; say "$(tail -n 5 $W/audit.txt)"
	fi
	if grep -Eq "op=mmap execmark_mode=enforce reason=unmarked .*path=\"?$W/unmarked.so" $W/audit.txt; then
		ok "the mmap denial of the unmarked .so is in the audit log"
	else
		nok "the mmap denial of the unmarked .so is in the audit log"; say "$(grep unmarked.so $W/audit.txt)"
	fi
}
