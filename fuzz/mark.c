// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz harness "mark": the value of security.execmark, read by the kernel
 * and by the helper. Differential: for every value, both must come to the
 * same view of it (corrupt, or valid with the same version, algorithm and
 * digest).
 *
 * The kernel's view is that of compute() in lsm/verify.c: the value is read
 * into a struct execmark_mark (a longer one fails with ERANGE: corrupt) and
 * judged by execmark_mark_valid() of <linux/execmark.h>; inode_setxattr
 * accepts exactly the values execmark_mark_valid() accepts.
 *
 * The helper's view is that of mark_read() (helper/xattr.c), whose
 * fgetxattr() this harness answers (-Wl,--wrap=fgetxattr) the way the
 * kernel does, and of what verify does with a valid mark (algo_by_id() and
 * its digest size). mark_write() must write only values the kernel accepts,
 * that read back as written, and must not rewrite a mark that already says
 * the same.
 *
 * Marks v2 (issue "marks v2"): give struct view the new fields, teach
 * kernel_view() and helper_view() the new parser each side uses, and seed
 * corpus/mark/ with v2 values; the comparison stays the same.
 */
#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include "fuzz.h"
#include "xattr.h"

/* What one side makes of a value. */
struct view {
	bool valid;
	unsigned int version, algo, dsize;
	unsigned char digest[EXECMARK_MAX_DIGEST];
};

/* The attribute as this harness's fgetxattr() and fsetxattr() see it. */
static const uint8_t *cur_value;
static size_t cur_len;
static uint8_t written[EXECMARK_MAX_SIZE + 64];
static ssize_t written_len = -1;

ssize_t __wrap_fgetxattr(int fd, const char *name, void *value, size_t size);
int __wrap_fsetxattr(int fd, const char *name, const void *value, size_t size,
		     int flags);

ssize_t __wrap_fgetxattr(int fd, const char *name, void *value, size_t size)
{
	(void)fd;
	fuzz_assert(!strcmp(name, EXECMARK_XATTR_NAME), "read of %s", name);
	if (size == 0)
		return cur_len;
	if (cur_len > size) {
		errno = ERANGE;
		return -1;
	}
	memcpy(value, cur_value, cur_len);
	return cur_len;
}

int __wrap_fsetxattr(int fd, const char *name, const void *value, size_t size,
		     int flags)
{
	(void)fd;
	(void)flags;
	fuzz_assert(!strcmp(name, EXECMARK_XATTR_NAME), "write of %s", name);
	fuzz_assert(size <= sizeof(written), "write of %zu bytes", size);
	memcpy(written, value, size);
	written_len = size;
	return 0;
}

/* lsm/verify.c, compute(): what the kernel makes of the value. */
static void kernel_view(const uint8_t *value, size_t len, struct view *v)
{
	struct execmark_mark mark;

	memset(v, 0, sizeof(*v));
	if (len > sizeof(mark))		/* __vfs_getxattr(): -ERANGE */
		return;
	memcpy(&mark, value, len);
	v->dsize = execmark_mark_valid(&mark, len);
	if (!v->dsize)
		return;
	v->valid = true;
	v->version = mark.version;
	v->algo = mark.algo;
	memcpy(v->digest, mark.digest, v->dsize);
}

/* helper/xattr.c and verify.c: what the helper makes of the value. */
static void helper_view(const uint8_t *value, size_t len, struct view *v)
{
	struct execmark_mark m;
	enum mark_state state;
	const struct algo *a;
	int ret;

	memset(v, 0, sizeof(*v));
	cur_value = value;
	cur_len = len;
	ret = mark_read(0, &m, &state);
	fuzz_assert(ret == 0, "mark_read() failed: %d", ret);
	fuzz_assert(state == MARK_VALID || state == MARK_CORRUPT,
		    "state %d for a value that exists", state);
	if (state != MARK_VALID)
		return;
	a = algo_by_id(m.algo);		/* what verify hashes with */
	fuzz_assert(a && a->id == m.algo, "no algorithm for valid algo %u", m.algo);
	v->valid = true;
	v->version = m.version;
	v->algo = m.algo;
	v->dsize = a->size;
	memcpy(v->digest, m.digest, a->size);
}

static void compare(const struct view *k, const struct view *h)
{
	fuzz_assert(k->valid == h->valid, "kernel says %s, helper says %s",
		    k->valid ? "valid" : "corrupt", h->valid ? "valid" : "corrupt");
	if (!k->valid)
		return;
	fuzz_assert(k->version == h->version && k->algo == h->algo &&
		    k->dsize == h->dsize && !memcmp(k->digest, h->digest, k->dsize),
		    "kernel and helper read different marks");
}

/* mark_write() of (@a, @digest) over the current value. */
static void check_write(const struct algo *a, const unsigned char *digest,
			bool expect_already)
{
	bool already;
	int ret;

	written_len = -1;
	ret = mark_write(0, a, digest, &already);
	fuzz_assert(ret == 0, "mark_write() failed: %d", ret);
	fuzz_assert(already == expect_already, "already=%d", already);
	if (already) {
		fuzz_assert(written_len < 0, "an identical mark was rewritten");
		return;
	}
	fuzz_assert(written_len >= 0, "nothing written");
	fuzz_assert(execmark_mark_valid(written, written_len) == a->size,
		    "the helper wrote a mark the kernel refuses");
	fuzz_assert(written[0] == EXECMARK_FORMAT_V1 && written[1] == a->id &&
		    !memcmp(written + EXECMARK_HDR_SIZE, digest, a->size),
		    "the written mark is not the one asked for");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct view k, h;
	unsigned char digest[EXECMARK_MAX_DIGEST];
	static const char *const names[] = { "sha256", "sha384", "sha512" };
	const struct algo *a;

	kernel_view(data, size, &k);
	helper_view(data, size, &h);
	compare(&k, &h);

	/* Writing: the same mark again is left alone, another one written. */
	cur_value = data;
	cur_len = size;
	if (k.valid) {
		a = algo_by_id(k.algo);
		check_write(a, k.digest, true);
		memcpy(digest, k.digest, a->size);
		digest[size % a->size] ^= 1;
		check_write(a, digest, false);
	}
	a = algo_by_name(names[size % 3]);
	memset(digest, 0, sizeof(digest));
	memcpy(digest, data, size < a->size ? size : a->size);
	check_write(a, digest, k.valid && k.algo == a->id &&
		    !memcmp(k.digest, digest, a->size));
	return 0;
}
