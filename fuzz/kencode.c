// SPDX-License-Identifier: GPL-2.0
/* xm_encode_untrusted() of lsm/encode.h, for userspace: see kencode.h. */
#include "kcompat.h"
#include "encode.h"

#include "kencode.h"

size_t kernel_encode(char *buf, size_t size, const char *s, size_t len)
{
	return xm_encode_untrusted(buf, size, s, len);
}
