// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: fs-verity. A mark of EXECMARK_KIND_VERITY holds the
 * file's fs-verity digest -- the digest of its fsverity_descriptor, which
 * commits to the root of the Merkle tree, the block size, the salt and the
 * size -- as FS_IOC_MEASURE_VERITY reports it. The kernel reads it with
 * fsverity_get_digest() without hashing the content, and verifies each
 * page against the tree as it is read. libfsverity computes the same digest
 * from the content, for files on file systems without fs-verity.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <libfsverity.h>
#include <linux/fsverity.h>

#include "execmark.h"
#include "util.h"
#include "verity.h"

/* The block size of the trees we make: the page size libfsverity and
 * fsverity(1) default to, which every file system with fs-verity takes. */
#define VERITY_BLOCK_SIZE	4096

static const struct algo verity_algos[] = {
	{ "sha256", FS_VERITY_HASH_ALG_SHA256, EXECMARK_SHA256_SIZE },
	{ "sha512", FS_VERITY_HASH_ALG_SHA512, EXECMARK_SHA512_SIZE },
};

const struct algo *verity_algo_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(verity_algos); i++)
		if (!strcmp(verity_algos[i].name, name))
			return &verity_algos[i];
	return NULL;
}

const struct algo *verity_algo_by_id(unsigned int id)
{
	for (size_t i = 0; i < ARRAY_SIZE(verity_algos); i++)
		if (verity_algos[i].id == id)
			return &verity_algos[i];
	return NULL;
}

/*
 * verity_measure - the fs-verity digest of @fd (FS_IOC_MEASURE_VERITY)
 * @a: receives the algorithm the file's tree uses
 * @digest: receives (*a)->size bytes
 *
 * Return: 0; -ENODATA if fs-verity is not enabled on the file; -ENOTTY or
 * -EOPNOTSUPP if its file system (or the kernel) has no fs-verity; another
 * -errno.
 */
int verity_measure(int fd, const struct algo **a, unsigned char *digest)
{
	union {
		struct fsverity_digest d;
		unsigned char buf[sizeof(struct fsverity_digest) + EXECMARK_MAX_DIGEST];
	} m;

	m.d.digest_size = EXECMARK_MAX_DIGEST;
	if (ioctl(fd, FS_IOC_MEASURE_VERITY, &m.d))
		return errno == EOVERFLOW ? -EINVAL : -errno;
	*a = verity_algo_by_id(m.d.digest_algorithm);
	if (!*a || m.d.digest_size != (*a)->size)
		return -EINVAL;		/* an algorithm marks cannot name */
	memcpy(digest, m.d.digest, m.d.digest_size);
	return 0;
}

/*
 * verity_statx - whether statx() says that @fd has fs-verity
 * (STATX_ATTR_VERITY). Unlike FS_IOC_MEASURE_VERITY this also passes
 * through overlayfs, which reports the attributes of the real file.
 */
bool verity_statx(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx))
		return false;
	return (stx.stx_attributes_mask & STATX_ATTR_VERITY) &&
	       (stx.stx_attributes & STATX_ATTR_VERITY);
}

/*
 * verity_enable - enable fs-verity on @fd (FS_IOC_ENABLE_VERITY), with a
 * Merkle tree of @a and 4 KiB blocks, no salt. The kernel reads the whole
 * file; from then on it is read-only. @fd must be open read-only, and
 * nobody may have the file open for writing (-ETXTBSY).
 *
 * Return: 0, -EEXIST if fs-verity was enabled already, or another -errno.
 */
int verity_enable(int fd, const struct algo *a)
{
	struct fsverity_enable_arg arg = {
		.version = 1,
		.hash_algorithm = a->id,
		.block_size = VERITY_BLOCK_SIZE,
	};
	int ret;

	do
		ret = ioctl(fd, FS_IOC_ENABLE_VERITY, &arg);
	while (ret && errno == EINTR);
	return ret ? -errno : 0;
}

struct reader {
	int fd;
	uint64_t off;
	bool short_read;	/* the file held fewer bytes than its size */
};

/* libfsverity's read callback: exactly @count bytes, or an error. */
static int read_fn(void *ctx, void *buf, size_t count)
{
	struct reader *r = ctx;
	unsigned char *p = buf;

	while (count) {
		ssize_t n = pread(r->fd, p, count, r->off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0) {
			r->short_read = true;
			return -EIO;
		}
		p += n;
		count -= n;
		r->off += n;
	}
	return 0;
}

/*
 * verity_compute - the fs-verity digest that @fd's content would have,
 * computed by libfsverity from the content (4 KiB blocks, no salt: what
 * verity_enable() and "fsverity enable" make)
 *
 * Return: 0, HASH_CHANGED if the file's identity, size, mtime or ctime
 * changed while it was read (or it did not hold its size), or -errno.
 */
int verity_compute(int fd, const struct algo *a, unsigned char *digest)
{
	struct libfsverity_merkle_tree_params params = {
		.version = 1,
		.hash_algorithm = a->id,
		.block_size = VERITY_BLOCK_SIZE,
	};
	struct libfsverity_digest *d = NULL;
	struct reader r = { .fd = fd };
	struct stat before, after;
	char extra;
	ssize_t n;
	int ret;

	if (fstat(fd, &before))
		return -errno;
	params.file_size = before.st_size;
	ret = libfsverity_compute_digest(&r, read_fn, &params, &d);
	if (r.short_read)
		ret = HASH_CHANGED;
	if (ret)
		goto out;
	if (d->digest_algorithm != a->id || d->digest_size != a->size) {
		ret = -EINVAL;
		goto out;
	}
	/* Grown meanwhile: more than its size. */
	do
		n = pread(fd, &extra, 1, r.off);
	while (n < 0 && errno == EINTR);
	if (fstat(fd, &after)) {
		ret = -errno;
		goto out;
	}
	if (n != 0 || before.st_dev != after.st_dev ||
	    before.st_ino != after.st_ino || before.st_size != after.st_size ||
	    before.st_mtim.tv_sec != after.st_mtim.tv_sec ||
	    before.st_mtim.tv_nsec != after.st_mtim.tv_nsec ||
	    before.st_ctim.tv_sec != after.st_ctim.tv_sec ||
	    before.st_ctim.tv_nsec != after.st_ctim.tv_nsec) {
		ret = HASH_CHANGED;
		goto out;
	}
	memcpy(digest, d->digest, a->size);
out:
	free(d);
	return ret;
}

/*
 * Say why @what ("enabling fs-verity", "measuring fs-verity") failed for
 * @path with @err.
 */
void verity_warn(const char *path, int err, const char *what)
{
	switch (err) {
	case ENOTTY:
	case EOPNOTSUPP:
		warn_path(path, "%s: the file system does not support fs-verity "
			  "(ext4 needs the verity feature, 'tune2fs -O verity'; "
			  "f2fs 'mkfs.f2fs -O verity'; btrfs has it; tmpfs, XFS, "
			  "overlayfs and network file systems do not), or the "
			  "kernel lacks CONFIG_FS_VERITY", what);
		break;
	case ENODATA:
		warn_path(path, "%s: fs-verity is not enabled on the file", what);
		break;
	case ETXTBSY:
		warn_path(path, "%s: the file is open for writing", what);
		break;
	case EACCES:
		warn_path(path, "%s: permission denied (enabling fs-verity needs write permission on the file)",
			  what);
		break;
	case EPERM:
		warn_path(path, "%s: not permitted (an append-only or immutable file, or not permitted by a security module)",
			  what);
		break;
	case EBUSY:
		warn_path(path, "%s: another process is enabling fs-verity on the file", what);
		break;
	case ENOPKG:
		warn_path(path, "%s: the kernel lacks the hash algorithm", what);
		break;
	case EINVAL: {
		struct statvfs sv;

		if (!statvfs(path, &sv) && sv.f_bsize < VERITY_BLOCK_SIZE)
			warn_path(path, "%s: the file system's blocks (%lu bytes) are smaller than the fs-verity Merkle tree blocks marks use (%d bytes), which Linux refuses; make it with larger blocks (e.g. mkfs.ext4 -b 4096)",
				  what, (unsigned long)sv.f_bsize, VERITY_BLOCK_SIZE);
		else
			warn_path(path, "%s: the kernel refuses the parameters or reports an algorithm marks cannot name",
				  what);
		break;
	}
	default:
		warn_path(path, "%s: %s", what, strerror(err));
		break;
	}
}
