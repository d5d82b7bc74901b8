/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's encoder of untrusted strings, xm_encode_untrusted() of
 * lsm/encode.h, compiled for userspace (kencode.c, with kcompat/), for the
 * harnesses that need the kernel's output.
 */
#ifndef EXECMARK_KENCODE_H
#define EXECMARK_KENCODE_H

#include <stddef.h>

size_t kernel_encode(char *buf, size_t size, const char *s, size_t len);

#endif /* EXECMARK_KENCODE_H */
