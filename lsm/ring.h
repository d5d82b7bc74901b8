/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * execmark: a bounded ring of text lines with a count of those lost.
 */
#ifndef _SECURITY_EXECMARK_RING_H
#define _SECURITY_EXECMARK_RING_H

#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

/* One queued line: its body, without "seq=N " and the newline. */
struct xm_event {
	u64 seq;
	u64 lost;		/* events lost just before this one */
	u32 len;		/* of body */
	char body[];
};

/**
 * struct xm_ring - a bounded FIFO of events
 * @lock: protects everything below
 * @slot: the events, @size of them
 * @size: number of slots
 * @head: the oldest event
 * @count: events queued
 * @bytes: bytes of their bodies
 * @max_bytes: the bound of @bytes
 * @next_seq: sequence number of the next event pushed
 * @lost: lost events not yet reported
 * @lost_total: all events ever lost
 * @wait: readers waiting for an event
 */
struct xm_ring {
	spinlock_t lock;	/* protects all below */
	struct xm_event **slot;
	unsigned int size;
	unsigned int head;
	unsigned int count;
	size_t bytes, max_bytes;
	u64 next_seq;
	u64 lost;
	u64 lost_total;
	wait_queue_head_t wait;
};

/* What xm_ring_pop() adds to a body: a lost line, "seq=N", a newline. */
#define XM_RING_POP_EXTRA	64

int xm_ring_init(struct xm_ring *r, unsigned int slots, size_t max_bytes);
void xm_ring_destroy(struct xm_ring *r);
void xm_ring_push(struct xm_ring *r, struct xm_event *ev);
size_t xm_ring_pop(struct xm_ring *r, char *buf, size_t size);
bool xm_ring_ready(struct xm_ring *r);
u64 xm_ring_lost_total(struct xm_ring *r);

#endif /* _SECURITY_EXECMARK_RING_H */
