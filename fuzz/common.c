// SPDX-License-Identifier: GPL-2.0
/*
 * What every harness links: a hex digit's value, and AddressSanitizer's
 * defaults. A small quarantine and short allocation stacks make the
 * harnesses several times faster (the forwarder's lines are up to tens of
 * KiB); use-after-free is still caught within the last 16 MiB freed, and
 * reports keep 10 frames per stack.
 */
const char *__asan_default_options(void);

const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16:malloc_context_size=10";
}

int fuzz_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
