/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's API to compile lsm/ring.c and lsm/encode.h
 * for userspace, for the fuzz harnesses. The <linux/...> headers of this
 * directory all include this file.
 *
 * Allocation is malloc() (so AddressSanitizer sees every kmalloc/kfree);
 * a spinlock is a flag that must be free when taken and held when
 * released, and no GFP_KERNEL allocation may happen under one; waking a
 * wait queue counts the wakeups.
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

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define __printf(a, b)		__attribute__((format(printf, a, b)))

/* Failures and lock state, for the harnesses to set and check. */
extern int kc_fail_allocs;	/* make the next N allocations fail */
extern int kc_locks_held;
extern unsigned long kc_wakeups;

typedef unsigned int gfp_t;
#define GFP_KERNEL	0x1u
#define GFP_ATOMIC	0x2u
#define __GFP_NOWARN	0x4u
#define __GFP_NORETRY	0x8u

static inline void *kc_alloc(size_t n, gfp_t gfp, bool zero)
{
	if ((gfp & GFP_KERNEL) && kc_locks_held) {
		fprintf(stderr, "kcompat: GFP_KERNEL allocation under a spinlock\n");
		abort();
	}
	if (kc_fail_allocs > 0) {
		kc_fail_allocs--;
		return NULL;
	}
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

#endif /* EXECMARK_KCOMPAT_H */
