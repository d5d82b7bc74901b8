// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: the verdict on a file, and its per-inode cache.
 *
 * A file is trusted when its security.execmark is a well-formed mark whose
 * digest equals the digest of the file's whole content. The verdict is
 * cached in the blob of the inode that holds the content (the real inode
 * under overlayfs) together with the inode's i_version and the mark's
 * generation; it is reused only while both are unchanged and nobody can
 * write the file.
 */

#include <crypto/sha2.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iversion.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <linux/xattr.h>
#include <uapi/linux/execmark.h>

#include "execmark.h"

#define XM_CHUNK	(64 * 1024)

/*
 * A seqcount-like protocol without a counter: the state is the sequence.
 * A writer (serialised by XM_INODE_BUSY) clears the state, stores the
 * cookie, then publishes the state; a reader that sees the same non-zero
 * state before and after reading the cookie read a matching pair.
 */
static int xm_cache_get(const struct xm_cache *c, u32 gen, u64 cookie)
{
	/* pairs with smp_store_release() in xm_cache_set() */
	u64 state = smp_load_acquire(&c->state);
	u64 ck;

	if (!state || (u32)(state >> 32) != gen)
		return XM_NONE;
	ck = READ_ONCE(c->cookie);
	smp_rmb();	/* the cookie belongs to the state read above */
	if (READ_ONCE(c->state) != state || ck != cookie)
		return XM_NONE;
	return state & XM_VERDICT_MASK;
}

static void xm_cache_set(struct xm_cache *c, u32 gen, u64 cookie, int verdict)
{
	WRITE_ONCE(c->state, 0);
	smp_wmb();	/* no reader pairs the old state with the new cookie */
	WRITE_ONCE(c->cookie, cookie);
	/* pairs with smp_load_acquire() in xm_cache_get() */
	smp_store_release(&c->state, ((u64)gen << 32) | verdict);
}

/*
 * The kernel vouches only for content it stores itself and whose changes it
 * sees: not for anonymous files (memfd, shm), FUSE, file systems mounted in
 * a user namespace or by an untrusted mounter, or file systems with neither
 * a local block device nor a kernel-managed i_version (network and pseudo
 * file systems).
 */
static bool fs_unverifiable(const struct super_block *sb)
{
	if (sb->s_flags & SB_KERNMOUNT)
		return true;
	if (sb->s_user_ns != &init_user_ns)
		return true;
	if (sb->s_iflags & SB_I_UNTRUSTED_MOUNTER)
		return true;
	/*
	 * The flag is IMA's, but its meaning is the file system's: FUSE sets
	 * it on every mount (fs/fuse/inode.c) because the server, a process,
	 * can return other bytes on each read without the kernel seeing a
	 * change. That is exactly what makes a cached digest worthless.
	 */
	if (sb->s_iflags & SB_I_IMA_UNVERIFIABLE_SIGNATURE)
		return true;
	return !(sb->s_flags & SB_I_VERSION) && !sb->s_bdev;
}

static bool has_writers(struct inode *inode)
{
	return inode_is_open_for_write(inode) ||
	       mapping_writably_mapped(inode->i_mapping);
}

union xm_hash_ctx {
	struct sha256_ctx sha256;
	struct sha384_ctx sha384;
	struct sha512_ctx sha512;
};

static void hash_init(union xm_hash_ctx *ctx, int algo)
{
	if (algo == HASH_ALGO_SHA256)
		sha256_init(&ctx->sha256);
	else if (algo == HASH_ALGO_SHA384)
		sha384_init(&ctx->sha384);
	else
		sha512_init(&ctx->sha512);
}

static void hash_update(union xm_hash_ctx *ctx, int algo, const u8 *p, size_t n)
{
	if (algo == HASH_ALGO_SHA256)
		sha256_update(&ctx->sha256, p, n);
	else if (algo == HASH_ALGO_SHA384)
		sha384_update(&ctx->sha384, p, n);
	else
		sha512_update(&ctx->sha512, p, n);
}

static void hash_final(union xm_hash_ctx *ctx, int algo, u8 *out)
{
	if (algo == HASH_ALGO_SHA256)
		sha256_final(&ctx->sha256, out);
	else if (algo == HASH_ALGO_SHA384)
		sha384_final(&ctx->sha384, out);
	else
		sha512_final(&ctx->sha512, out);
}

/*
 * hash_file - digest of the whole content of a file
 * @file: the file
 * @algo: enum hash_algo, one of the mark's
 * @digest: where the digest goes
 *
 * Return: 0 or -errno.
 */
static int hash_file(struct file *file, int algo, u8 *digest)
{
	union xm_hash_ctx ctx;
	struct file *f = file;
	size_t bufsize = XM_CHUNK;
	loff_t pos = 0, size;
	void *buf;
	int ret = 0;

	/* A file opened for O_DIRECT, or not for reading, is read anew. */
	if ((file->f_flags & O_DIRECT) || !(file->f_mode & FMODE_READ) ||
	    !(file->f_mode & FMODE_CAN_READ)) {
		f = dentry_open(&file->f_path, O_RDONLY | O_LARGEFILE, file->f_cred);
		if (IS_ERR(f))
			return PTR_ERR(f);
	}
	buf = kmalloc(bufsize, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
	if (!buf) {
		bufsize = PAGE_SIZE;
		buf = kmalloc(bufsize, GFP_KERNEL);
	}
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}

	hash_init(&ctx, algo);
	size = i_size_read(file_inode(f));
	while (pos < size) {
		ssize_t n = __kernel_read(f, buf, min_t(loff_t, bufsize, size - pos), &pos);

		if (n <= 0) {
			ret = n ? n : -EIO;	/* shrank while read */
			break;
		}
		hash_update(&ctx, algo, buf, n);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	hash_final(&ctx, algo, digest);
	xm_stat_add(hashes, 1);
	xm_stat_add(hash_bytes, pos);
	kfree(buf);
out:
	if (f != file)
		fput(f);
	return ret;
}

/* Read the mark and hash the content: the verdict, uncached. */
static int compute(struct file *file)
{
	struct dentry *dentry = file->f_path.dentry;
	struct execmark_mark mark;
	u8 digest[EXECMARK_MAX_DIGEST];
	unsigned int dsize;
	ssize_t len;

	len = __vfs_getxattr(dentry, d_inode(dentry), EXECMARK_XATTR_NAME,
			     &mark, sizeof(mark));
	if (len == -ENODATA || len == -EOPNOTSUPP)
		return XM_UNMARKED;
	if (len == -ERANGE)
		return XM_CORRUPT;	/* longer than any valid mark */
	if (len < 0)
		return XM_ERROR;
	dsize = execmark_mark_valid(&mark, len);
	if (!dsize)
		return XM_CORRUPT;
	if (hash_file(file, mark.algo, digest))
		return XM_ERROR;
	return memcmp(digest, mark.digest, dsize) ? XM_MISMATCH : XM_TRUSTED;
}

/*
 * The mark's generation. Under overlayfs the mark is read through the
 * overlay inode while the content (and the cache) is the real inode's: a
 * mark changed through the overlay bumps the overlay inode, one changed on
 * the layer bumps the real inode. Both only grow, so their sum changes
 * whenever either does.
 */
static u32 mark_gen(struct file *file, struct execmark_inode *xi)
{
	struct execmark_inode *oxi = execmark_inode(file_inode(file));
	u32 gen = atomic_read(&xi->gen);

	if (oxi && oxi != xi)
		gen += atomic_read(&oxi->gen);
	return gen;
}

/**
 * execmark_mark_changed - a mark was set or removed: drop cached verdicts
 * @inode: the inode whose security.execmark changed
 */
void execmark_mark_changed(struct inode *inode)
{
	struct execmark_inode *xi = execmark_inode(inode);

	if (xi)
		atomic_inc(&xi->gen);
}

/**
 * execmark_verdict - may @file be executed?
 * @file: the file of an exec-intent access
 * @cached_only: do not read the file (mprotect runs under the mmap lock)
 *
 * Concurrent first checks of one inode hash it once: the others wait for
 * the first and take its cached verdict.
 *
 * Return: XM_TRUSTED or the reason of a denial.
 */
int execmark_verdict(struct file *file, bool cached_only)
{
	struct inode *inode = d_real_inode(file->f_path.dentry);
	struct execmark_inode *xi = execmark_inode(inode);
	u32 gen;
	u64 cookie;
	int v;

	if (fs_unverifiable(inode->i_sb) || has_writers(inode))
		return XM_UNVERIFIABLE;
	if (!xi || !IS_I_VERSION(inode))	/* no change detection: no cache */
		return cached_only ? XM_UNVERIFIABLE : compute(file);

	v = xm_cache_get(&xi->cache, mark_gen(file, xi), inode_peek_iversion(inode));
	if (v != XM_NONE || cached_only)
		goto hit;

	if (wait_on_bit_lock(&xi->flags, XM_INODE_BUSY, TASK_KILLABLE))
		return XM_ERROR;
	gen = mark_gen(file, xi);
	v = xm_cache_get(&xi->cache, gen, inode_peek_iversion(inode));
	if (v == XM_NONE) {
		smp_rmb();	/* read gen before the mark */
		cookie = inode_query_iversion(inode);
		v = compute(file);
		/* Cache only what held from start to end. */
		if (mark_gen(file, xi) != gen || !inode_eq_iversion(inode, cookie) ||
		    has_writers(inode)) {
			if (v == XM_TRUSTED)
				v = XM_MISMATCH;
		} else if (v != XM_ERROR) {
			xm_cache_set(&xi->cache, gen, cookie, v);
		}
		clear_and_wake_up_bit(XM_INODE_BUSY, &xi->flags);
		return v;
	}
	clear_and_wake_up_bit(XM_INODE_BUSY, &xi->flags);
hit:
	if (v == XM_NONE)
		return XM_UNVERIFIABLE;	/* cached_only and nothing cached */
	xm_stat_add(cache_hits, 1);
	return v;
}

#ifdef CONFIG_SECURITY_EXECMARK_KUNIT_TEST
#include <kunit/test.h>

#include "mark_vectors.h"

static void mark_shape_test(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(execmark_shape_vectors); i++) {
		const struct execmark_vector *v = &execmark_shape_vectors[i];

		KUNIT_EXPECT_EQ_MSG(test, execmark_mark_valid(v->value, v->len),
				    v->valid, "vector: %s", v->name);
	}
}

/* The kernel's SHA-2 of the content gives the digests of the vectors. */
static void mark_content_test(struct kunit *test)
{
	const u8 *data = (const u8 *)EXECMARK_VECTOR_CONTENT;
	size_t len = strlen(EXECMARK_VECTOR_CONTENT);
	u8 digest[EXECMARK_MAX_DIGEST];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(execmark_content_vectors); i++) {
		const struct execmark_vector *v = &execmark_content_vectors[i];
		const struct execmark_mark *m = (const void *)v->value;
		unsigned int dsize = execmark_mark_valid(v->value, v->len);
		union xm_hash_ctx ctx;

		KUNIT_ASSERT_EQ_MSG(test, dsize, v->valid, "vector: %s", v->name);
		hash_init(&ctx, m->algo);
		hash_update(&ctx, m->algo, data, len);
		hash_final(&ctx, m->algo, digest);
		KUNIT_EXPECT_MEMEQ_MSG(test, digest, m->digest, dsize,
				       "vector: %s", v->name);
	}
}

static struct kunit_case mark_test_cases[] = {
	KUNIT_CASE(mark_shape_test),
	KUNIT_CASE(mark_content_test),
	{}
};

static struct kunit_suite mark_test_suite = {
	.name = "execmark_mark",
	.test_cases = mark_test_cases,
};

static void cache_test(struct kunit *test)
{
	struct xm_cache c = {};
	int v;

	KUNIT_EXPECT_EQ(test, xm_cache_get(&c, 0, 0), XM_NONE);

	xm_cache_set(&c, 1, 10, XM_TRUSTED);
	KUNIT_EXPECT_EQ(test, xm_cache_get(&c, 1, 10), XM_TRUSTED);
	KUNIT_EXPECT_EQ(test, xm_cache_get(&c, 2, 10), XM_NONE);	/* mark changed */
	KUNIT_EXPECT_EQ(test, xm_cache_get(&c, 1, 11), XM_NONE);	/* content changed */
	KUNIT_EXPECT_EQ(test, xm_cache_get(&c, 0, 10), XM_NONE);

	/* Re-verified after a change: the new verdict replaces the old. */
	xm_cache_set(&c, 1, 11, XM_MISMATCH);
	KUNIT_EXPECT_EQ(test, xm_cache_get(&c, 1, 11), XM_MISMATCH);
	KUNIT_EXPECT_EQ(test, xm_cache_get(&c, 1, 10), XM_NONE);

	/* Generation 0, and the generation at its wrap. */
	xm_cache_set(&c, 0, 5, XM_UNMARKED);
	KUNIT_EXPECT_EQ(test, xm_cache_get(&c, 0, 5), XM_UNMARKED);
	xm_cache_set(&c, U32_MAX, 5, XM_CORRUPT);
	KUNIT_EXPECT_EQ(test, xm_cache_get(&c, U32_MAX, 5), XM_CORRUPT);
	KUNIT_EXPECT_EQ(test, xm_cache_get(&c, 0, 5), XM_NONE);

	for (v = XM_TRUSTED; v <= XM_ERROR; v++) {
		xm_cache_set(&c, 7, U64_MAX, v);
		KUNIT_EXPECT_EQ(test, xm_cache_get(&c, 7, U64_MAX), v);
	}
}

static struct kunit_case cache_test_cases[] = {
	KUNIT_CASE(cache_test),
	{}
};

static struct kunit_suite cache_test_suite = {
	.name = "execmark_cache",
	.test_cases = cache_test_cases,
};

kunit_test_suites(&mark_test_suite, &cache_test_suite);

#endif /* CONFIG_SECURITY_EXECMARK_KUNIT_TEST */
