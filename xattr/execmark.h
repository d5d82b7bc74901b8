/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * The on-disk mark of execmark, format versions 1 and 2: the value of the
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
 * Format version 2 adds a kind and an optional signature:
 *
 *   offset  size        field
 *   0       1           format version, EXECMARK_FORMAT_V2
 *   1       1           kind: EXECMARK_KIND_CONTENT (digest of the whole
 *                       content, as version 1) or EXECMARK_KIND_VERITY (the
 *                       file's fs-verity digest, as FS_IOC_MEASURE_VERITY
 *                       reports it)
 *   2       1           algorithm: for EXECMARK_KIND_CONTENT an enum
 *                       hash_algo value as in version 1; for
 *                       EXECMARK_KIND_VERITY FS_VERITY_HASH_ALG_SHA256 or
 *                       FS_VERITY_HASH_ALG_SHA512 (<linux/fsverity.h>)
 *   3       1           flags: EXECMARK_FLAG_SIGNED; other bits must be 0
 *   4       N           digest, as many bytes as the algorithm yields
 *   4+N     2           if signed: signature length M, little endian,
 *                       1 <= M <= EXECMARK_MAX_SIG
 *   6+N     M           if signed: a detached PKCS#7 (CMS) signature, DER,
 *                       over the signed message below
 *
 * The signed message binds every field that gives the digest its meaning,
 * after a magic that no other signed object of the kernel starts with, so
 * that a signature can be replayed neither as another kind or algorithm nor
 * from another protocol (fs-verity's own "FSVerity" messages included):
 *
 *   "EXECMARK" (8 bytes), version, kind, algorithm, digest size (1 byte
 *   each), digest                        (EXECMARK_SIG_MSG_MAX bytes at most)
 *
 * A mark is at most EXECMARK_V2_MAX_SIZE bytes (small enough for ext4,
 * which keeps all attributes of an inode in one block). Any other version,
 * kind, algorithm, flag or length is a corrupt mark.
 */
#ifndef _UAPI_LINUX_EXECMARK_H
#define _UAPI_LINUX_EXECMARK_H

#include <linux/types.h>
#include <linux/hash_info.h>
#include <linux/fsverity.h>

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

#define EXECMARK_FORMAT_V2	0x02

#define EXECMARK_KIND_CONTENT	0x01	/* digest of the whole content */
#define EXECMARK_KIND_VERITY	0x02	/* fs-verity file digest */

#define EXECMARK_FLAG_SIGNED	0x01	/* a PKCS#7 signature follows */

#define EXECMARK_V2_HDR_SIZE	4	/* version, kind, algo, flags */
#define EXECMARK_SIGLEN_SIZE	2
#define EXECMARK_MAX_SIG	2048
#define EXECMARK_V2_MAX_SIZE	(EXECMARK_V2_HDR_SIZE + EXECMARK_MAX_DIGEST + \
				 EXECMARK_SIGLEN_SIZE + EXECMARK_MAX_SIG)

#define EXECMARK_SIG_MAGIC	"EXECMARK"
#define EXECMARK_SIG_MAGIC_SIZE	8
#define EXECMARK_SIG_MSG_MAX	(EXECMARK_SIG_MAGIC_SIZE + 4 + EXECMARK_MAX_DIGEST)

/**
 * struct execmark_parsed - a mark of either version, taken apart
 * @version: EXECMARK_FORMAT_V1 or EXECMARK_FORMAT_V2
 * @kind: EXECMARK_KIND_CONTENT or EXECMARK_KIND_VERITY (a version 1 mark
 *	is EXECMARK_KIND_CONTENT)
 * @algo: the algorithm, in the numbering of @kind
 * @flags: the flags byte (0 for version 1)
 * @dsize: the digest size in bytes
 * @digest: the digest, inside the parsed value
 * @sig_len: the signature's length, 0 if unsigned
 * @sig: the signature, inside the parsed value, or NULL
 */
struct execmark_parsed {
	__u8 version;
	__u8 kind;
	__u8 algo;
	__u8 flags;
	__u32 dsize;
	const __u8 *digest;
	__u32 sig_len;
	const __u8 *sig;
};

/**
 * execmark_verity_digest_size - digest size of an fs-verity algorithm
 * @algo: FS_VERITY_HASH_ALG_SHA256 or FS_VERITY_HASH_ALG_SHA512
 *
 * Return: the size in bytes, or 0 if marks do not use @algo.
 */
static inline unsigned int execmark_verity_digest_size(unsigned int algo)
{
	switch (algo) {
	case FS_VERITY_HASH_ALG_SHA256:
		return EXECMARK_SHA256_SIZE;
	case FS_VERITY_HASH_ALG_SHA512:
		return EXECMARK_SHA512_SIZE;
	default:
		return 0;
	}
}

/**
 * execmark_mark_parse - check the shape of a mark of either version
 * @value: the attribute's value
 * @len: its length in bytes
 * @p: filled in on success; its pointers point into @value
 *
 * Return: 0 if @value is a well-formed mark, otherwise -1 (a corrupt mark).
 */
static inline int execmark_mark_parse(const void *value, unsigned long len,
				      struct execmark_parsed *p)
{
	const __u8 *v = (const __u8 *)value;
	unsigned long off;
	unsigned int dsize;

	if (len < EXECMARK_HDR_SIZE)
		return -1;
	if (v[0] == EXECMARK_FORMAT_V1) {
		dsize = execmark_mark_valid(value, len);
		if (!dsize)
			return -1;
		p->version = EXECMARK_FORMAT_V1;
		p->kind = EXECMARK_KIND_CONTENT;
		p->algo = v[1];
		p->flags = 0;
		p->dsize = dsize;
		p->digest = v + EXECMARK_HDR_SIZE;
		p->sig_len = 0;
		p->sig = (const __u8 *)0;
		return 0;
	}
	if (v[0] != EXECMARK_FORMAT_V2 || len < EXECMARK_V2_HDR_SIZE ||
	    len > EXECMARK_V2_MAX_SIZE)
		return -1;
	if (v[1] == EXECMARK_KIND_CONTENT)
		dsize = execmark_digest_size(v[2]);
	else if (v[1] == EXECMARK_KIND_VERITY)
		dsize = execmark_verity_digest_size(v[2]);
	else
		return -1;
	if (!dsize || (v[3] & ~EXECMARK_FLAG_SIGNED))
		return -1;
	off = EXECMARK_V2_HDR_SIZE + dsize;
	p->sig_len = 0;
	p->sig = (const __u8 *)0;
	if (v[3] & EXECMARK_FLAG_SIGNED) {
		if (len < off + EXECMARK_SIGLEN_SIZE)
			return -1;
		p->sig_len = v[off] | (__u32)v[off + 1] << 8;
		off += EXECMARK_SIGLEN_SIZE;
		if (!p->sig_len || p->sig_len > EXECMARK_MAX_SIG)
			return -1;
		p->sig = v + off;
		off += p->sig_len;
	}
	if (len != off)
		return -1;
	p->version = EXECMARK_FORMAT_V2;
	p->kind = v[1];
	p->algo = v[2];
	p->flags = v[3];
	p->dsize = dsize;
	p->digest = v + EXECMARK_V2_HDR_SIZE;
	return 0;
}

/**
 * execmark_sig_message - the message a mark's signature is over
 * @p: a version 2 mark, parsed
 * @buf: EXECMARK_SIG_MSG_MAX bytes
 *
 * Return: the message's length in @buf.
 */
static inline unsigned int execmark_sig_message(const struct execmark_parsed *p,
						__u8 *buf)
{
	unsigned int i, j;

	for (i = 0; i < EXECMARK_SIG_MAGIC_SIZE; i++)
		buf[i] = EXECMARK_SIG_MAGIC[i];
	buf[i++] = p->version;
	buf[i++] = p->kind;
	buf[i++] = p->algo;
	buf[i++] = (__u8)p->dsize;
	for (j = 0; j < p->dsize; j++)
		buf[i++] = p->digest[j];
	return i;
}

#endif /* _UAPI_LINUX_EXECMARK_H */
