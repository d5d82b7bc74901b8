/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * execmark: exec intent checked against content hashes in security.execmark.
 */
#ifndef _SECURITY_EXECMARK_H
#define _SECURITY_EXECMARK_H

#include <linux/fs.h>
#include <linux/lsm_hooks.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

enum execmark_mode {
	EXECMARK_MODE_OFF,
	EXECMARK_MODE_PERMISSIVE,
	EXECMARK_MODE_ENFORCE,
};

/* The exec-intent accesses that are checked. */
enum execmark_op {
	XM_OP_EXEC,		/* execve(), shebang interpreters, ELF interpreter */
	XM_OP_CHECK,		/* execveat(AT_EXECVE_CHECK) */
	XM_OP_MMAP,		/* mmap(PROT_EXEC) */
	XM_OP_MPROTECT,		/* mprotect() adding PROT_EXEC */
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
};

extern int execmark_mode;	/* enum execmark_mode; read with READ_ONCE() */

int execmark_mode_parse(const char *buf, size_t len);
const char *execmark_mode_name(int mode);
int execmark_set_mode(int mode);
bool execmark_locked(void);
void execmark_lock(void);

const char *execmark_op_name(int op);
const char *execmark_verdict_name(int verdict);

/*
 * The cached verdict of an inode. @state packs the mark generation it was
 * computed under (high 32 bits) and the verdict (low bits); 0 means none.
 * Writers are serialised by XM_INODE_BUSY; readers take no lock.
 */
struct xm_cache {
	u64 state;
	u64 cookie;		/* i_version when the verdict was computed */
};

int xm_cache_get(const struct xm_cache *c, u32 gen, u64 cookie);
void xm_cache_set(struct xm_cache *c, u32 gen, u64 cookie, int verdict);

/* The inode blob. All zero is a valid initial state. */
struct execmark_inode {
	unsigned long flags;
#define XM_INODE_BUSY	0	/* a task is verifying this inode */
	atomic_t gen;		/* bumped whenever the mark is set or removed */
	struct xm_cache cache;
};

extern struct lsm_blob_sizes execmark_blob_sizes;

static inline struct execmark_inode *execmark_inode(const struct inode *inode)
{
	if (unlikely(!inode->i_security))
		return NULL;
	return inode->i_security + execmark_blob_sizes.lbs_inode;
}

int execmark_verdict(struct file *file, bool cached_only);
bool execmark_fs_unverifiable(const struct super_block *sb);

/* Counters for the stats file; per CPU so the hot path shares no line. */
struct execmark_stats {
	u64 checks;
	u64 cache_hits;
	u64 hashes;
	u64 hash_bytes;
	u64 denials;
};

DECLARE_PER_CPU(struct execmark_stats, execmark_stats);
#define xm_stat_add(field, n) this_cpu_add(execmark_stats.field, (n))

/* Events: a bounded ring read through securityfs by one reader. */
struct xm_event {
	u64 seq;
	u64 lost;		/* events lost just before this one */
	u32 len;		/* of body, without the newline */
	char body[];
};

struct xm_ring {
	spinlock_t lock;	/* protects everything below */
	struct xm_event **slot;
	unsigned int size;	/* slots */
	unsigned int head;	/* oldest event */
	unsigned int count;
	size_t bytes, max_bytes;
	u64 next_seq;		/* seq of the next event generated */
	u64 lost;		/* lost events not yet reported */
	u64 lost_total;
	wait_queue_head_t wait;
};

#define XM_LINE_MAX	(2 * PATH_MAX * 2 + 256)	/* two hex paths + fields */

int xm_ring_init(struct xm_ring *ring, unsigned int slots, size_t max_bytes);
void xm_ring_destroy(struct xm_ring *ring);
void xm_ring_push(struct xm_ring *ring, struct xm_event *ev);
size_t xm_ring_pop(struct xm_ring *ring, char *buf, size_t size);
bool xm_ring_ready(struct xm_ring *ring);
size_t xm_encode_untrusted(char *buf, size_t size, const char *s, size_t len);

void execmark_report(struct file *file, int op, int mode, int verdict);
u64 execmark_events_lost(void);
extern const struct file_operations execmark_events_fops;
int execmark_events_init(void);

int execmark_init_securityfs(void);

#endif /* _SECURITY_EXECMARK_H */
