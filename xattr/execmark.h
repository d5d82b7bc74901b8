/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * The on-disk mark of execmark, format version 1: the value of the
 * security.execmark extended attribute.
 *
 * This header is the only definition of the format. It is the content of
 * include/uapi/linux/execmark.h (scripts/fetch-kernel.sh links it there):
 * the kernel includes it as <uapi/linux/execmark.h>, userspace as
 * <linux/execmark.h> from the installed kernel headers or from this
 * directory.
 *
 *   offset  size        field
 *   0       1           format version, EXECMARK_FORMAT_V1
 *   1       1           hash algorithm, an enum hash_algo value
 *                       (<linux/hash_info.h>): HASH_ALGO_SHA256,
 *                       HASH_ALGO_SHA384 or HASH_ALGO_SHA512
 *   2       32/48/64    digest of the file's entire content
 *
 * Any other version, algorithm or length is a corrupt mark.
 */
#ifndef _UAPI_LINUX_EXECMARK_H
#define _UAPI_LINUX_EXECMARK_H

#include <linux/types.h>
#include <linux/hash_info.h>

#define EXECMARK_XATTR_SUFFIX	"execmark"
#define EXECMARK_XATTR_NAME	"security." EXECMARK_XATTR_SUFFIX

#define EXECMARK_FORMAT_V1	0x01

/* Digest sizes, in bytes, of the algorithms a mark may name. */
#define EXECMARK_SHA256_SIZE	32
#define EXECMARK_SHA384_SIZE	48
#define EXECMARK_SHA512_SIZE	64

#define EXECMARK_HDR_SIZE	2	/* version and algo */
#define EXECMARK_MAX_DIGEST	EXECMARK_SHA512_SIZE
#define EXECMARK_MAX_SIZE	(EXECMARK_HDR_SIZE + EXECMARK_MAX_DIGEST)

/**
 * struct execmark_mark - the value of security.execmark, version 1
 * @version: EXECMARK_FORMAT_V1
 * @algo: the hash algorithm, enum hash_algo
 * @digest: the digest of the whole content; as many bytes as @algo yields
 *
 * A stored mark is EXECMARK_HDR_SIZE bytes plus the digest size long.
 */
struct execmark_mark {
	__u8 version;
	__u8 algo;
	__u8 digest[EXECMARK_MAX_DIGEST];
};

/**
 * execmark_digest_size - digest size of a mark's hash algorithm
 * @algo: an enum hash_algo value
 *
 * Return: the size in bytes, or 0 if marks do not use @algo.
 */
static inline unsigned int execmark_digest_size(unsigned int algo)
{
	switch (algo) {
	case HASH_ALGO_SHA256:
		return EXECMARK_SHA256_SIZE;
	case HASH_ALGO_SHA384:
		return EXECMARK_SHA384_SIZE;
	case HASH_ALGO_SHA512:
		return EXECMARK_SHA512_SIZE;
	default:
		return 0;
	}
}

/**
 * execmark_mark_valid - check the shape of a mark
 * @value: the attribute's value
 * @len: its length in bytes
 *
 * Return: the digest size if @value is a well-formed version 1 mark,
 * otherwise 0 (a corrupt mark).
 */
static inline unsigned int execmark_mark_valid(const void *value,
					       unsigned long len)
{
	const struct execmark_mark *m = (const struct execmark_mark *)value;
	unsigned int dsize;

	if (len < EXECMARK_HDR_SIZE || m->version != EXECMARK_FORMAT_V1)
		return 0;
	dsize = execmark_digest_size(m->algo);
	if (!dsize || len != EXECMARK_HDR_SIZE + dsize)
		return 0;
	return dsize;
}

#endif /* _UAPI_LINUX_EXECMARK_H */
