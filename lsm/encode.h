/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * execmark: the encoding of untrusted strings in event lines.
 *
 * Self-contained (scnprintf() and the hex_asc_upper_*() helpers), so that
 * fuzz/ compiles this very code for userspace.
 */
#ifndef _SECURITY_EXECMARK_ENCODE_H
#define _SECURITY_EXECMARK_ENCODE_H

#ifdef __KERNEL__
#include <linux/hex.h>
#include <linux/sprintf.h>
#include <linux/types.h>
#endif

/**
 * xm_encode_untrusted - encode a string as audit encodes untrusted strings
 * @buf: output
 * @size: its size; the output is NUL-terminated
 * @s: the string
 * @len: its length
 *
 * In double quotes when it has only printable characters other than '"'
 * and space, otherwise as uppercase hex without quotes. Output that does
 * not fit is cut, but stays well formed: quoted output keeps its closing
 * quote, hex output whole pairs.
 *
 * Return: the length written, without the NUL.
 */
static inline size_t xm_encode_untrusted(char *buf, size_t size,
					 const char *s, size_t len)
{
	size_t i, n = 0;
	bool plain = true;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c < 0x21 || c > 0x7e) {
			plain = false;
			break;
		}
	}
	if (plain) {
		/* Cut to fit, the closing quote kept: "" and a NUL at least. */
		if (size < 3) {
			if (size)
				buf[0] = '\0';
			return 0;
		}
		if (len > size - 3)
			len = size - 3;
		return scnprintf(buf, size, "\"%.*s\"", (int)len, s);
	}
	if (!size)
		return 0;
	for (i = 0; i < len && n + 2 < size; i++) {
		buf[n++] = hex_asc_upper_hi(s[i]);
		buf[n++] = hex_asc_upper_lo(s[i]);
	}
	buf[n] = '\0';
	return n;
}

#endif /* _SECURITY_EXECMARK_ENCODE_H */
