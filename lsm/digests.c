// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: the digest allow-list.
 *
 * A set of SHA-256 content digests, each with a reference count, managed
 * through /sys/kernel/security/execmark/digests by a process with
 * CAP_MAC_ADMIN. A file whose mark does not make it trusted, but whose
 * content's SHA-256 is on the list, is trusted (verify.c: "listed").
 *
 * The list is a hash table of singly linked chains, sized to the number of
 * entries (two per bucket on average at most). Lookups take no lock: they
 * run under RCU and retry when the table was rehashed meanwhile (@seq).
 * Writers serialise on @lock. An entry is 48 bytes in its own slab cache;
 * the buckets add 2 to 16 bytes per entry.
 *
 * Each write is one transaction: it is parsed and checked whole before any
 * of it is applied. Two generations tell the verdict cache what changed:
 * @add_gen advances when a digest joins the list or an entry becomes
 * signed (a cached denial may be wrong now), @del_gen when one leaves it
 * or stops being signed (a cached "listed" may be).
 *
 * An added line may carry a detached PKCS#7 signature over the message a
 * signed content mark of format version 2 with that SHA-256 digest would
 * be signed over (execmark_sig_message()), so that a signed mark's
 * signature serves its allow-list entry too. It is verified against the
 * .execmark keyring when the line is written, before anything is applied;
 * the entry remembers that it was signed (XM_REFS_SIGNED) until its last
 * reference leaves the list. Under require_signed only signed entries make
 * a file "listed".
 */

#define pr_fmt(fmt) "execmark: " fmt

#include <crypto/sha2.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hex.h>
#include <linux/jhash.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include <uapi/linux/execmark.h>

#include "execmark.h"

#define XM_DIGESTS_DEFAULT_MAX	262144
#define XM_DIGESTS_LIMIT	BIT(24)	/* the largest bound one may set */
#define XM_DIGESTS_WRITE_MAX	(32u << 20)	/* bytes in one write */
#define XM_MIN_SHIFT		4		/* 16 buckets */

/* "+sha256:" and 64 hex digits */
#define XM_PREFIX		"sha256:"
#define XM_LINE_LEN		(1 + sizeof(XM_PREFIX) - 1 + 2 * SHA256_DIGEST_SIZE)
/* then optionally " sig:" and the signature's DER in hex */
#define XM_SIG_PREFIX		" sig:"
#define XM_SIG_LINE_MAX		(XM_LINE_LEN + sizeof(XM_SIG_PREFIX) - 1 + \
				 2 * EXECMARK_MAX_SIG)

/* An entry's @refs: its count, and whether a signed line added it. */
#define XM_REFS_SIGNED		((u32)BIT(31))
#define XM_REFS_MAX		(XM_REFS_SIGNED - 1)

struct xm_digest {
	struct xm_digest __rcu *next;
	u32 refs;			/* count | XM_REFS_SIGNED */
	u32 hash;
	u8 digest[SHA256_DIGEST_SIZE];
};

struct xm_table {
	unsigned int shift;			/* 1 << shift buckets */
	struct xm_digest __rcu *bucket[];
};

struct xm_list {
	struct mutex lock;			/* serialises writers */
	seqcount_t seq;				/* odd while rehashing */
	struct xm_table __rcu *table;		/* NULL while empty */
	unsigned int count;			/* entries */
	unsigned int max;			/* bound on @count */
	u32 add_gen, del_gen;
};

static struct kmem_cache *digest_cache __ro_after_init;
static u32 hash_seed __ro_after_init;

static struct xm_list the_list = {
	.lock = __MUTEX_INITIALIZER(the_list.lock),
	.seq = SEQCNT_ZERO(the_list.seq),
	.max = XM_DIGESTS_DEFAULT_MAX,
};

static u32 digest_hash(const u8 *digest)
{
	return jhash(digest, SHA256_DIGEST_SIZE, hash_seed);
}

static unsigned int bucket_of(const struct xm_table *t, u32 hash)
{
	return hash >> (32 - t->shift);
}

/* The table a list of @n entries gets: at most two entries per bucket. */
static unsigned int shift_for(unsigned int n)
{
	unsigned int shift = XM_MIN_SHIFT;

	while ((2ul << shift) < n)
		shift++;
	return shift;
}

/* Whether a table of @shift should be resized for @n entries. */
static bool needs_resize(const struct xm_table *t, unsigned int n)
{
	if (!t)
		return n;
	if (!n)
		return true;
	/* Grow beyond two per bucket, shrink below one per eight. */
	return (2ul << t->shift) < n ||
	       (t->shift > XM_MIN_SHIFT && (n << 3) < (1ul << t->shift));
}

static size_t table_bytes(unsigned int shift)
{
	return struct_size_t(struct xm_table, bucket, 1ul << shift);
}

static struct xm_table *table_alloc(unsigned int shift)
{
	struct xm_table *t = kvzalloc(table_bytes(shift), GFP_KERNEL);

	if (t)
		t->shift = shift;
	return t;
}

#define deref_locked(l, p)	rcu_dereference_protected(p, lockdep_is_held(&(l)->lock))

static struct xm_digest *chain_find(const struct xm_list *l,
				    const struct xm_table *t, u32 hash,
				    const u8 *digest)
{
	struct xm_digest *e;

	e = rcu_dereference_check(t->bucket[bucket_of(t, hash)],
				  lockdep_is_held(&l->lock));
	for (; e; e = rcu_dereference_check(e->next, lockdep_is_held(&l->lock)))
		if (e->hash == hash && !memcmp(e->digest, digest, SHA256_DIGEST_SIZE))
			return e;
	return NULL;
}

/* The @refs of @digest's entry, 0 when it is not listed. */
static u32 list_refs(struct xm_list *l, const u8 *digest)
{
	u32 hash = digest_hash(digest);
	const struct xm_digest *e;
	const struct xm_table *t;
	unsigned int seq;
	u32 refs;

	rcu_read_lock();
	do {
		seq = read_seqcount_begin(&l->seq);
		t = rcu_dereference(l->table);
		e = t ? chain_find(l, t, hash, digest) : NULL;
		refs = e ? READ_ONCE(e->refs) : 0;
	} while (read_seqcount_retry(&l->seq, seq));
	rcu_read_unlock();
	return refs;
}

static bool list_has(struct xm_list *l, const u8 *digest)
{
	return list_refs(l, digest);
}

/**
 * execmark_digest_listed - is a content digest on the allow-list?
 * @sha256: the SHA-256 of a file's whole content
 *
 * Takes no lock; never sleeps.
 *
 * Return: XM_LIST_NONE, XM_LIST_UNSIGNED (no signed line added the entry)
 * or XM_LIST_SIGNED.
 */
int execmark_digest_listed(const u8 *sha256)
{
	u32 refs = list_refs(&the_list, sha256);

	if (!refs)
		return XM_LIST_NONE;
	return refs & XM_REFS_SIGNED ? XM_LIST_SIGNED : XM_LIST_UNSIGNED;
}

/**
 * execmark_digests_active - does the list hold any digest?
 *
 * When it does not, unmarked files need not be hashed.
 *
 * Return: true when the list is not empty.
 */
bool execmark_digests_active(void)
{
	return READ_ONCE(the_list.count);
}

/**
 * execmark_digests_gens - the generations of the list
 * @add: advanced whenever a digest joins the list
 * @del: advanced whenever a digest leaves it
 *
 * Read them before the list (the lookup) is: a change of the list is
 * complete before its generation moves.
 */
void execmark_digests_gens(u32 *add, u32 *del)
{
	*add = READ_ONCE(the_list.add_gen);
	*del = READ_ONCE(the_list.del_gen);
	smp_rmb();	/* the generations before the table */
}

/* Move every entry of @old into @new, under the writer's lock. */
static void rehash(struct xm_list *l, struct xm_table *old, struct xm_table *new)
{
	unsigned int b;

	/*
	 * Readers that run meanwhile retry. Entries move chain by chain from
	 * the head, so a reader that follows a moved entry never meets a
	 * cycle: moved entries point to entries moved before them, the
	 * others to entries after them in their old chain.
	 */
	preempt_disable();
	write_seqcount_begin(&l->seq);
	for (b = 0; old && b < (1u << old->shift); b++) {
		struct xm_digest *e = deref_locked(l, old->bucket[b]), *next;

		for (; e; e = next) {
			unsigned int nb = bucket_of(new, e->hash);

			next = deref_locked(l, e->next);
			rcu_assign_pointer(e->next, deref_locked(l, new->bucket[nb]));
			rcu_assign_pointer(new->bucket[nb], e);
		}
	}
	rcu_assign_pointer(l->table, new);
	write_seqcount_end(&l->seq);
	preempt_enable();
}

/* One parsed line of a write. */
enum { XM_DOP_ADD, XM_DOP_DEL, XM_DOP_CLEAR };

struct xm_dop {
	u8 digest[SHA256_DIGEST_SIZE];
	u32 hash;
	u32 index;	/* its place in the write: keeps the order of one digest */
	u32 refs;	/* the first of a group: its @refs afterwards */
	u8 op;		/* XM_DOP_* */
	u8 first;	/* the first of its group */
	u8 found;	/* the first of a group: the digest was on the list */
	u8 sig;		/* an add with a signature that verified */
};

/*
 * check_sig - verify the signature of an added digest
 * @op: the line, with its digest
 * @hex: the signature's DER, in hex
 * @len: the length of @hex
 * @der: EXECMARK_MAX_SIG bytes to decode it into
 * @err: the error of the verification, when it fails
 *
 * Return: NULL, or what is wrong with the signature.
 */
static const char *check_sig(struct xm_dop *op, const char *hex, size_t len,
			     u8 *der, int *err)
{
	struct execmark_parsed p = {
		.version = EXECMARK_FORMAT_V2,
		.kind = EXECMARK_KIND_CONTENT,
		.algo = HASH_ALGO_SHA256,
		.dsize = SHA256_DIGEST_SIZE,
		.digest = op->digest,
		.sig = der,
	};

	if (!len || len % 2 || len > 2 * EXECMARK_MAX_SIG)
		return "a signature is 2 to 4096 hexadecimal digits";
	if (hex2bin(der, hex, len / 2))
		return "not a hexadecimal digit in the signature";
	p.sig_len = len / 2;
	*err = execmark_sig_verify(&p);
	if (*err == -ENOMEM)
		return "no memory to verify the signature";
	if (*err)
		return "the signature does not verify against the .execmark keyring";
	op->sig = 1;
	return NULL;
}

/*
 * parse_line - one line of a write
 * @s: the line, without its newline
 * @len: its length
 * @op: the result
 * @der: EXECMARK_MAX_SIG bytes for a signature, when @len > XM_LINE_LEN
 * @err: the error of a signature's verification, when it fails
 *
 * Return: NULL, or what is wrong with the line.
 */
static const char *parse_line(const char *s, size_t len, struct xm_dop *op,
			      u8 *der, int *err)
{
	size_t dlen;

	op->sig = 0;
	if (len == 5 && !memcmp(s, "clear", 5)) {
		op->op = XM_DOP_CLEAR;
		return NULL;
	}
	if (!len)
		return "empty line";
	if (s[0] != '+' && s[0] != '-')
		return "not +DIGEST, -DIGEST or clear";
	op->op = s[0] == '+' ? XM_DOP_ADD : XM_DOP_DEL;
	s++;
	len--;
	if (len < sizeof(XM_PREFIX) - 1 || memcmp(s, XM_PREFIX, sizeof(XM_PREFIX) - 1))
		return "unknown algorithm (only sha256: is accepted)";
	s += sizeof(XM_PREFIX) - 1;
	len -= sizeof(XM_PREFIX) - 1;
	dlen = min_t(size_t, len, 2 * SHA256_DIGEST_SIZE);
	if (dlen != 2 * SHA256_DIGEST_SIZE ||
	    (len > dlen && s[dlen] != ' '))
		return "a sha256 digest is 64 hexadecimal digits";
	if (hex2bin(op->digest, s, SHA256_DIGEST_SIZE))
		return "not a hexadecimal digit";
	if (len == dlen)
		return NULL;
	s += dlen;
	len -= dlen;
	if (len < sizeof(XM_SIG_PREFIX) - 1 ||
	    memcmp(s, XM_SIG_PREFIX, sizeof(XM_SIG_PREFIX) - 1))
		return "after the digest, only \" sig:HEX\" may follow";
	if (op->op != XM_DOP_ADD)
		return "only an added digest carries a signature";
	return check_sig(op, s + sizeof(XM_SIG_PREFIX) - 1,
			 len - (sizeof(XM_SIG_PREFIX) - 1), der, err);
}

/*
 * parse - split a write into its lines
 * @buf: the write
 * @len: its length; the last line's newline is optional
 * @ops: the lines, an array allocated here
 *
 * Return: the number of lines, or -errno.
 */
static int parse(const char *buf, size_t len, struct xm_dop **ops)
{
	size_t n = 0, i, pos = 0;
	struct xm_dop *o;
	u8 *der = NULL;
	int ret = 0;

	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	if (buf[len - 1] != '\n')
		n++;
	o = kvmalloc_array(n, sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t l = nl ? nl - (buf + pos) : len - pos;
		const char *why = NULL;
		int err = 0;

		/* Only a signed line is longer than XM_LINE_LEN. */
		if (l > XM_LINE_LEN && !der)
			der = kmalloc(EXECMARK_MAX_SIG, GFP_KERNEL);
		if (l > XM_SIG_LINE_MAX)
			why = "longer than any line";
		else if (l > XM_LINE_LEN && !der)
			err = -ENOMEM;
		else
			why = parse_line(buf + pos, l, &o[i], der, &err);
		if (err == -ENOMEM && !why)
			why = "no memory";
		if (why && err)
			pr_info_ratelimited("digests: write refused: line %zu: %s (%d)\n",
					    i + 1, why, err);
		else if (why)
			pr_info_ratelimited("digests: write refused: line %zu: %s\n",
					    i + 1, why);
		if (why) {
			/* A bad signature is EKEYREJECTED, anything else EINVAL. */
			ret = err == -ENOMEM ? -ENOMEM : err ? -EKEYREJECTED : -EINVAL;
			break;
		}
		o[i].index = i;
		o[i].hash = o[i].op == XM_DOP_CLEAR ? 0 : digest_hash(o[i].digest);
		pos += l + 1;
		/* Thousands of signatures take a while: let it be killed. */
		if (o[i].sig && fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	kfree(der);
	if (ret) {
		kvfree(o);
		return ret;
	}
	*ops = o;
	return n;
}

static int dop_cmp(const void *a, const void *b)
{
	const struct xm_dop *x = a, *y = b;
	int c = memcmp(x->digest, y->digest, SHA256_DIGEST_SIZE);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * simulate - the effect of one segment of a write (the lines between two
 * clears), sorted by digest
 * @l: the list, locked
 * @ops: the segment
 * @n: its length
 * @base: whether it starts from the list (else from an empty list)
 * @count: the number of entries afterwards, from the count before
 *
 * Marks the first line of each digest's group, with the digest's count
 * afterwards and whether it was listed.
 *
 * Return: 0, -ENOENT when a line removes a digest that is not listed,
 * -EOVERFLOW when a count would overflow.
 */
static int simulate(struct xm_list *l, struct xm_dop *ops, size_t n, bool base,
		    unsigned int *count)
{
	const struct xm_table *t = base ? deref_locked(l, l->table) : NULL;
	size_t i, j;

	for (i = 0; i < n; i = j) {
		const struct xm_digest *e = NULL;
		bool sgn;
		u32 refs;

		if (t)
			e = chain_find(l, t, ops[i].hash, ops[i].digest);
		refs = e ? e->refs & XM_REFS_MAX : 0;
		sgn = e && (e->refs & XM_REFS_SIGNED);
		for (j = i; j < n && !memcmp(ops[j].digest, ops[i].digest,
					     SHA256_DIGEST_SIZE); j++) {
			ops[j].first = j == i;
			if (ops[j].op == XM_DOP_ADD && refs == XM_REFS_MAX)
				return -EOVERFLOW;
			if (ops[j].op == XM_DOP_ADD) {
				refs++;
				sgn |= ops[j].sig;
				continue;
			}
			if (!refs) {
				pr_info_ratelimited("digests: write refused: line %u: sha256:%*phN is not listed\n",
						    ops[j].index + 1, SHA256_DIGEST_SIZE,
						    ops[j].digest);
				return -ENOENT;
			}
			refs--;
			sgn &= !!refs;	/* a new entry starts unsigned */
		}
		ops[i].found = !!e;
		/* Signed now and not before: a cached denial may be wrong. */
		ops[i].sig = sgn && !(e && (e->refs & XM_REFS_SIGNED));
		ops[i].refs = refs | (sgn ? XM_REFS_SIGNED : 0);
		*count += (refs && !e) - (!refs && e);
	}
	return 0;
}

static void free_chains(struct xm_table *t)
{
	unsigned int b;

	for (b = 0; t && b < (1u << t->shift); b++) {
		struct xm_digest *e = rcu_dereference_raw(t->bucket[b]), *next;

		for (; e; e = next) {
			next = rcu_dereference_raw(e->next);
			kmem_cache_free(digest_cache, e);
		}
	}
}

/* Unlink the entry of @digest from a chain of @t. */
static struct xm_digest *unlink_entry(struct xm_list *l, struct xm_table *t,
				      u32 hash, const u8 *digest)
{
	struct xm_digest __rcu **pp = &t->bucket[bucket_of(t, hash)];
	struct xm_digest *e;

	for (; (e = deref_locked(l, *pp)); pp = &e->next) {
		if (e->hash == hash && !memcmp(e->digest, digest, SHA256_DIGEST_SIZE)) {
			rcu_assign_pointer(*pp, deref_locked(l, e->next));
			return e;
		}
	}
	return NULL;
}

static void insert_entry(struct xm_list *l, struct xm_table *t, struct xm_digest *e)
{
	unsigned int b = bucket_of(t, e->hash);

	RCU_INIT_POINTER(e->next, deref_locked(l, t->bucket[b]));
	rcu_assign_pointer(t->bucket[b], e);
}

/*
 * apply - apply a parsed write, all of it or nothing
 * @l: the list
 * @ops: its lines, reordered here
 * @n: their number
 *
 * Return: 0, -ENOENT, -ENOSPC, -EOVERFLOW or -ENOMEM.
 */
static int apply(struct xm_list *l, struct xm_dop *ops, size_t n)
{
	struct xm_digest **fresh = NULL, **gone = NULL;
	struct xm_table *old, *new = NULL, *t;
	size_t i, start = 0, last = 0, nfresh = 0, ngone = 0, k;
	bool cleared = false, resize = false, now_signed = false;
	bool unsigned_now = false;
	unsigned int count = 0;
	int ret = 0;

	/* Sort each segment between clears by digest, in write order within. */
	for (i = 0; i <= n; i++) {
		if (i < n && ops[i].op != XM_DOP_CLEAR)
			continue;
		sort(ops + start, i - start, sizeof(*ops), dop_cmp, NULL);
		if (i < n) {
			cleared = true;
			last = i + 1;
		}
		start = i + 1;
	}

	mutex_lock(&l->lock);
	old = deref_locked(l, l->table);
	/* Check every segment; the last one's result is what applies. */
	for (i = 0, start = 0; i <= n; i++) {
		if (i < n && ops[i].op != XM_DOP_CLEAR)
			continue;
		count = start ? 0 : l->count;
		ret = simulate(l, ops + start, i - start, !start, &count);
		if (ret)
			goto unlock;
		start = i + 1;
	}
	if (count > l->max) {
		pr_info_ratelimited("digests: write refused: %u entries would exceed digests_max %u\n",
				    count, l->max);
		ret = -ENOSPC;
		goto unlock;
	}

	/* Allocate all that applying needs, before anything changes. */
	for (i = last; i < n; i++) {
		if (!ops[i].first)
			continue;
		nfresh += ops[i].refs && !ops[i].found;
		ngone += !ops[i].refs && ops[i].found;
	}
	ret = -ENOMEM;
	fresh = kvcalloc(nfresh, sizeof(*fresh), GFP_KERNEL);
	gone = kvmalloc_array(ngone, sizeof(*gone), GFP_KERNEL);
	if ((nfresh && !fresh) || (ngone && !gone))
		goto unlock;
	for (k = 0; k < nfresh; k++) {
		fresh[k] = kmem_cache_alloc(digest_cache, GFP_KERNEL);
		if (!fresh[k])
			goto unlock;
	}
	resize = cleared || needs_resize(old, count);
	if (resize && count) {
		new = table_alloc(shift_for(count));
		if (!new)
			goto unlock;
	}
	ret = 0;

	/*
	 * Apply; nothing below fails. After a clear, or on a first table,
	 * the new table is filled before readers see it.
	 */
	t = cleared || !old ? new : old;
	k = 0;
	ngone = 0;
	for (i = last; i < n; i++) {
		struct xm_digest *e;

		if (!ops[i].first)
			continue;
		if (ops[i].found && !ops[i].refs) {
			gone[ngone++] = unlink_entry(l, t, ops[i].hash, ops[i].digest);
		} else if (ops[i].found) {
			e = chain_find(l, t, ops[i].hash, ops[i].digest);
			/* Its last reference gone and added again unsigned. */
			unsigned_now |= (e->refs & XM_REFS_SIGNED) &&
					!(ops[i].refs & XM_REFS_SIGNED);
			WRITE_ONCE(e->refs, ops[i].refs);
			now_signed |= ops[i].sig;
		} else if (ops[i].refs) {
			e = fresh[k];
			fresh[k++] = NULL;
			e->refs = ops[i].refs;
			e->hash = ops[i].hash;
			memcpy(e->digest, ops[i].digest, SHA256_DIGEST_SIZE);
			insert_entry(l, t, e);
		}
	}
	if (cleared || !old || !new)
		rcu_assign_pointer(l->table, t == old && resize ? NULL : t);
	else if (resize)
		rehash(l, old, new);
	WRITE_ONCE(l->count, count);
	smp_wmb();	/* the list changed before its generations move */
	if (k || now_signed)
		WRITE_ONCE(l->add_gen, l->add_gen + 1);
	if (ngone || unsigned_now || (cleared && old))
		WRITE_ONCE(l->del_gen, l->del_gen + 1);
	new = NULL;	/* the list's now */
unlock:
	mutex_unlock(&l->lock);
	if (!ret && (ngone || resize)) {
		synchronize_rcu();
		for (k = 0; k < ngone; k++)
			kmem_cache_free(digest_cache, gone[k]);
		if (cleared)
			free_chains(old);
		if (resize)
			kvfree(old);
	}
	for (k = 0; k < nfresh && fresh && fresh[k]; k++)
		kmem_cache_free(digest_cache, fresh[k]);
	kvfree(new);
	kvfree(fresh);
	kvfree(gone);
	return ret;
}

/* Parse and apply one write. Return: 0 or -errno. */
static int list_write(struct xm_list *l, const char *buf, size_t len)
{
	struct xm_dop *ops;
	int n, ret;

	if (!len)
		return 0;
	n = parse(buf, len, &ops);
	if (n < 0)
		return n;
	ret = apply(l, ops, n);
	kvfree(ops);
	return ret;
}

static bool may_admin(const struct file *f)
{
	return file_ns_capable(f, &init_user_ns, CAP_MAC_ADMIN);
}

static ssize_t digests_write(struct file *f, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char *buf;
	int ret;

	if (!may_admin(f))
		return -EPERM;
	if (!len)
		return 0;
	if (len > XM_DIGESTS_WRITE_MAX)
		return -EFBIG;
	if (!digest_cache)
		return -ENOMEM;
	buf = vmemdup_user(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = list_write(&the_list, buf, len);
	kvfree(buf);
	return ret ? ret : len;
}

/*
 * The reader walks the entries in the order of (hash, digest), which no
 * rehash changes: it keeps only the last entry it showed and looks up its
 * successor for the next. An entry listed during the whole read is shown
 * exactly once; one added or removed meanwhile may or may not be.
 */
struct xm_iter {
	loff_t pos;		/* of the entry below; -1: none yet */
	u32 hash;
	u32 refs;
	u8 digest[SHA256_DIGEST_SIZE];
};

static int key_cmp(u32 hash, const u8 *digest, const struct xm_iter *it)
{
	if (hash != it->hash)
		return hash < it->hash ? -1 : 1;
	return memcmp(digest, it->digest, SHA256_DIGEST_SIZE);
}

/* The entry after @it (the first if @first) into @it. Return: found. */
static bool iter_next(struct xm_list *l, struct xm_iter *it, bool first)
{
	struct xm_iter best;
	const struct xm_table *t;
	unsigned int seq, b;
	bool found;

	rcu_read_lock();
	do {
		seq = read_seqcount_begin(&l->seq);
		found = false;
		t = rcu_dereference(l->table);
		for (b = t && !first ? bucket_of(t, it->hash) : 0;
		     t && b < (1u << t->shift) && !found; b++) {
			const struct xm_digest *e = rcu_dereference(t->bucket[b]);

			for (; e; e = rcu_dereference(e->next)) {
				if (!first && key_cmp(e->hash, e->digest, it) <= 0)
					continue;
				if (found && key_cmp(e->hash, e->digest, &best) >= 0)
					continue;
				best.hash = e->hash;
				best.refs = READ_ONCE(e->refs);
				memcpy(best.digest, e->digest, SHA256_DIGEST_SIZE);
				found = true;
			}
		}
	} while (read_seqcount_retry(&l->seq, seq));
	rcu_read_unlock();
	if (found) {
		best.pos = first ? 0 : it->pos + 1;
		*it = best;
	}
	return found;
}

static void *digests_start(struct seq_file *m, loff_t *pos)
{
	struct xm_iter *it = m->private;

	if (*pos == 0 || *pos < it->pos || it->pos < 0) {
		it->pos = -1;
		if (!iter_next(&the_list, it, true))
			return NULL;
	}
	while (it->pos < *pos)
		if (!iter_next(&the_list, it, false))
			return NULL;
	return it;
}

static void *digests_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct xm_iter *it = m->private;

	++*pos;
	return iter_next(&the_list, it, false) ? it : NULL;
}

static void digests_stop(struct seq_file *m, void *v)
{
}

static int digests_show(struct seq_file *m, void *v)
{
	const struct xm_iter *it = v;

	seq_printf(m, XM_PREFIX "%*phN %u%s\n", SHA256_DIGEST_SIZE, it->digest,
		   it->refs & XM_REFS_MAX,
		   it->refs & XM_REFS_SIGNED ? " signed" : "");
	return 0;
}

static const struct seq_operations digests_seq_ops = {
	.start = digests_start,
	.next = digests_next,
	.stop = digests_stop,
	.show = digests_show,
};

static int digests_open(struct inode *inode, struct file *file)
{
	struct xm_iter *it;

	if (!may_admin(file))
		return -EPERM;
	it = __seq_open_private(file, &digests_seq_ops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->pos = -1;
	return 0;
}

const struct file_operations execmark_digests_fops = {
	.open = digests_open,
	.read = seq_read,
	.write = digests_write,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

/* Set the bound; not below the entries listed now. Return: 0 or -errno. */
static int set_max(struct xm_list *l, unsigned int max)
{
	int ret = 0;

	if (max > XM_DIGESTS_LIMIT)
		return -EINVAL;
	mutex_lock(&l->lock);
	if (max < l->count)
		ret = -EBUSY;
	else
		WRITE_ONCE(l->max, max);
	mutex_unlock(&l->lock);
	return ret;
}

static ssize_t max_read(struct file *f, char __user *buf, size_t len,
			loff_t *ppos)
{
	char tmp[16];
	int n = scnprintf(tmp, sizeof(tmp), "%u\n", READ_ONCE(the_list.max));

	return simple_read_from_buffer(buf, len, ppos, tmp, n);
}

static ssize_t max_write(struct file *f, const char __user *buf, size_t len,
			 loff_t *ppos)
{
	unsigned int max;
	int ret;

	if (!may_admin(f))
		return -EPERM;
	ret = kstrtouint_from_user(buf, len, 10, &max);
	if (ret)
		return ret;
	ret = set_max(&the_list, max);
	return ret ? ret : len;
}

static int max_open(struct inode *inode, struct file *file)
{
	return may_admin(file) ? 0 : -EPERM;
}

const struct file_operations execmark_digests_max_fops = {
	.open = max_open,
	.read = max_read,
	.write = max_write,
	.llseek = generic_file_llseek,
};

/* The memory of the list: entries and buckets. */
static size_t list_bytes(struct xm_list *l, unsigned int *count)
{
	const struct xm_table *t;
	size_t bytes;

	mutex_lock(&l->lock);
	t = deref_locked(l, l->table);
	*count = l->count;
	bytes = (size_t)l->count * kmem_cache_size(digest_cache);
	if (t)
		bytes += table_bytes(t->shift);
	mutex_unlock(&l->lock);
	return bytes;
}

/**
 * execmark_digests_stats - the list's lines of the stats file
 * @m: the stats file
 */
void execmark_digests_stats(struct seq_file *m)
{
	unsigned int count = 0;
	size_t bytes = digest_cache ? list_bytes(&the_list, &count) : 0;
	size_t per = count ? DIV_ROUND_UP(bytes, count) :
		     digest_cache ? kmem_cache_size(digest_cache) : 0;

	seq_printf(m, "digests %u\ndigests_max %u\ndigests_bytes %zu\ndigests_entry_bytes %zu\n",
		   count, READ_ONCE(the_list.max), bytes, per);
}

/* The boot parameter execmark.digests_max=. */
static int max_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int max;

	if (kstrtouint(val, 10, &max) || max > XM_DIGESTS_LIMIT) {
		pr_err("invalid execmark.digests_max=%s, keeping %u\n", val,
		       the_list.max);
		return -EINVAL;
	}
	the_list.max = max;
	return 0;
}

static const struct kernel_param_ops max_param_ops = {
	.set = max_param_set,
};

module_param_cb(digests_max, &max_param_ops, NULL, 0);
MODULE_PARM_DESC(digests_max, "bound on the digest allow-list's entries");

/**
 * execmark_digests_init - the slab cache of the list's entries
 *
 * Without it, writes to the list fail with ENOMEM and the list stays empty.
 *
 * Return: 0 or -ENOMEM.
 */
int __init execmark_digests_init(void)
{
	hash_seed = get_random_u32();
	digest_cache = KMEM_CACHE(xm_digest, 0);
	return digest_cache ? 0 : -ENOMEM;
}

#ifdef CONFIG_SECURITY_EXECMARK_KUNIT_TEST
#include <kunit/test.h>

static void list_init(struct xm_list *l, unsigned int max)
{
	*l = (struct xm_list){ .max = max };
	mutex_init(&l->lock);
	seqcount_init(&l->seq);
}

static void list_fini(struct kunit *test, struct xm_list *l)
{
	KUNIT_EXPECT_EQ(test, list_write(l, "clear", 5), 0);
	KUNIT_EXPECT_EQ(test, l->count, 0);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(l->table));
	mutex_destroy(&l->lock);
}

static int wr(struct xm_list *l, const char *s)
{
	return list_write(l, s, strlen(s));
}

/* The count of @digest (64 hex digits) on @l, 0 when not listed. */
static u32 refs_of(struct xm_list *l, const char *hex)
{
	u8 d[SHA256_DIGEST_SIZE];
	const struct xm_digest *e;
	const struct xm_table *t;
	u32 refs = 0;

	if (hex2bin(d, hex, sizeof(d)))
		return U32_MAX;
	mutex_lock(&l->lock);
	t = deref_locked(l, l->table);
	e = t ? chain_find(l, t, digest_hash(d), d) : NULL;
	if (e)
		refs = e->refs & XM_REFS_MAX;
	mutex_unlock(&l->lock);
	return refs;
}

#define XH_A "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define XH_AU "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"
#define XH_AG "00112233445566778899aabbccddeefg00112233445566778899aabbccddeeff"
#define XH_B "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
#define XH_0 "0000000000000000000000000000000000000000000000000000000000000000"

static void parse_test(struct kunit *test)
{
	static const char *const bad[] = {
		"\n", "+", "+sha256:", "add " XH_A, "+sha512:" XH_A,
		"+SHA256:" XH_A, "+sha256:" XH_A "0", "+sha256:" XH_A " ",
		"+sha256:" XH_A "\n\n", "+sha256:" XH_AG,
		" +sha256:" XH_A, "clear ", "clear\r", "CLEAR", "*sha256:" XH_A,
		"+sha256:" XH_A "\r\n",
	};
	struct xm_list l;
	unsigned int i;

	list_init(&l, 16);
	KUNIT_EXPECT_EQ(test, wr(&l, ""), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, wr(&l, bad[i]), -EINVAL, "line: %s", bad[i]);
	KUNIT_EXPECT_EQ(test, l.count, 0);
	/* A bad line anywhere leaves the list as it was. */
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_A "\n+sha256:" XH_B "\nbad\n"), -EINVAL);
	KUNIT_EXPECT_EQ(test, l.count, 0);
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_A "\n+sha256:" XH_B), 0);
	KUNIT_EXPECT_EQ(test, l.count, 2);
	/* Upper-case hex names the same digest. */
	KUNIT_EXPECT_EQ(test, wr(&l, "-sha256:" XH_AU "\n"), 0);
	KUNIT_EXPECT_EQ(test, refs_of(&l, XH_A), 0);
	KUNIT_EXPECT_EQ(test, refs_of(&l, XH_B), 1);
	list_fini(test, &l);
}

static void refs_test(struct kunit *test)
{
	struct xm_list l;
	u32 add, del;

	list_init(&l, 16);
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_A "\n+sha256:" XH_A "\n"), 0);
	KUNIT_EXPECT_EQ(test, refs_of(&l, XH_A), 2);
	KUNIT_EXPECT_EQ(test, l.count, 1);
	add = l.add_gen;
	del = l.del_gen;
	KUNIT_EXPECT_EQ(test, wr(&l, "-sha256:" XH_A), 0);
	KUNIT_EXPECT_EQ(test, refs_of(&l, XH_A), 1);
	KUNIT_EXPECT_EQ(test, l.del_gen, del);		/* still listed */
	KUNIT_EXPECT_EQ(test, wr(&l, "-sha256:" XH_A), 0);
	KUNIT_EXPECT_EQ(test, refs_of(&l, XH_A), 0);
	KUNIT_EXPECT_EQ(test, l.del_gen, del + 1);
	KUNIT_EXPECT_EQ(test, l.add_gen, add);
	/* Removing what is not listed: ENOENT, nothing applied. */
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_B "\n-sha256:" XH_A "\n"), -ENOENT);
	KUNIT_EXPECT_EQ(test, refs_of(&l, XH_B), 0);
	KUNIT_EXPECT_EQ(test, l.add_gen, add);
	/* Lines apply in order: added then removed in one write. */
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_A "\n-sha256:" XH_A "\n"), 0);
	KUNIT_EXPECT_EQ(test, l.count, 0);
	KUNIT_EXPECT_EQ(test, wr(&l, "-sha256:" XH_A "\n+sha256:" XH_A "\n"), -ENOENT);
	/* clear, then lines after it. */
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_A "\n+sha256:" XH_B "\n"), 0);
	KUNIT_EXPECT_EQ(test, wr(&l, "-sha256:" XH_A "\nclear\n+sha256:" XH_B "\n"), 0);
	KUNIT_EXPECT_EQ(test, refs_of(&l, XH_A), 0);
	KUNIT_EXPECT_EQ(test, refs_of(&l, XH_B), 1);
	KUNIT_EXPECT_EQ(test, l.count, 1);
	KUNIT_EXPECT_EQ(test, wr(&l, "clear\n-sha256:" XH_B "\n"), -ENOENT);
	KUNIT_EXPECT_EQ(test, refs_of(&l, XH_B), 1);
	list_fini(test, &l);
}

static void bound_test(struct kunit *test)
{
	struct xm_list l;
	char *buf;
	size_t len = 0;
	unsigned int i;

	list_init(&l, 2);
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_A "\n+sha256:" XH_B "\n"), 0);
	/* Another reference to a listed digest needs no room. */
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_A), 0);
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_A "0"), -EINVAL);
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_B "\n+sha256:" XH_0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, refs_of(&l, XH_B), 1);
	/* Room made in the same write counts. */
	KUNIT_EXPECT_EQ(test, wr(&l, "-sha256:" XH_B "\n+sha256:" XH_0), 0);
	KUNIT_EXPECT_EQ(test, set_max(&l, 1), -EBUSY);
	KUNIT_EXPECT_EQ(test, set_max(&l, XM_DIGESTS_LIMIT + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_max(&l, 5000), 0);
	KUNIT_EXPECT_EQ(test, wr(&l, "clear"), 0);

	/* 5000 digests in one write: the table grows; then all removed. */
	buf = kvmalloc(5000 * (XM_LINE_LEN + 1) + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 5000; i++)
		len += sprintf(buf + len, "+sha256:%056x%08x\n", 0, i);
	KUNIT_EXPECT_EQ(test, list_write(&l, buf, len), 0);
	KUNIT_EXPECT_EQ(test, l.count, 5000);
	KUNIT_EXPECT_EQ(test, rcu_dereference_raw(l.table)->shift, shift_for(5000));
	for (i = 0; i < 5000; i++) {
		u8 d[SHA256_DIGEST_SIZE] = {};

		put_unaligned_be32(i, d + SHA256_DIGEST_SIZE - 4);
		if (!list_has(&l, d))
			KUNIT_FAIL(test, "digest %u not found", i);
	}
	KUNIT_EXPECT_EQ(test, list_write(&l, buf, 5), -EINVAL);	/* "+sha2" */
	for (i = 0, len = 0; i < 5000; i++)
		len += sprintf(buf + len, "-sha256:%056x%08x\n", 0, i);
	KUNIT_EXPECT_EQ(test, list_write(&l, buf, len), 0);
	KUNIT_EXPECT_EQ(test, l.count, 0);
	KUNIT_EXPECT_NULL(test, rcu_dereference_raw(l.table));
	kvfree(buf);
	list_fini(test, &l);
}

/* A write in which the signature of each added line counts as verified. */
static int wr_signed(struct xm_list *l, const char *s)
{
	struct xm_dop *ops;
	int n, i, ret;

	n = parse(s, strlen(s), &ops);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		ops[i].sig = ops[i].op == XM_DOP_ADD;
	ret = apply(l, ops, n);
	kvfree(ops);
	return ret;
}

static u32 raw_refs(struct xm_list *l, const char *hex)
{
	u8 d[SHA256_DIGEST_SIZE];

	if (hex2bin(d, hex, sizeof(d)))
		return 0;
	return list_refs(l, d);
}

static void signed_test(struct kunit *test)
{
	static const char *const bad[] = {
		"+sha256:" XH_A " sig:", "+sha256:" XH_A " sig:3", "+sha256:" XH_A " sig:zz",
		"+sha256:" XH_A "  sig:30", "+sha256:" XH_A " sig 30", "+sha256:" XH_A " x",
		"+sha256:" XH_A " sig:30 ", "-sha256:" XH_A " sig:3000", "clear sig:30",
	};
	struct xm_list l;
	unsigned int i;
	u32 add, del;
	char *buf;

	list_init(&l, 16);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, wr(&l, bad[i]), -EINVAL, "line: %s", bad[i]);
	/* A signature that does not verify: the whole write is refused. */
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_B "\n+sha256:" XH_A " sig:3000\n"),
			-EKEYREJECTED);
	KUNIT_EXPECT_EQ(test, l.count, 0);
	/* Longer than any line: refused before it is decoded. */
	buf = kunit_kzalloc(test, XM_SIG_LINE_MAX + 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, '3', XM_SIG_LINE_MAX + 2);
	memcpy(buf, "+sha256:" XH_A " sig:", XM_LINE_LEN + 5);
	KUNIT_EXPECT_EQ(test, list_write(&l, buf, XM_SIG_LINE_MAX + 2), -EINVAL);
	/* As long as a line may be: decoded, and refused as no signature. */
	KUNIT_EXPECT_EQ(test, list_write(&l, buf, XM_SIG_LINE_MAX), -EKEYREJECTED);
	KUNIT_EXPECT_EQ(test, list_write(&l, buf, XM_SIG_LINE_MAX + 1), -EINVAL);

	/* Unsigned, then signed: the entry turns signed, a denial is stale. */
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_A), 0);
	KUNIT_EXPECT_EQ(test, raw_refs(&l, XH_A), 1);
	add = l.add_gen;
	KUNIT_EXPECT_EQ(test, wr_signed(&l, "+sha256:" XH_A), 0);
	KUNIT_EXPECT_EQ(test, raw_refs(&l, XH_A), 2 | XM_REFS_SIGNED);
	KUNIT_EXPECT_EQ(test, l.add_gen, add + 1);
	KUNIT_EXPECT_EQ(test, refs_of(&l, XH_A), 2);
	/* Unsigned adds keep it signed; it stays so down to its last reference. */
	add = l.add_gen;
	KUNIT_EXPECT_EQ(test, wr(&l, "+sha256:" XH_A "\n-sha256:" XH_A "\n-sha256:" XH_A), 0);
	KUNIT_EXPECT_EQ(test, raw_refs(&l, XH_A), 1 | XM_REFS_SIGNED);
	KUNIT_EXPECT_EQ(test, l.add_gen, add);
	/*
	 * Gone and added again in one write, unsigned: unsigned, and a cached
	 * "listed" is stale.
	 */
	add = l.add_gen;
	del = l.del_gen;
	KUNIT_EXPECT_EQ(test, wr(&l, "-sha256:" XH_A "\n+sha256:" XH_A), 0);
	KUNIT_EXPECT_EQ(test, raw_refs(&l, XH_A), 1);
	KUNIT_EXPECT_EQ(test, l.del_gen, del + 1);
	KUNIT_EXPECT_EQ(test, l.add_gen, add);
	/* Signed and removed in one write: a new entry, signed, then gone. */
	KUNIT_EXPECT_EQ(test, wr_signed(&l, "+sha256:" XH_B "\n-sha256:" XH_B
					    "\n+sha256:" XH_B), 0);
	KUNIT_EXPECT_EQ(test, raw_refs(&l, XH_B), 1 | XM_REFS_SIGNED);
	KUNIT_EXPECT_EQ(test, l.count, 2);
	list_fini(test, &l);
}

static struct kunit_case digests_test_cases[] = {
	KUNIT_CASE(parse_test),
	KUNIT_CASE(refs_test),
	KUNIT_CASE(bound_test),
	KUNIT_CASE(signed_test),
	{}
};

static struct kunit_suite digests_test_suite = {
	.name = "execmark_digests",
	.test_cases = digests_test_cases,
};

kunit_test_suite(digests_test_suite);

#endif /* CONFIG_SECURITY_EXECMARK_KUNIT_TEST */
