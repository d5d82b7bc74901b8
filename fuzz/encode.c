// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz harness "encode": the kernel's encoding of untrusted strings in
 * event lines, xm_encode_untrusted() of lsm/encode.h, compiled for
 * userspace (kcompat/).
 *
 * Input: two bytes of buffer size (0..1023), then the string, any bytes.
 * The buffer is allocated to exactly that size.
 *
 * Properties: nothing is written outside the buffer; the output is
 * NUL-terminated and as long as the return value; it is quoted exactly
 * when audit would quote it (every byte in 0x21..0x7e and not '"', as
 * audit_string_contains_control()), otherwise uppercase hex of even
 * length; a quoted string never holds a space, quote or control
 * character; when the buffer has room, the output decodes (as ausearch -i
 * decodes it) to the string itself; when it has not, to a prefix of it.
 */
#include "kcompat.h"
#include "encode.h"

#include "fuzz.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 2;
	size_t bufsize, len, n, need, i;
	bool plain = true;
	char *buf, *dec;

	if (size < 2)
		return 0;
	bufsize = (data[0] | data[1] << 8) & 1023;
	len = size - 2;
	for (i = 0; i < len; i++)
		if (data[2 + i] == '"' || data[2 + i] < 0x21 || data[2 + i] > 0x7e)
			plain = false;
	need = plain ? len + 3 : 2 * len + 1;

	buf = malloc(bufsize ? bufsize : 1);
	fuzz_assert(buf, "malloc");
	n = xm_encode_untrusted(buf, bufsize, s, len);
	if (!bufsize) {
		fuzz_assert(n == 0, "wrote %zu bytes into no buffer", n);
		free(buf);
		return 0;
	}
	fuzz_assert(n < bufsize && buf[n] == '\0' && strlen(buf) == n,
		    "returned %zu for a buffer of %zu", n, bufsize);
	dec = malloc(n + 1);
	fuzz_assert(dec, "malloc");
	if (plain) {
		fuzz_assert(n == 0 || buf[0] == '"', "a plain string not quoted");
		if (bufsize >= need)
			fuzz_assert(n == len + 2 && buf[n - 1] == '"' &&
				    !memcmp(buf + 1, s, len), "quoted string altered");
		else	/* cut: still quoted, a prefix; empty if not even "" fits */
			fuzz_assert(bufsize < 3 ? n == 0 :
				    n == bufsize - 1 && buf[n - 1] == '"' &&
				    !memcmp(buf + 1, s, n - 2),
				    "cut quoted string is not a quoted prefix: %s", buf);
	} else {
		fuzz_assert(n % 2 == 0, "hex of odd length %zu", n);
		for (i = 0; i < n; i += 2) {
			fuzz_assert(hexval(buf[i]) >= 0 && hexval(buf[i + 1]) >= 0,
				    "not uppercase hex: %s", buf);
			dec[i / 2] = hexval(buf[i]) << 4 | hexval(buf[i + 1]);
		}
		fuzz_assert(n / 2 <= len && !memcmp(dec, s, n / 2),
			    "hex does not decode to a prefix");
		if (bufsize >= need)
			fuzz_assert(n == 2 * len, "hex cut with room to spare");
	}
	free(dec);
	free(buf);
	return 0;
}
