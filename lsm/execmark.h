/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * execmark: exec intent checked against content digests in security.execmark.
 *
 * What the files of the LSM share. Each function is declared here under the
 * file that defines it; the files depend on each other in one direction:
 * hooks.c -> verify.c -> sig.c, digests.c; digests.c -> sig.c; events.c ->
 * ring.c; fs.c -> events.c, sig.c, digests.c; all -> mode.c.
 */
#ifndef _SECURITY_EXECMARK_H
#define _SECURITY_EXECMARK_H

#include <linux/fs.h>
#include <linux/lsm_hooks.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/seqlock.h>
#include <linux/types.h>

/* mode.c: the mode and its lock; the bottom layer. */
enum execmark_mode {
	EXECMARK_MODE_OFF,
	EXECMARK_MODE_PERMISSIVE,
	EXECMARK_MODE_ENFORCE,
};

extern int execmark_mode;	/* enum execmark_mode; read with READ_ONCE() */

int execmark_mode_parse(const char *s);
const char *execmark_mode_name(int mode);
int execmark_set_mode(int mode);
bool execmark_locked(void);
void execmark_lock(void);

/* The exec-intent accesses that are checked. */
enum execmark_op {
	XM_OP_EXEC,		/* execve(), shebang interpreters, ELF interpreter */
	XM_OP_CHECK,		/* execveat(AT_EXECVE_CHECK) */
	XM_OP_MMAP,		/* mmap(PROT_EXEC) */
	XM_OP_MPROTECT,		/* mprotect() adding PROT_EXEC */
	XM_OP_WRITE,		/* opening for write, truncating: content mapped */
};

/* Verdicts; XM_NONE is "nothing cached". */
enum execmark_verdict {
	XM_NONE,
	XM_TRUSTED,
	XM_UNMARKED,
	XM_CORRUPT,
	XM_MISMATCH,
	XM_UNVERIFIABLE,
	XM_ERROR,
	XM_MAPPED,		/* for XM_OP_WRITE: the content is mapped executable */
	XM_NOT_VERITY,		/* a verity mark on a file without fs-verity */
	XM_UNSIGNED,		/* matches, unsigned: trusted unless require_signed */
	XM_BAD_SIGNATURE,	/* a signature that does not verify */
	XM_REVOKED,		/* the digest is on the blacklist keyring */
	XM_LISTED,		/* trusted: the content's digest is on the allow-list */
	XM_LISTED_UNSIGNED,	/* on the allow-list, unsigned: as XM_UNSIGNED */
};

/* Whether a verdict allows the access. */
static inline bool execmark_allowed(int verdict)
{
	return verdict == XM_TRUSTED || verdict == XM_LISTED;
}

/* hooks.c: the blob sizes, and the counters shown by the stats file. */
extern struct lsm_blob_sizes execmark_blob_sizes;

/*
 * The cached verdict of an inode (verify.c), and what it was computed
 * under. Readers take no lock; fillers take @lock.
 */
struct xm_cache {
	seqlock_t lock;
	u64 gen;		/* mark generation of the metadata inode */
	u64 cookie;		/* i_version of the content */
	u64 kepoch;		/* execmark_keys_epoch(): never wraps */
	u32 wgen;		/* writer generation of the content */
	u32 verdict;		/* enum execmark_verdict; XM_NONE: empty */
	u32 lgen;		/* digest list generation, see verify.c */
};

/* The inode blob, set up by execmark_inode_init(). */
struct execmark_inode {
	unsigned long flags;
#define XM_INODE_BUSY	0	/* a task is hashing this inode */
	u64 gen;		/* mark generation: unique, see verify.c */
	atomic_t wgen;		/* bumped when a writer is released */
	unsigned long hashed;	/* bytes hashed by the XM_INODE_BUSY owner */
	struct xm_cache cache;
};

static inline struct execmark_inode *execmark_inode(const struct inode *inode)
{
	if (unlikely(!inode->i_security))
		return NULL;
	return inode->i_security + execmark_blob_sizes.lbs_inode;
}

/* The task blob: a change of the keyrings that signatures depend on (sig.c). */
struct execmark_task {
	unsigned long flags;
#define XM_TASK_VERIFYING	0	/* in execmark_sig_verify() */
#define XM_TASK_KEYS_QUEUED	1	/* @keys_work is queued */
	struct callback_head keys_work;
};

static inline struct execmark_task *execmark_task(const struct task_struct *t)
{
	if (unlikely(!t->security))
		return NULL;
	return t->security + execmark_blob_sizes.lbs_task;
}

/* Counters for the stats file; per CPU so the hot path shares no line. */
struct execmark_stats {
	u64 checks;
	u64 cache_hits;
	u64 hashes;
	u64 hash_bytes;
	u64 denials;
	u64 verity_checks;
	u64 sig_checks;
	u64 sig_failures;
	u64 sig_cache_hits;	/* signatures found verified, not verified again */
	u64 listed;		/* accesses allowed by the digest allow-list */
};

DECLARE_PER_CPU(struct execmark_stats, execmark_stats);
#define xm_stat_add(field, n) this_cpu_add(execmark_stats.field, (n))

/* verify.c: the verdict on a file and its per-inode cache. */
int execmark_verdict(struct file *file, bool cached_only);
void execmark_inode_init(struct inode *inode);
void execmark_mark_changed(struct inode *inode);
void execmark_writer_gone(struct inode *inode);

/* sig.c: signed marks, the .execmark keyring and require_signed. */
enum execmark_require_signed {
	XM_SIGNED_OFF,
	XM_SIGNED_ON,
	XM_SIGNED_LOCKED,
};

struct execmark_parsed;
int execmark_require_signed(void);
const char *execmark_signed_name(int s);
int execmark_signed_parse(const char *s);
int execmark_set_require_signed(int s);
int execmark_sig_init(void);
int execmark_sig_verify(const struct execmark_parsed *p);
u64 execmark_keys_epoch(void);
bool execmark_digest_revoked(const u8 *digest, unsigned int size);
struct key;
void execmark_keys_changed(const struct key *keyring);
void execmark_key_used(const struct key *key, int need);

/* digests.c: the digest allow-list and its securityfs files. */
int execmark_digests_init(void);
bool execmark_digests_active(void);
enum { XM_LIST_NONE, XM_LIST_UNSIGNED, XM_LIST_SIGNED };
int execmark_digest_listed(const u8 *sha256);
void execmark_digests_gens(u32 *add, u32 *del);
void execmark_digests_stats(struct seq_file *m);
extern const struct file_operations execmark_digests_fops;
extern const struct file_operations execmark_digests_max_fops;

/* events.c: denial events and the securityfs events file. */
int execmark_events_init(void);
void execmark_report(const struct path *path, int op, int mode, int verdict);
u64 execmark_events_lost(void);
extern const struct file_operations execmark_events_fops;

/* fs.c: securityfs. */
int execmark_init_securityfs(void);

#endif /* _SECURITY_EXECMARK_H */
