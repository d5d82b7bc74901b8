// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: the verdict on a file, and its per-inode cache.
 *
 * A file is trusted when its security.execmark is a well-formed mark whose
 * digest equals the digest of the file's whole content.
 *
 * Under overlayfs a file has two inodes that matter: the one whose extended
 * attributes the user's path shows (the metadata inode) and the one that
 * holds the content (the data inode); elsewhere both are the same inode.
 * The verdict is cached in the blob of the data inode, keyed by
 *
 *  - the metadata inode's mark generation, a number taken from one global
 *    sequence when the inode is created and whenever its mark is set or
 *    removed, so that no two inodes or mark versions ever share one;
 *  - the data inode's writer generation, bumped whenever a file opened for
 *    writing (or writably mapped) is released: that catches changes that
 *    i_version does not, such as userfaultfd filling a tmpfs hole;
 *  - the data inode's i_version;
 *  - for a verdict that the digest allow-list (digests.c) could change, a
 *    generation of the list: a file found on the list ("listed") is judged
 *    again when any digest has left the list since, any other denial when
 *    any digest has joined it (or an entry became signed), a file found on
 *    it unsigned after either. A verdict from a matching mark does not
 *    depend on the list.
 *
 *  - the generation of the keyrings that signatures and revocations are
 *    checked against (sig.c), so that a revocation reaches cached verdicts.
 *
 * A file without a mark that makes it trusted is hashed with SHA-256 and
 * looked up in the allow-list (by_list()), under the same rules as a mark's
 * digest: hashed once, cached, nothing trusted that changed meanwhile.
 *
 * Only file systems whose i_version the kernel itself maintains get a cache
 * (fs_tracks_changes()).
 */

#include <crypto/sha2.h>
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fsverity.h>
#include <linux/fs.h>
#include <linux/iversion.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait_bit.h>
#include <linux/xattr.h>
#include <uapi/linux/execmark.h>

#include "execmark.h"

#define XM_CHUNK	(64 * 1024)

/*
 * A task that finds another hashing the same inode waits for it while it
 * makes progress: at least XM_HASH_PROGRESS bytes every XM_HASH_WAIT. A
 * hasher that falls behind -- it runs at idle priority, or is stopped -- is
 * left to itself: the waiter hashes the file on its own.
 */
#define XM_HASH_WAIT		msecs_to_jiffies(20)
#define XM_HASH_PROGRESS	XM_CHUNK

/*
 * Mark generations are unique, never reused, and only compared for
 * equality. Each CPU hands them out from a batch of XM_GEN_BATCH that it
 * reserves from gen_seq, as get_next_ino() does with inode numbers, so
 * that allocating inodes on many CPUs does not bounce one cache line: the
 * batch that begins after B gives B + 1 to B + XM_GEN_BATCH. 64 bits
 * never wrap.
 */
#define XM_GEN_BATCH	1024
static atomic64_t gen_seq = ATOMIC64_INIT(0);
static DEFINE_PER_CPU(u64, gen_last);

/* The next generation after @last, a batch reserved from @seq if need be. */
static u64 gen_take(u64 *last, atomic64_t *seq)
{
	u64 gen = *last;

	if (unlikely(!(gen % XM_GEN_BATCH)))
		gen = atomic64_add_return(XM_GEN_BATCH, seq) - XM_GEN_BATCH;
	*last = ++gen;
	return gen;
}

static u64 new_gen(void)
{
	u64 gen = gen_take(get_cpu_ptr(&gen_last), &gen_seq);

	put_cpu_ptr(&gen_last);
	return gen;
}

/* What a cached verdict was computed under. */
struct xm_key {
	u64 gen;	/* mark generation of the metadata inode */
	u64 kepoch;	/* generation of the keyrings, execmark_keys_epoch() */
	u32 wgen;	/* writer generation of the data inode */
	u32 ladd, ldel;	/* generations of the digest list */
};

/* The inodes of a file as the user's path shows it. */
struct xm_view {
	struct dentry *dentry;	/* the user's; the mark is read through it */
	struct inode *data;	/* holds the content and the cache */
	struct execmark_inode *dxi, *mxi;	/* data and metadata blobs */
};

static void view_of(struct file *file, struct xm_view *v)
{
	/* A backing file (mprotect under overlayfs) stands for its user path. */
	struct dentry *dentry = file_user_path(file)->dentry;

	v->dentry = dentry;
	v->data = d_real_inode(dentry);
	v->dxi = execmark_inode(v->data);
	v->mxi = execmark_inode(d_inode(d_real(dentry, D_REAL_METADATA)));
}

static void key_of(const struct xm_view *v, struct xm_key *k)
{
	k->gen = READ_ONCE(v->mxi->gen);
	k->wgen = atomic_read(&v->dxi->wgen);
	execmark_digests_gens(&k->ladd, &k->ldel);
	k->kepoch = execmark_keys_epoch();
	smp_rmb();	/* the key is read before the mark and the content */
}

static bool key_eq(const struct xm_key *a, const struct xm_key *b)
{
	return a->gen == b->gen && a->wgen == b->wgen;
}

/*
 * The generation of the digest list that @verdict depends on: a listed
 * file's, that no digest left the list; the denials that the list could
 * turn into "listed" (by_list()), that none joined it; others, none.
 */
static u32 list_gen(const struct xm_key *k, int verdict)
{
	switch (verdict) {
	case XM_LISTED:
		return k->ldel;
	case XM_LISTED_UNSIGNED:
		return k->ladd + k->ldel;	/* both only grow */
	case XM_UNMARKED:
	case XM_CORRUPT:
	case XM_MISMATCH:
		return k->ladd;
	default:
		return 0;
	}
}

/* Readers take no lock; fillers serialise on the seqlock's spinlock. */
static int cache_get(struct xm_cache *c, const struct xm_key *k, u64 cookie)
{
	unsigned int seq;
	int v;

	do {
		seq = read_seqbegin(&c->lock);
		v = c->verdict;
		if (c->gen != k->gen || c->wgen != k->wgen || c->cookie != cookie ||
		    c->kepoch != k->kepoch || c->lgen != list_gen(k, v))
			v = XM_NONE;
	} while (read_seqretry(&c->lock, seq));
	return v;
}

static void cache_set(struct xm_cache *c, const struct xm_key *k, u64 cookie,
		      int verdict)
{
	write_seqlock(&c->lock);
	c->gen = k->gen;
	c->wgen = k->wgen;
	c->kepoch = k->kepoch;
	c->cookie = cookie;
	c->verdict = verdict;
	c->lgen = list_gen(k, verdict);
	write_sequnlock(&c->lock);
}

/**
 * execmark_inode_init - set up the blob of a new inode
 * @inode: the inode
 */
void execmark_inode_init(struct inode *inode)
{
	struct execmark_inode *xi = execmark_inode(inode);

	if (!xi)
		return;
	seqlock_init(&xi->cache.lock);
	xi->gen = new_gen();
}

/**
 * execmark_mark_changed - a mark was set or removed: drop cached verdicts
 * @inode: the inode whose security.execmark changed
 */
void execmark_mark_changed(struct inode *inode)
{
	struct execmark_inode *xi = execmark_inode(inode);

	if (xi)
		WRITE_ONCE(xi->gen, new_gen());
}

/**
 * execmark_writer_gone - a file that could write @inode was released
 * @inode: its inode
 *
 * Drops the cached verdict, and makes a verification that overlapped the
 * writer's life discard its result.
 */
void execmark_writer_gone(struct inode *inode)
{
	struct execmark_inode *xi = execmark_inode(inode);

	if (xi)
		atomic_inc(&xi->wgen);
}

/*
 * File systems whose i_version the kernel maintains on every change of
 * content: tmpfs (and the initramfs root when it is tmpfs), recognised by
 * its mapping, and these, by name. SB_I_VERSION alone is not enough:
 * "mount -o iversion" sets it on any file system (NFS, 9p, ramfs...),
 * whose i_version then never moves.
 */
static const char *const iversion_fs[] = { "ext4", "xfs", "btrfs" };

static bool fs_tracks_changes(const struct inode *inode)
{
	const struct super_block *sb = inode->i_sb;
	unsigned int i;

	if (!(sb->s_flags & SB_I_VERSION))
		return false;
	if (shmem_mapping(inode->i_mapping))
		return true;
	for (i = 0; i < ARRAY_SIZE(iversion_fs); i++)
		if (!strcmp(sb->s_type->name, iversion_fs[i]))
			return true;
	return false;
}

/*
 * The kernel vouches only for content it stores itself and whose changes it
 * sees: not for anonymous files (memfd, shm), FUSE, file systems mounted in
 * a user namespace or by an untrusted mounter, or file systems with neither
 * a local block device nor a kernel-maintained i_version (network and
 * pseudo file systems).
 */
static bool fs_unverifiable(const struct inode *inode)
{
	const struct super_block *sb = inode->i_sb;

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
	return !sb->s_bdev && !fs_tracks_changes(inode);
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
 * @data: the inode that holds its content
 * @algo: enum hash_algo, one of the mark's
 * @digest: where the digest goes
 *
 * @progress: where to publish the bytes hashed so far, or NULL
 *
 * Reads up to the size of @data, which is the size of the content even
 * when @file is an overlay file whose own size is stale, then makes sure
 * nothing follows.
 *
 * Return: 0, -EAGAIN when the size changed while it was read, or -errno.
 */
static int hash_file(struct file *file, struct inode *data, int algo, u8 *digest,
		     unsigned long *progress)
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
	size = i_size_read(data);
	while (pos < size) {
		ssize_t n = __kernel_read(f, buf, min_t(loff_t, bufsize, size - pos), &pos);

		if (n <= 0) {
			ret = n ? n : -EAGAIN;	/* shrank while read */
			break;
		}
		hash_update(&ctx, algo, buf, n);
		if (progress)
			WRITE_ONCE(*progress, pos);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	/* More content than was hashed: never call that trusted. */
	if (!ret) {
		ssize_t n = __kernel_read(f, buf, 1, &pos);

		if (n)
			ret = n < 0 ? n : -EAGAIN;
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

/*
 * by_list - the verdict on content that no mark makes trusted
 * @file: the file
 * @v: its inodes
 * @verdict: the reason of the denial without the list
 * @sha256: the SHA-256 of the content if known, else NULL
 * @progress: as for hash_file()
 *
 * A listed digest that is on the blacklist keyring (a "bin:" entry, as for
 * marks) is XM_REVOKED: the blacklist may grow after the entry was added,
 * so it is checked here, when the file is judged, and not when the entry
 * is written.
 *
 * Return: XM_LISTED when the content's SHA-256 is on the digest
 * allow-list by a signed entry, XM_LISTED_UNSIGNED by an unsigned one,
 * XM_REVOKED when it is also on the blacklist, XM_ERROR when it could not
 * be hashed, else @verdict.
 */
static int by_list(struct file *file, const struct xm_view *v, int verdict,
		   const u8 *sha256, unsigned long *progress)
{
	u8 digest[SHA256_DIGEST_SIZE];
	int ret;

	if (!execmark_digests_active())
		return verdict;
	if (!sha256) {
		ret = hash_file(file, v->data, HASH_ALGO_SHA256, digest, progress);
		if (ret == -EAGAIN)
			return verdict;	/* changed under the hash: not listed */
		if (ret)
			return XM_ERROR;
		sha256 = digest;
	}
	ret = execmark_digest_listed(sha256);
	if (ret == XM_LIST_NONE)
		return verdict;
	if (execmark_digest_revoked(sha256, SHA256_DIGEST_SIZE))
		return XM_REVOKED;
	return ret == XM_LIST_SIGNED ? XM_LISTED : XM_LISTED_UNSIGNED;
}

/*
 * A verity mark: the digest fs-verity keeps for the data inode, which the
 * file system checks every page against as it is read. Nothing is hashed.
 */
static int verity_matches(struct file *file, const struct xm_view *v,
			  const struct execmark_parsed *p)
{
	u8 digest[FS_VERITY_MAX_DIGEST_SIZE];
	u8 alg;
	int n;

	xm_stat_add(verity_checks, 1);
	/*
	 * The data inode's fs-verity state is set up when a file of it is
	 * opened; a stacked file system may not have opened its lower file
	 * yet. Never for writing: a file with writers is unverifiable.
	 */
	if (fsverity_file_open(v->data, file))
		return XM_ERROR;
	n = fsverity_get_digest(v->data, digest, &alg, NULL);
	if (n <= 0)
		return XM_NOT_VERITY;
	if (alg != p->algo || n != p->dsize || memcmp(digest, p->digest, n))
		return XM_MISMATCH;
	return XM_TRUSTED;
}

/*
 * Read the mark, check its digest, then its signature: the verdict,
 * uncached. A mark that matches but has no signature is XM_UNSIGNED,
 * which execmark_verdict() trusts unless require_signed is set.
 */
static int compute(struct file *file, const struct xm_view *v,
		   unsigned long *progress)
{
	u8 digest[EXECMARK_MAX_DIGEST];
	const u8 *sha256 = NULL;
	struct execmark_parsed p;
	bool listable = true;
	ssize_t len;
	u8 *mark;
	int ret;

	mark = kmalloc(EXECMARK_V2_MAX_SIZE, GFP_KERNEL);
	if (!mark)
		return XM_ERROR;
	len = __vfs_getxattr(v->dentry, d_inode(v->dentry), EXECMARK_XATTR_NAME,
			     mark, EXECMARK_V2_MAX_SIZE);
	if (len == -ENODATA || len == -EOPNOTSUPP)
		ret = XM_UNMARKED;
	else if (len == -ERANGE)
		ret = XM_CORRUPT;	/* longer than any valid mark */
	else if (len < 0)
		ret = XM_ERROR;
	else if (execmark_mark_parse(mark, len, &p))
		ret = XM_CORRUPT;
	else if (p.kind == EXECMARK_KIND_VERITY)
		ret = verity_matches(file, v, &p);
	else
		ret = XM_NONE;
	if (ret == XM_NONE) {
		ret = hash_file(file, v->data, p.algo, digest, progress);
		if (ret == -EAGAIN) {
			ret = XM_MISMATCH;	/* the content changed under the hash */
			listable = false;
		} else if (ret) {
			ret = XM_ERROR;
		} else if (memcmp(digest, p.digest, p.dsize)) {
			ret = XM_MISMATCH;
			/* A SHA-256 of the whole content serves the allow-list too. */
			if (p.algo == HASH_ALGO_SHA256)
				sha256 = digest;
		} else {
			ret = XM_TRUSTED;
		}
	}
	if (ret == XM_TRUSTED && execmark_digest_revoked(p.digest, p.dsize))
		ret = XM_REVOKED;
	if (ret == XM_TRUSTED && !p.sig) {
		ret = XM_UNSIGNED;
	} else if (ret == XM_TRUSTED) {
		ret = execmark_sig_verify(&p);
		if (ret == -ENOMEM)
			ret = XM_ERROR;
		else
			ret = ret ? XM_BAD_SIGNATURE : XM_TRUSTED;
	}
	kfree(mark);
	/* A file that no mark makes trusted may still be on the allow-list. */
	if (listable && (ret == XM_UNMARKED || ret == XM_CORRUPT || ret == XM_MISMATCH))
		ret = by_list(file, v, ret, sha256, progress);
	return ret;
}

/*
 * Without a cache (no kernel-maintained i_version) the content still must
 * hold still while it is hashed: the same size, ctime, writer generation
 * and no writer, before and after.
 */
static int verify_uncached(struct file *file, const struct xm_view *v)
{
	struct timespec64 ctime = inode_get_ctime(v->data);
	loff_t size = i_size_read(v->data);
	u32 wgen = v->dxi ? atomic_read(&v->dxi->wgen) : 0;
	struct timespec64 now;
	int verdict;

	smp_rmb();	/* sampled before the content is read */
	verdict = compute(file, v, NULL);
	if (!execmark_allowed(verdict) && verdict != XM_UNSIGNED)
		return verdict;
	now = inode_get_ctime(v->data);
	if (!timespec64_equal(&ctime, &now) || size != i_size_read(v->data) ||
	    (v->dxi && wgen != atomic_read(&v->dxi->wgen)) || has_writers(v->data))
		return XM_MISMATCH;
	return verdict;
}

/*
 * Hash, and cache the verdict if nothing changed from start to end. A
 * change of the digest list alone leaves the verdict as it was when the
 * list was looked up, uncached.
 */
static int verify_and_cache(struct file *file, const struct xm_view *v,
			    bool owner)
{
	struct xm_key before, after;
	u64 cookie;
	int verdict;

	key_of(v, &before);
	cookie = inode_query_iversion(v->data);
	if (owner)
		WRITE_ONCE(v->dxi->hashed, 0);
	verdict = compute(file, v, owner ? &v->dxi->hashed : NULL);
	key_of(v, &after);
	if (!key_eq(&before, &after) || !inode_eq_iversion(v->data, cookie) ||
	    has_writers(v->data)) {
		if (execmark_allowed(verdict) || verdict == XM_UNSIGNED ||
		    verdict == XM_LISTED_UNSIGNED)
			verdict = XM_MISMATCH;
	} else if (verdict != XM_ERROR && before.kepoch == after.kepoch &&
		   list_gen(&before, verdict) == list_gen(&after, verdict)) {
		/* A key, revocation or list change meanwhile: judged again next time. */
		cache_set(&v->dxi->cache, &before, cookie, verdict);
	}
	return verdict;
}

static int cached(const struct xm_view *v)
{
	struct xm_key k;

	key_of(v, &k);
	return cache_get(&v->dxi->cache, &k, inode_peek_iversion(v->data));
}

/*
 * Wait for the owner of XM_INODE_BUSY while it makes progress.
 * Return: 0 when the owner is done or stalled, -EINTR when killed.
 */
static int wait_for_hasher(struct execmark_inode *xi)
{
	unsigned long seen = READ_ONCE(xi->hashed), now;

	while (wait_on_bit_timeout(&xi->flags, XM_INODE_BUSY, TASK_KILLABLE,
				   XM_HASH_WAIT)) {
		if (fatal_signal_pending(current))
			return -EINTR;
		now = READ_ONCE(xi->hashed);
		if (now - seen < XM_HASH_PROGRESS)
			break;
		seen = now;
	}
	return 0;
}

/*
 * verdict_of - the verdict on @file, cached or computed
 * @file: the file of an exec-intent access
 * @cached_only: do not read the file (mprotect runs under the mmap lock)
 *
 * Concurrent first checks of one inode hash it once: the others wait for
 * the first, as long as it makes progress (wait_for_hasher()); past that
 * they hash the file themselves, and whichever finishes first fills the
 * cache.
 *
 * Return: XM_TRUSTED, XM_UNSIGNED or the reason of a denial.
 */
static int verdict_of(struct file *file, bool cached_only)
{
	struct xm_view v;
	bool owner;
	int verdict;

	view_of(file, &v);
	if (has_writers(v.data))
		return XM_UNVERIFIABLE;
	/* Only verifiable inodes ever have a cached verdict. */
	if (likely(v.dxi && v.mxi && IS_I_VERSION(v.data))) {
		verdict = cached(&v);
		if (verdict != XM_NONE)
			goto hit;
	}
	if (cached_only || fs_unverifiable(v.data))
		return XM_UNVERIFIABLE;
	if (!v.dxi || !v.mxi || !fs_tracks_changes(v.data))
		return verify_uncached(file, &v);

	owner = !test_and_set_bit_lock(XM_INODE_BUSY, &v.dxi->flags);
	if (!owner) {
		if (wait_for_hasher(v.dxi))
			return XM_ERROR;
		verdict = cached(&v);
		if (verdict != XM_NONE)
			goto hit;
	}
	verdict = verify_and_cache(file, &v, owner);
	if (owner)
		clear_and_wake_up_bit(XM_INODE_BUSY, &v.dxi->flags);
	return verdict;
hit:
	xm_stat_add(cache_hits, 1);
	return verdict;
}

/**
 * execmark_verdict - may @file be executed?
 * @file: the file of an exec-intent access
 * @cached_only: do not read the file (mprotect runs under the mmap lock)
 *
 * Signatures are verified once per mark generation and cached with the
 * verdict; require_signed applies to the cached verdict, so that turning
 * it on takes effect at once. Under it, unsigned marks and the unsigned
 * entries of the digest allow-list are denied as "unsigned".
 *
 * Return: XM_TRUSTED, XM_LISTED, or the reason of a denial.
 */
int execmark_verdict(struct file *file, bool cached_only)
{
	int verdict = verdict_of(file, cached_only);

	if (verdict != XM_UNSIGNED && verdict != XM_LISTED_UNSIGNED)
		return verdict;
	if (execmark_require_signed() != XM_SIGNED_OFF)
		return XM_UNSIGNED;
	return verdict == XM_UNSIGNED ? XM_TRUSTED : XM_LISTED;
}

#ifdef CONFIG_SECURITY_EXECMARK_KUNIT_TEST
#include <kunit/test.h>
#include <linux/sort.h>

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

/* The parser of both versions agrees with the version 1 checker. */
static void mark_parse_v1_test(struct kunit *test)
{
	struct execmark_parsed p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(execmark_shape_vectors); i++) {
		const struct execmark_vector *v = &execmark_shape_vectors[i];
		int ret = execmark_mark_parse(v->value, v->len, &p);

		KUNIT_EXPECT_EQ_MSG(test, ret, v->valid ? 0 : -1, "vector: %s", v->name);
		if (ret || !v->valid)
			continue;
		KUNIT_EXPECT_EQ(test, p.version, EXECMARK_FORMAT_V1);
		KUNIT_EXPECT_EQ(test, p.kind, EXECMARK_KIND_CONTENT);
		KUNIT_EXPECT_EQ(test, p.dsize, v->valid);
		KUNIT_EXPECT_PTR_EQ(test, p.digest, &v->value[EXECMARK_HDR_SIZE]);
		KUNIT_EXPECT_NULL(test, p.sig);
	}
}

/* A version 2 mark in @buf: header, @dsize digest bytes, a signature. */
static unsigned int mark_v2(u8 *buf, u8 kind, u8 algo, u8 flags,
			    unsigned int dsize, unsigned int sig_len)
{
	unsigned int n = EXECMARK_V2_HDR_SIZE;

	buf[0] = EXECMARK_FORMAT_V2;
	buf[1] = kind;
	buf[2] = algo;
	buf[3] = flags;
	memset(buf + n, 0xd5, dsize);
	n += dsize;
	if (!(flags & EXECMARK_FLAG_SIGNED))
		return n;
	buf[n++] = sig_len & 0xff;
	buf[n++] = sig_len >> 8;
	memset(buf + n, 0x30, sig_len);
	return n + sig_len;
}

static void mark_parse_v2_test(struct kunit *test)
{
	static const struct {
		u8 kind, algo;
		unsigned int dsize;
	} ok[] = {
		{ EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, 32 },
		{ EXECMARK_KIND_CONTENT, HASH_ALGO_SHA384, 48 },
		{ EXECMARK_KIND_CONTENT, HASH_ALGO_SHA512, 64 },
		{ EXECMARK_KIND_VERITY, FS_VERITY_HASH_ALG_SHA256, 32 },
		{ EXECMARK_KIND_VERITY, FS_VERITY_HASH_ALG_SHA512, 64 },
	};
	struct execmark_parsed p;
	unsigned int i, n;
	u8 *buf;

	buf = kunit_kzalloc(test, EXECMARK_V2_MAX_SIZE + 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		u8 kind = ok[i].kind, algo = ok[i].algo;
		unsigned int ds = ok[i].dsize;

		/* Unsigned: exactly header and digest. */
		n = mark_v2(buf, kind, algo, 0, ds, 0);
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n, &p), 0);
		KUNIT_EXPECT_EQ(test, p.version, EXECMARK_FORMAT_V2);
		KUNIT_EXPECT_EQ(test, p.kind, kind);
		KUNIT_EXPECT_EQ(test, p.algo, algo);
		KUNIT_EXPECT_EQ(test, p.dsize, ds);
		KUNIT_EXPECT_PTR_EQ(test, p.digest, buf + EXECMARK_V2_HDR_SIZE);
		KUNIT_EXPECT_EQ(test, p.sig_len, 0);
		KUNIT_EXPECT_NULL(test, p.sig);
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n - 1, &p), -1);
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n + 1, &p), -1);
		/* Unknown flags. */
		buf[3] = 0x02;
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n, &p), -1);
		buf[3] = 0x80;
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n, &p), -1);

		/* Signed, shortest and longest signature. */
		n = mark_v2(buf, kind, algo, EXECMARK_FLAG_SIGNED, ds, 1);
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n, &p), 0);
		KUNIT_EXPECT_EQ(test, p.sig_len, 1);
		KUNIT_EXPECT_PTR_EQ(test, p.sig, buf + EXECMARK_V2_HDR_SIZE + ds + 2);
		n = mark_v2(buf, kind, algo, EXECMARK_FLAG_SIGNED, ds, EXECMARK_MAX_SIG);
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n, &p), 0);
		KUNIT_EXPECT_EQ(test, p.sig_len, EXECMARK_MAX_SIG);
		/* Truncated signature, trailing byte. */
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n - 1, &p), -1);
		buf[n] = 0x30;
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n + 1, &p), -1);
		/* Oversized signature: the length says more than allowed. */
		n = mark_v2(buf, kind, algo, EXECMARK_FLAG_SIGNED, ds, EXECMARK_MAX_SIG + 1);
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n, &p), -1);
		/* Zero-length signature. */
		n = mark_v2(buf, kind, algo, EXECMARK_FLAG_SIGNED, ds, 0);
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n, &p), -1);
		/* Signed flag, but no or half a length field. */
		n = mark_v2(buf, kind, algo, 0, ds, 0);
		buf[3] = EXECMARK_FLAG_SIGNED;
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n, &p), -1);
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n + 1, &p), -1);
		/* A signature without the signed flag. */
		n = mark_v2(buf, kind, algo, EXECMARK_FLAG_SIGNED, ds, 16);
		buf[3] = 0;
		KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n, &p), -1);
	}

	/* Unknown kinds; each kind's algorithms are not the other's. */
	for (i = 0; i < 256; i++) {
		bool content = i == HASH_ALGO_SHA256 || i == HASH_ALGO_SHA384 ||
			       i == HASH_ALGO_SHA512;
		bool verity = i == FS_VERITY_HASH_ALG_SHA256 ||
			      i == FS_VERITY_HASH_ALG_SHA512;

		n = mark_v2(buf, EXECMARK_KIND_CONTENT, i, 0,
			    content ? execmark_digest_size(i) : 32, 0);
		KUNIT_EXPECT_EQ_MSG(test, execmark_mark_parse(buf, n, &p),
				    content ? 0 : -1, "content algo %u", i);
		n = mark_v2(buf, EXECMARK_KIND_VERITY, i, 0,
			    verity ? execmark_verity_digest_size(i) : 32, 0);
		KUNIT_EXPECT_EQ_MSG(test, execmark_mark_parse(buf, n, &p),
				    verity ? 0 : -1, "verity algo %u", i);
		if (i == EXECMARK_KIND_CONTENT || i == EXECMARK_KIND_VERITY)
			continue;
		n = mark_v2(buf, i, HASH_ALGO_SHA256, 0, 32, 0);
		KUNIT_EXPECT_EQ_MSG(test, execmark_mark_parse(buf, n, &p), -1,
				    "kind %u", i);
	}

	/* Headers cut short, and anything longer than the bound. */
	mark_v2(buf, EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, 0, 32, 0);
	for (n = 0; n < EXECMARK_V2_HDR_SIZE + 32; n++)
		KUNIT_EXPECT_EQ_MSG(test, execmark_mark_parse(buf, n, &p), -1,
				    "length %u", n);
	n = mark_v2(buf, EXECMARK_KIND_CONTENT, HASH_ALGO_SHA512,
		    EXECMARK_FLAG_SIGNED, 64, EXECMARK_MAX_SIG);
	KUNIT_EXPECT_EQ(test, n, EXECMARK_V2_MAX_SIZE);
	KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n, &p), 0);
	KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n + 1, &p), -1);
	/* Version 1 and other versions stay what they were. */
	buf[0] = EXECMARK_FORMAT_V1;
	KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n, &p), -1);
	buf[0] = 0x03;
	KUNIT_EXPECT_EQ(test, execmark_mark_parse(buf, n, &p), -1);
}

/* The signed message binds version, kind, algorithm and digest. */
static void sig_message_test(struct kunit *test)
{
	static const u8 expect[] = {
		'E', 'X', 'E', 'C', 'M', 'A', 'R', 'K',
		EXECMARK_FORMAT_V2, EXECMARK_KIND_VERITY, FS_VERITY_HASH_ALG_SHA256, 32,
		0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5,
		0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5,
		0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5,
		0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5,
	};
	u8 buf[EXECMARK_V2_HDR_SIZE + 64 + 2 + 4];
	u8 msg[EXECMARK_SIG_MSG_MAX], other[EXECMARK_SIG_MSG_MAX];
	struct execmark_parsed p, q;
	unsigned int n, len;

	n = mark_v2(buf, EXECMARK_KIND_VERITY, FS_VERITY_HASH_ALG_SHA256,
		    EXECMARK_FLAG_SIGNED, 32, 4);
	KUNIT_ASSERT_EQ(test, execmark_mark_parse(buf, n, &p), 0);
	len = execmark_sig_message(&p, msg);
	KUNIT_EXPECT_EQ(test, len, sizeof(expect));
	KUNIT_EXPECT_MEMEQ(test, msg, expect, sizeof(expect));

	/* The same digest as another kind or algorithm: another message. */
	q = p;
	q.kind = EXECMARK_KIND_CONTENT;
	q.algo = HASH_ALGO_SHA256;
	KUNIT_EXPECT_EQ(test, execmark_sig_message(&q, other), len);
	KUNIT_EXPECT_MEMNEQ(test, other, msg, len);
	q = p;
	q.algo = FS_VERITY_HASH_ALG_SHA512;
	execmark_sig_message(&q, other);
	KUNIT_EXPECT_MEMNEQ(test, other, msg, len);
	q = p;
	q.version = EXECMARK_FORMAT_V1;
	execmark_sig_message(&q, other);
	KUNIT_EXPECT_MEMNEQ(test, other, msg, len);

	/* The longest message fits the bound. */
	n = mark_v2(buf, EXECMARK_KIND_CONTENT, HASH_ALGO_SHA512,
		    EXECMARK_FLAG_SIGNED, 64, 4);
	KUNIT_ASSERT_EQ(test, execmark_mark_parse(buf, n, &p), 0);
	KUNIT_EXPECT_EQ(test, execmark_sig_message(&p, msg), EXECMARK_SIG_MSG_MAX);
}

static struct kunit_case mark_test_cases[] = {
	KUNIT_CASE(mark_shape_test),
	KUNIT_CASE(mark_content_test),
	KUNIT_CASE(mark_parse_v1_test),
	KUNIT_CASE(mark_parse_v2_test),
	KUNIT_CASE(sig_message_test),
	{}
};

static struct kunit_suite mark_test_suite = {
	.name = "execmark_mark",
	.test_cases = mark_test_cases,
};

static void cache_test(struct kunit *test)
{
	struct xm_cache c = {};
	struct xm_key k1 = { .gen = 1, .wgen = 0 }, k2 = { .gen = 2, .wgen = 0 };
	struct xm_key w1 = { .gen = 1, .wgen = 1 }, e1 = { .gen = 1, .kepoch = 1 };
	struct xm_key big = { .gen = U64_MAX, .wgen = U32_MAX, .kepoch = U64_MAX };
	/* 2^32 key changes later: not the same keys (a 32-bit epoch wrapped). */
	struct xm_key e32 = { .gen = 1, .kepoch = 1ULL << 32 };
	struct xm_key a1 = { .gen = 1, .ladd = 1 }, d1 = { .gen = 1, .ldel = 1 };
	int v;

	seqlock_init(&c.lock);
	KUNIT_EXPECT_EQ(test, cache_get(&c, &k1, 0), XM_NONE);

	cache_set(&c, &k1, 10, XM_TRUSTED);
	KUNIT_EXPECT_EQ(test, cache_get(&c, &k1, 10), XM_TRUSTED);
	KUNIT_EXPECT_EQ(test, cache_get(&c, &k2, 10), XM_NONE);	/* mark changed */
	KUNIT_EXPECT_EQ(test, cache_get(&c, &w1, 10), XM_NONE);	/* a writer went */
	KUNIT_EXPECT_EQ(test, cache_get(&c, &k1, 11), XM_NONE);	/* content changed */
	KUNIT_EXPECT_EQ(test, cache_get(&c, &e1, 10), XM_NONE);	/* keys changed */
	KUNIT_EXPECT_EQ(test, cache_get(&c, &e32, 10), XM_NONE);

	/* Re-verified after a change: the new verdict replaces the old. */
	cache_set(&c, &k1, 11, XM_MISMATCH);
	KUNIT_EXPECT_EQ(test, cache_get(&c, &k1, 11), XM_MISMATCH);
	KUNIT_EXPECT_EQ(test, cache_get(&c, &k1, 10), XM_NONE);

	for (v = XM_TRUSTED; v <= XM_LISTED_UNSIGNED; v++) {
		cache_set(&c, &big, U64_MAX, v);
		KUNIT_EXPECT_EQ(test, cache_get(&c, &big, U64_MAX), v);
	}

	/* A mark's verdict does not depend on the digest list. */
	cache_set(&c, &k1, 10, XM_TRUSTED);
	KUNIT_EXPECT_EQ(test, cache_get(&c, &a1, 10), XM_TRUSTED);
	KUNIT_EXPECT_EQ(test, cache_get(&c, &d1, 10), XM_TRUSTED);
	/* Listed: judged again once a digest left the list. */
	cache_set(&c, &k1, 10, XM_LISTED);
	KUNIT_EXPECT_EQ(test, cache_get(&c, &a1, 10), XM_LISTED);
	KUNIT_EXPECT_EQ(test, cache_get(&c, &d1, 10), XM_NONE);
	/* Listed unsigned: judged again after either change. */
	cache_set(&c, &k1, 10, XM_LISTED_UNSIGNED);
	KUNIT_EXPECT_EQ(test, cache_get(&c, &k1, 10), XM_LISTED_UNSIGNED);
	KUNIT_EXPECT_EQ(test, cache_get(&c, &a1, 10), XM_NONE);
	KUNIT_EXPECT_EQ(test, cache_get(&c, &d1, 10), XM_NONE);
	/* A denial: judged again once a digest joined the list. */
	for (v = XM_UNMARKED; v <= XM_MISMATCH; v++) {
		cache_set(&c, &k1, 10, v);
		KUNIT_EXPECT_EQ(test, cache_get(&c, &d1, 10), v);
		KUNIT_EXPECT_EQ(test, cache_get(&c, &a1, 10), XM_NONE);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Two CPUs from a fresh counter, one taking twice as many as the other,
 * over batch boundaries: none 0, none twice, and one reservation per
 * XM_GEN_BATCH taken (five batches in all); new_gen() as well.
 */
static void gen_test(struct kunit *test)
{
	unsigned int n = 3 * XM_GEN_BATCH + 3, i;
	u64 *g = kunit_kmalloc_array(test, n, sizeof(*g), GFP_KERNEL);
	atomic64_t seq = ATOMIC64_INIT(0);
	u64 last[2] = {};

	KUNIT_ASSERT_NOT_NULL(test, g);
	for (i = 0; i < n; i++)
		g[i] = gen_take(&last[i % 3 == 0], &seq);
	KUNIT_EXPECT_EQ(test, atomic64_read(&seq), 5 * XM_GEN_BATCH);
	sort(g, n, sizeof(*g), cmp_u64, NULL);
	KUNIT_EXPECT_NE(test, g[0], 0);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_NE(test, g[i - 1], g[i]);
	KUNIT_EXPECT_NE(test, new_gen(), new_gen());
}

static struct kunit_case cache_test_cases[] = {
	KUNIT_CASE(cache_test),
	KUNIT_CASE(gen_test),
	{}
};

static struct kunit_suite cache_test_suite = {
	.name = "execmark_cache",
	.test_cases = cache_test_cases,
};

kunit_test_suites(&mark_test_suite, &cache_test_suite);

#endif /* CONFIG_SECURITY_EXECMARK_KUNIT_TEST */
