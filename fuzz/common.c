// SPDX-License-Identifier: GPL-2.0
/*
 * What every harness links: AddressSanitizer's defaults. A small quarantine
 * and short allocation stacks make the harnesses several times faster (the
 * forwarder's lines are up to tens of KiB); use-after-free is still caught
 * within the last 16 MiB freed, and reports keep 10 frames per stack.
 */
const char *__asan_default_options(void);

const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16:malloc_context_size=10";
}
