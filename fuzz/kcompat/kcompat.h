/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's API to compile lsm/ring.c, lsm/encode.h and
 * lsm/digests.c for userspace, for the fuzz harnesses. The <linux/...>
 * headers of this directory all include this file.
 *
 * Allocation is malloc() (so AddressSanitizer sees every kmalloc/kfree);
 * a spinlock is a flag that must be free when taken and held when
 * released, and no GFP_KERNEL allocation may happen under one; waking a
 * wait queue counts the wakeups. For lsm/digests.c (single-threaded, see
 * the section at the end): a mutex is a flag like the spinlock; RCU
 * counts its read-side sections, and rcu_dereference() outside one, a
 * locked dereference without the lock, or sleeping inside one aborts;
 * printk() keeps the last message for the harness to check.
 */
#ifndef EXECMARK_KCOMPAT_H
#define EXECMARK_KCOMPAT_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;
typedef u8 __u8;
typedef u16 __u16;
typedef u32 __u32;
typedef u64 __u64;
typedef u16 __le16;
typedef u32 __le32;
typedef u64 __le64;

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define __printf(a, b)		__attribute__((format(printf, a, b)))

/* Failures and lock state, for the harnesses to set and check. */
extern int kc_fail_allocs;	/* make the next N allocations fail */
extern int kc_fail_nth;		/* make the Nth allocation from now fail */
extern int kc_locks_held;
extern unsigned long kc_wakeups;

typedef unsigned int gfp_t;
#define GFP_KERNEL	0x1u
#define GFP_ATOMIC	0x2u
#define __GFP_NOWARN	0x4u
#define __GFP_NORETRY	0x8u

/* RCU read-side sections and preempt_disable() now open (digests.c). */
extern int kc_rcu_depth;
extern int kc_preempt_depth;

/* Code that may sleep runs here: not under a spinlock, RCU, preemption off. */
static inline void kc_might_sleep(const char *what)
{
	if (kc_locks_held || kc_rcu_depth || kc_preempt_depth) {
		fprintf(stderr, "kcompat: %s in atomic context (spinlocks %d, rcu %d, preempt %d)\n",
			what, kc_locks_held, kc_rcu_depth, kc_preempt_depth);
		abort();
	}
}

static inline void *kc_alloc(size_t n, gfp_t gfp, bool zero)
{
	if ((gfp & GFP_KERNEL) && kc_locks_held) {
		fprintf(stderr, "kcompat: GFP_KERNEL allocation under a spinlock\n");
		abort();
	}
	if (gfp & GFP_KERNEL)
		kc_might_sleep("GFP_KERNEL allocation");
	if (kc_fail_allocs > 0) {
		kc_fail_allocs--;
		return NULL;
	}
	if (kc_fail_nth > 0 && !--kc_fail_nth)
		return NULL;
	return zero ? calloc(1, n ? n : 1) : malloc(n ? n : 1);
}

static inline void *kmalloc(size_t n, gfp_t gfp) { return kc_alloc(n, gfp, false); }
static inline void *kzalloc(size_t n, gfp_t gfp) { return kc_alloc(n, gfp, true); }
static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kc_alloc(n * size, gfp, true);
}
static inline void kfree(const void *p) { free((void *)p); }

typedef struct {
	bool locked;
} spinlock_t;

static inline void kc_lock(spinlock_t *l)
{
	if (l->locked) {
		fprintf(stderr, "kcompat: spinlock taken twice (deadlock)\n");
		abort();
	}
	l->locked = true;
	kc_locks_held++;
}

static inline void kc_unlock(spinlock_t *l)
{
	if (!l->locked) {
		fprintf(stderr, "kcompat: spinlock released but not held\n");
		abort();
	}
	l->locked = false;
	kc_locks_held--;
}

#define spin_lock_init(l)			((l)->locked = false)
#define spin_lock(l)				kc_lock(l)
#define spin_unlock(l)				kc_unlock(l)
#define spin_lock_irqsave(l, flags)		do { kc_lock(l); (flags) = 0; } while (0)
#define spin_unlock_irqrestore(l, flags)	do { (void)(flags); kc_unlock(l); } while (0)

typedef struct {
	int unused;
} wait_queue_head_t;

#define init_waitqueue_head(w)		((void)(w))
#define wake_up_interruptible(w)	((void)(w), kc_wakeups++)
#define wake_up(w)			((void)(w), kc_wakeups++)

static inline __printf(3, 4) int scnprintf(char *buf, size_t size,
					   const char *fmt, ...)
{
	va_list ap;
	int i;

	va_start(ap, fmt);
	i = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (i < 0)
		return 0;
	if ((size_t)i < size)
		return i;
	return size ? (int)size - 1 : 0;
}

static const char hex_asc_upper[] = "0123456789ABCDEF";
#define hex_asc_upper_lo(x)	hex_asc_upper[((x) & 0x0f)]
#define hex_asc_upper_hi(x)	hex_asc_upper[((x) & 0xf0) >> 4]

/*
 * For lsm/digests.c and the headers it includes, lsm/execmark.h's among
 * them. Single-threaded: seqcount readers never retry, synchronize_rcu()
 * has nothing to wait for; but the rules are checked (see the top).
 */
#include <sys/types.h>

#define __init
#define __ro_after_init
#define __rcu
#define __user
#define __must_check

#define BIT(n)			(1ul << (n))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define U32_MAX			((u32)~0u)
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define struct_size_t(type, member, n)					\
	(sizeof(type) + (size_t)(n) * sizeof(((type *)NULL)->member[0]))
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)

#define SHA256_DIGEST_SIZE	32
#define CAP_MAC_ADMIN		33

#define MAX_ERRNO		4095
#define IS_ERR(p)		((unsigned long)(p) >= (unsigned long)-MAX_ERRNO)
#define PTR_ERR(p)		((long)(p))
#define ERR_PTR(e)		((void *)(long)(e))

typedef struct {
	int counter;
} atomic_t;

/* Hex, as lib/hexdump.c. */
static inline int hex_to_bin(unsigned char ch)
{
	unsigned char cu = ch & 0xdf;

	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (cu >= 'A' && cu <= 'F')
		return cu - 'A' + 10;
	return -1;
}

static inline int hex2bin(u8 *dst, const char *src, size_t count)
{
	while (count--) {
		int hi, lo;

		hi = hex_to_bin(*src++);
		if (hi < 0)
			return -EINVAL;
		lo = hex_to_bin(*src++);
		if (lo < 0)
			return -EINVAL;
		*dst++ = (hi << 4) | lo;
	}
	return 0;
}

static inline u32 get_unaligned_be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static inline void put_unaligned_be32(u32 v, void *p)
{
	u8 *b = p;

	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

/*
 * jhash() is the key's first four bytes (big-endian) plus the seed: a
 * fuzzer that controls them makes chains as long, and hashes collide as
 * often, as it likes.
 */
static inline u32 jhash(const void *key, u32 length, u32 initval)
{
	return length < 4 ? initval : get_unaligned_be32(key) + initval;
}

extern u32 kc_random;
static inline u32 get_random_u32(void) { return kc_random; }

/* Allocation: kvmalloc() and the slab caches are kmalloc(). */
#define kvmalloc(n, gfp)		kmalloc(n, gfp)
#define kvzalloc(n, gfp)		kzalloc(n, gfp)
#define kvcalloc(n, size, gfp)		kcalloc(n, size, gfp)
#define kvmalloc_array(n, size, gfp)	kcalloc(n, size, gfp)
#define kvfree(p)			kfree(p)

struct kmem_cache {
	size_t size;
};

struct kmem_cache *kc_cache_create(size_t size);
#define KMEM_CACHE(s, flags)		kc_cache_create(sizeof(struct s))
#define kmem_cache_size(c)		((unsigned int)(c)->size)
#define kmem_cache_alloc(c, gfp)	kmalloc((c)->size, gfp)
#define kmem_cache_free(c, p)		((void)(c), kfree(p))

/* A mutex: a flag, like the spinlock; taking one may sleep. */
struct mutex {
	bool locked;
};

#define __MUTEX_INITIALIZER(l)	{ .locked = false }
#define mutex_init(l)		((l)->locked = false)
#define mutex_destroy(l)	((void)(l))
#define lockdep_is_held(l)	((l)->locked)

static inline void mutex_lock(struct mutex *l)
{
	kc_might_sleep("mutex_lock()");
	if (l->locked) {
		fprintf(stderr, "kcompat: mutex taken twice (deadlock)\n");
		abort();
	}
	l->locked = true;
}

static inline void mutex_unlock(struct mutex *l)
{
	if (!l->locked) {
		fprintf(stderr, "kcompat: mutex released but not held\n");
		abort();
	}
	l->locked = false;
}

/* RCU: dereferences are checked against what protects them. */
static inline void kc_check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "kcompat: %s\n", what);
		abort();
	}
}

#define rcu_read_lock()		((void)kc_rcu_depth++)
#define rcu_read_unlock()						\
	(kc_check(kc_rcu_depth > 0, "rcu_read_unlock() unbalanced"),	\
	 (void)kc_rcu_depth--)
#define rcu_dereference_raw(p)	(p)
#define rcu_access_pointer(p)	(p)
#define rcu_dereference(p)						\
	(kc_check(kc_rcu_depth > 0, "rcu_dereference() outside rcu_read_lock()"), (p))
#define rcu_dereference_check(p, c)					\
	(kc_check(kc_rcu_depth > 0 || (c),				\
		  "rcu_dereference_check() without RCU or the lock"), (p))
#define rcu_dereference_protected(p, c)					\
	(kc_check(c, "rcu_dereference_protected() without the lock"), (p))
#define rcu_assign_pointer(p, v)	((p) = (v))
#define RCU_INIT_POINTER(p, v)		((p) = (v))
#define synchronize_rcu()		kc_might_sleep("synchronize_rcu()")
#define preempt_disable()		((void)kc_preempt_depth++)
#define preempt_enable()						\
	(kc_check(kc_preempt_depth > 0, "preempt_enable() unbalanced"),	\
	 (void)kc_preempt_depth--)

/* A seqcount: even when stable; its writers run with preemption off. */
typedef struct {
	unsigned int sequence;
} seqcount_t;

typedef struct {
	seqcount_t seqcount;
	spinlock_t lock;
} seqlock_t;

#define SEQCNT_ZERO(name)	{ .sequence = 0 }
#define seqcount_init(s)	((s)->sequence = 0)

static inline unsigned int read_seqcount_begin(const seqcount_t *s)
{
	kc_check(!(s->sequence & 1), "seqcount read while written");
	return s->sequence;
}

static inline bool read_seqcount_retry(const seqcount_t *s, unsigned int seq)
{
	return s->sequence != seq;
}

static inline void write_seqcount_begin(seqcount_t *s)
{
	kc_check(kc_preempt_depth > 0, "seqcount written with preemption on");
	kc_check(!(s->sequence & 1), "seqcount written twice");
	s->sequence++;
}

static inline void write_seqcount_end(seqcount_t *s)
{
	kc_check(s->sequence & 1, "write_seqcount_end() unbalanced");
	s->sequence++;
}

/* The task: a fatal signal the harness may post. */
struct task_struct {
	void *security;
	bool fatal_signal;
};

extern struct task_struct kc_task;
#define current				(&kc_task)
#define fatal_signal_pending(t)		((t)->fatal_signal)
#define cond_resched()			kc_might_sleep("cond_resched()")

/* Formatting: the kernel's %*phN, and %s %c %d %u %x with l, ll, z. */
int kc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int kc_snprintf(char *buf, size_t size, const char *fmt, ...);

/* printk(): the last message and the number of them, for the harness. */
extern char kc_last_msg[512];
extern unsigned long kc_msgs;
void kc_printk(const char *fmt, ...);
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define pr_err(fmt, ...)		kc_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)		kc_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info_ratelimited(fmt, ...)	kc_printk(pr_fmt(fmt), ##__VA_ARGS__)

/* sort(): the callers' comparisons are total orders, so qsort() does. */
static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *),
			void (*swap)(void *, void *, int))
{
	kc_check(!swap, "sort() with a swap function");
	if (num)
		qsort(base, num, size, cmp);
}

/* Files: enough for the declarations; the harness calls no file operation. */
struct user_namespace {
	int unused;
};

extern struct user_namespace init_user_ns;

struct inode {
	void *i_security;
};

struct path {
	void *dentry;
};

struct file {
	void *private_data;
};

struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};

struct file_operations {
	int (*open)(struct inode *inode, struct file *file);
	ssize_t (*read)(struct file *file, char __user *buf, size_t len, loff_t *ppos);
	ssize_t (*write)(struct file *file, const char __user *buf, size_t len,
			 loff_t *ppos);
	loff_t (*llseek)(struct file *file, loff_t off, int whence);
	int (*release)(struct inode *inode, struct file *file);
};

bool file_ns_capable(const struct file *file, struct user_namespace *ns, int cap);
void *vmemdup_user(const void __user *src, size_t len);
ssize_t simple_read_from_buffer(void __user *to, size_t count, loff_t *ppos,
				const void *from, size_t available);
int kstrtouint(const char *s, unsigned int base, unsigned int *res);
int kstrtouint_from_user(const char __user *s, size_t count, unsigned int base,
			 unsigned int *res);
loff_t generic_file_llseek(struct file *file, loff_t offset, int whence);

/* seq_file: seq_printf() into the harness's buffer. */
struct seq_file {
	char *buf;
	size_t size;
	size_t count;
	void *private;
};

struct seq_operations {
	void *(*start)(struct seq_file *m, loff_t *pos);
	void (*stop)(struct seq_file *m, void *v);
	void *(*next)(struct seq_file *m, void *v, loff_t *pos);
	int (*show)(struct seq_file *m, void *v);
};

void seq_printf(struct seq_file *m, const char *fmt, ...);
void *__seq_open_private(struct file *f, const struct seq_operations *ops,
			 int psize);
ssize_t seq_read(struct file *file, char __user *buf, size_t len, loff_t *ppos);
loff_t seq_lseek(struct file *file, loff_t offset, int whence);
int seq_release_private(struct inode *inode, struct file *file);

/* Module parameters: the ops are kept, nothing registers them. */
struct kernel_param {
	const char *name;
};

struct kernel_param_ops {
	int (*set)(const char *val, const struct kernel_param *kp);
	int (*get)(char *buffer, const struct kernel_param *kp);
};

#define module_param_cb(name, ops, arg, perm)				\
	const struct kernel_param_ops *kc_param_##name = (ops)
#define MODULE_PARM_DESC(name, desc)					\
	extern const struct kernel_param_ops *kc_param_##name

/* lsm/execmark.h: the blobs, the per-CPU counters. */
struct lsm_blob_sizes {
	int lbs_inode;
	int lbs_task;
};

#define DECLARE_PER_CPU(type, name)	extern type name
#define this_cpu_add(var, n)		((var) += (n))

#endif /* EXECMARK_KCOMPAT_H */
