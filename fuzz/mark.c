// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz harness "mark": the value of security.execmark, read by the kernel
 * and by the helper, format versions 1 and 2. Differential: for every
 * value, both must come to the same view of it (corrupt, or valid with the
 * same version, kind, algorithm, flags, digest and signature).
 *
 * The kernel's view is that of lsm/verify.c: the value is read into a
 * buffer of EXECMARK_V2_MAX_SIZE bytes (a longer one fails with ERANGE:
 * corrupt) and judged by execmark_mark_parse() of <linux/execmark.h>.
 *
 * The helper's view is that of mark_read() (helper/xattr.c), whose
 * fgetxattr() this harness answers (-Wl,--wrap=fgetxattr) the way the
 * kernel does, and of what verify does with a valid mark (mark_algo(): the
 * algorithm of the mark's kind, and its digest size). mark_make() and
 * mark_write() must write only values the kernel accepts, that read back
 * as written, and must not rewrite a mark that is already the same.
 */
#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include "fuzz.h"
#include "verity.h"
#include "xattr.h"

/* What one side makes of a value. */
struct view {
	bool valid;
	unsigned int version, kind, algo, flags, dsize, sig_len;
	unsigned char digest[EXECMARK_MAX_DIGEST];
	unsigned char sig[EXECMARK_MAX_SIG];
};

/* The attribute as this harness's fgetxattr() and fsetxattr() see it. */
static const uint8_t *cur_value;
static size_t cur_len;
static uint8_t written[EXECMARK_V2_MAX_SIZE + 64];
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

static void view_of(const struct execmark_parsed *p, struct view *v)
{
	v->valid = true;
	v->version = p->version;
	v->kind = p->kind;
	v->algo = p->algo;
	v->flags = p->flags;
	v->dsize = p->dsize;
	v->sig_len = p->sig_len;
	memcpy(v->digest, p->digest, p->dsize);
	if (p->sig_len)
		memcpy(v->sig, p->sig, p->sig_len);
}

/* lsm/verify.c: what the kernel makes of the value. */
static void kernel_view(const uint8_t *value, size_t len, struct view *v)
{
	static uint8_t buf[EXECMARK_V2_MAX_SIZE];
	struct execmark_parsed p;

	memset(v, 0, sizeof(*v));
	if (len > sizeof(buf))		/* __vfs_getxattr(): -ERANGE */
		return;
	memcpy(buf, value, len);
	if (execmark_mark_parse(buf, len, &p))
		return;
	fuzz_assert(p.dsize <= EXECMARK_MAX_DIGEST && p.sig_len <= EXECMARK_MAX_SIG &&
		    p.digest >= buf && p.digest + p.dsize <= buf + len &&
		    (!p.sig_len || (p.sig >= p.digest + p.dsize &&
				    p.sig + p.sig_len == buf + len)),
		    "the parse points outside the value");
	view_of(&p, v);
}

/* helper/xattr.c and verify.c: what the helper makes of the value. */
static void helper_view(const uint8_t *value, size_t len, struct view *v)
{
	static struct mark m;
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
	a = mark_algo(&m.p);		/* what verify digests with */
	fuzz_assert(a && a->id == m.p.algo && a->size == m.p.dsize,
		    "no algorithm for valid kind %u algo %u", m.p.kind, m.p.algo);
	view_of(&m.p, v);
}

static void compare(const struct view *k, const struct view *h)
{
	fuzz_assert(k->valid == h->valid, "kernel says %s, helper says %s",
		    k->valid ? "valid" : "corrupt", h->valid ? "valid" : "corrupt");
	if (!k->valid)
		return;
	fuzz_assert(k->version == h->version && k->kind == h->kind &&
		    k->algo == h->algo && k->flags == h->flags &&
		    k->dsize == h->dsize && !memcmp(k->digest, h->digest, k->dsize) &&
		    k->sig_len == h->sig_len && !memcmp(k->sig, h->sig, k->sig_len),
		    "kernel and helper read different marks");
}

/*
 * mark_make() of the mark @k describes, then mark_write() of it over the
 * current value: what is written is what the kernel parses back as @k.
 */
static void check_write(const struct view *k, bool expect_already)
{
	static struct mark m;
	struct view back;
	bool already;
	int ret;

	ret = mark_make(&m, k->version, k->kind, k->algo, k->digest,
			k->sig_len ? k->sig : NULL, k->sig_len);
	fuzz_assert(ret == 0, "mark_make() refuses a valid mark: %d", ret);
	written_len = -1;
	ret = mark_write(0, &m, &already);
	fuzz_assert(ret == 0, "mark_write() failed: %d", ret);
	fuzz_assert(already == expect_already, "already=%d", already);
	if (already) {
		fuzz_assert(written_len < 0, "an identical mark was rewritten");
		return;
	}
	fuzz_assert(written_len >= 0, "nothing written");
	kernel_view(written, written_len, &back);
	fuzz_assert(back.valid, "the helper wrote a mark the kernel refuses");
	compare(k, &back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct view k, h, w;
	static const unsigned int kinds[][2] = {
		{ EXECMARK_FORMAT_V1, EXECMARK_KIND_CONTENT },
		{ EXECMARK_FORMAT_V2, EXECMARK_KIND_CONTENT },
		{ EXECMARK_FORMAT_V2, EXECMARK_KIND_VERITY },
	};
	static const char *const names[] = { "sha256", "sha384", "sha512" };
	const struct algo *a;
	size_t sel = size % 18;

	kernel_view(data, size, &k);
	helper_view(data, size, &h);
	compare(&k, &h);

	/* Writing: the same mark again is left alone, another one written. */
	cur_value = data;
	cur_len = size;
	if (k.valid) {
		check_write(&k, true);
		w = k;
		w.digest[size % w.dsize] ^= 1;
		check_write(&w, false);
	}
	/* A mark from the input's bytes, of a version, kind and algorithm. */
	memset(&w, 0, sizeof(w));
	w.valid = true;
	w.version = kinds[sel % 3][0];
	w.kind = kinds[sel % 3][1];
	a = w.kind == EXECMARK_KIND_VERITY ? verity_algo_by_name(names[sel / 3 % 3]) :
	    algo_by_name(names[sel / 3 % 3]);
	if (!a)
		return 0;	/* fs-verity has no sha384 */
	w.algo = a->id;
	w.dsize = a->size;
	memcpy(w.digest, data, size < a->size ? size : a->size);
	if (w.version == EXECMARK_FORMAT_V2 && sel >= 9 && size > a->size) {
		w.flags = EXECMARK_FLAG_SIGNED;
		w.sig_len = size - a->size;
		if (w.sig_len > EXECMARK_MAX_SIG)
			w.sig_len = EXECMARK_MAX_SIG;
		memcpy(w.sig, data + a->size, w.sig_len);
	}
	check_write(&w, k.valid && k.version == w.version && k.kind == w.kind &&
		    k.algo == w.algo && k.flags == w.flags &&
		    !memcmp(k.digest, w.digest, a->size) && k.sig_len == w.sig_len &&
		    !memcmp(k.sig, w.sig, w.sig_len));
	return 0;
}
