# /etc/profile.d/execmark-banner.sh: the banner of "make run", once per
# login on the serial console.
if [ "$(tty 2>/dev/null)" = /dev/ttyS0 ] && [ -r /usr/lib/execmark/banner.txt ]; then
	cat /usr/lib/execmark/banner.txt
	printf '  execmark mode: %s   LSMs: %s\n' \
		"$(cat /sys/kernel/security/execmark/mode 2>/dev/null || echo 'not active')" \
		"$(cat /sys/kernel/security/lsm 2>/dev/null)"
	if command -v systemd-analyze >/dev/null; then
		printf '  %s\n\n' "$(systemd-analyze time 2>/dev/null | head -n 1)"
	fi
fi
