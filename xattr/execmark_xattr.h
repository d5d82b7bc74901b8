/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The on-disk mark of execmark, format version 1: the value of the
 * security.execmark extended attribute. This header is the only definition
 * of the format; the kernel (security/execmark/lsm) and the execmark helper
 * both include it.
 *
 *   offset  size        field
 *   0       1           format version, EXECMARK_FORMAT_V1
 *   1       1           hash algorithm, numbered as enum hash_algo
 *                       (include/uapi/linux/hash_info.h)
 *   2       32/48/64    digest of the file's entire content
 *
 * Any other version, algorithm or length is a corrupt mark.
 */
#ifndef _EXECMARK_XATTR_H
#define _EXECMARK_XATTR_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <linux/types.h>
#endif

#define EXECMARK_XATTR_SUFFIX	"execmark"
#define EXECMARK_XATTR_NAME	"security." EXECMARK_XATTR_SUFFIX

#define EXECMARK_FORMAT_V1	0x01

/* Values of enum hash_algo in include/uapi/linux/hash_info.h. */
#define EXECMARK_ALGO_SHA256	4
#define EXECMARK_ALGO_SHA384	5
#define EXECMARK_ALGO_SHA512	6

/* Digest sizes, in bytes, of those algorithms. */
#define EXECMARK_SHA256_SIZE	32
#define EXECMARK_SHA384_SIZE	48
#define EXECMARK_SHA512_SIZE	64

#define EXECMARK_HDR_SIZE	2
#define EXECMARK_MAX_DIGEST	EXECMARK_SHA512_SIZE
#define EXECMARK_MAX_SIZE	(EXECMARK_HDR_SIZE + EXECMARK_MAX_DIGEST)

struct execmark_mark {
	__u8 version;
	__u8 algo;
	__u8 digest[EXECMARK_MAX_DIGEST];
};

/* Digest size of a mark's hash algorithm, or 0 if the algorithm is unknown. */
static inline unsigned int execmark_digest_size(unsigned int algo)
{
	switch (algo) {
	case EXECMARK_ALGO_SHA256:
		return EXECMARK_SHA256_SIZE;
	case EXECMARK_ALGO_SHA384:
		return EXECMARK_SHA384_SIZE;
	case EXECMARK_ALGO_SHA512:
		return EXECMARK_SHA512_SIZE;
	default:
		return 0;
	}
}

/*
 * execmark_mark_valid - check the shape of a mark
 * @value: the attribute's value
 * @len: its length in bytes
 *
 * Return: the digest size if @value is a well-formed version 1 mark,
 * otherwise 0 (a corrupt mark).
 */
static inline unsigned int execmark_mark_valid(const void *value, size_t len)
{
	const __u8 *p = (const __u8 *)value;
	unsigned int dsize;

	if (len < EXECMARK_HDR_SIZE || p[0] != EXECMARK_FORMAT_V1)
		return 0;
	dsize = execmark_digest_size(p[1]);
	if (!dsize || len != EXECMARK_HDR_SIZE + dsize)
		return 0;
	return dsize;
}

#endif /* _EXECMARK_XATTR_H */
