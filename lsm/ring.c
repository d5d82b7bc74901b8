// SPDX-License-Identifier: GPL-2.0-only
/*
 * execmark: a bounded ring of event lines.
 *
 * Producers never wait: when the ring is full (in slots or in bytes) an
 * event is counted as lost, and the reader later finds a
 * "seq=<first> lost=<count>" line where the lost events would have been.
 * Every event takes a sequence number, lost ones too.
 */

#include <linux/slab.h>
#include <linux/sprintf.h>
#include <linux/string.h>

#include "ring.h"

/**
 * xm_ring_init - set up an empty ring
 * @r: the ring
 * @slots: the most events it holds
 * @max_bytes: the most bytes of event bodies it holds
 *
 * Without memory for the slots the ring still works: every event is lost.
 *
 * Return: 0 or -ENOMEM.
 */
int xm_ring_init(struct xm_ring *r, unsigned int slots, size_t max_bytes)
{
	memset(r, 0, sizeof(*r));
	spin_lock_init(&r->lock);
	init_waitqueue_head(&r->wait);
	r->slot = kcalloc(slots, sizeof(*r->slot), GFP_KERNEL);
	if (!r->slot)
		return -ENOMEM;
	r->size = slots;
	r->max_bytes = max_bytes;
	return 0;
}

/**
 * xm_ring_destroy - free a ring's events and slots
 * @r: the ring, which nobody uses any more
 */
void xm_ring_destroy(struct xm_ring *r)
{
	while (r->count) {
		kfree(r->slot[r->head]);
		r->head = (r->head + 1) % r->size;
		r->count--;
	}
	kfree(r->slot);
	r->slot = NULL;
}

/**
 * xm_ring_push - queue an event, or count it as lost
 * @r: the ring
 * @ev: the event, or NULL when it could not be allocated
 *
 * Takes ownership of @ev.
 */
void xm_ring_push(struct xm_ring *r, struct xm_event *ev)
{
	unsigned long flags;
	u64 seq;

	spin_lock_irqsave(&r->lock, flags);
	seq = r->next_seq++;
	if (!ev || r->count == r->size || r->bytes + ev->len > r->max_bytes) {
		r->lost++;
		r->lost_total++;
		spin_unlock_irqrestore(&r->lock, flags);
		kfree(ev);
		wake_up_interruptible(&r->wait);	/* a lost= line to read */
		return;
	}
	ev->seq = seq;
	ev->lost = r->lost;
	r->lost = 0;
	r->slot[(r->head + r->count) % r->size] = ev;
	r->count++;
	r->bytes += ev->len;
	spin_unlock_irqrestore(&r->lock, flags);
	wake_up_interruptible(&r->wait);
}

/**
 * xm_ring_ready - is there anything to pop?
 * @r: the ring
 *
 * Return: true when an event or a lost run waits.
 */
bool xm_ring_ready(struct xm_ring *r)
{
	return READ_ONCE(r->count) || READ_ONCE(r->lost);
}

/**
 * xm_ring_lost_total - events lost since boot
 * @r: the ring
 *
 * Return: the count.
 */
u64 xm_ring_lost_total(struct xm_ring *r)
{
	return READ_ONCE(r->lost_total);
}

/**
 * xm_ring_pop - take the next lines of the stream
 * @r: the ring
 * @buf: where to write them
 * @size: size of @buf: at least the longest body plus XM_RING_POP_EXTRA
 *
 * Return: the number of bytes written: a "lost" line, an event line, or
 * both; 0 when there is nothing to read.
 */
size_t xm_ring_pop(struct xm_ring *r, char *buf, size_t size)
{
	struct xm_event *ev = NULL;
	unsigned long flags;
	u64 lost, lost_seq;
	size_t n = 0;

	spin_lock_irqsave(&r->lock, flags);
	if (r->count) {
		ev = r->slot[r->head];
		r->head = (r->head + 1) % r->size;
		r->count--;
		r->bytes -= ev->len;
		lost = ev->lost;
		lost_seq = ev->seq - lost;
	} else {
		/* The lost run is after every queued event. */
		lost = r->lost;
		lost_seq = r->next_seq - lost;
		r->lost = 0;
	}
	spin_unlock_irqrestore(&r->lock, flags);

	if (lost)
		n = scnprintf(buf, size, "seq=%llu lost=%llu\n", lost_seq, lost);
	if (ev) {
		n += scnprintf(buf + n, size - n, "seq=%llu %.*s\n", ev->seq,
			       (int)ev->len, ev->body);
		kfree(ev);
	}
	return n;
}

#ifdef CONFIG_SECURITY_EXECMARK_KUNIT_TEST
#include <kunit/test.h>

#define TEST_POP_SIZE	(1024 + XM_RING_POP_EXTRA)

static struct xm_event *event(struct kunit *test, const char *body)
{
	size_t len = strlen(body);
	struct xm_event *ev = kmalloc(struct_size(ev, body, len), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ev);
	ev->len = len;
	memcpy(ev->body, body, len);
	return ev;
}

static void expect_pop(struct kunit *test, struct xm_ring *r, const char *want)
{
	char *buf = kunit_kmalloc(test, TEST_POP_SIZE + 1, GFP_KERNEL);
	size_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	n = xm_ring_pop(r, buf, TEST_POP_SIZE);
	buf[n] = '\0';
	KUNIT_EXPECT_STREQ(test, buf, want);
}

static void ring_lost_run_test(struct kunit *test)
{
	struct xm_ring r;
	int i;

	KUNIT_ASSERT_EQ(test, xm_ring_init(&r, 4, 1024), 0);
	KUNIT_EXPECT_FALSE(test, xm_ring_ready(&r));
	expect_pop(test, &r, "");

	/* Six events into four slots: two are lost, after the four. */
	for (i = 0; i < 6; i++)
		xm_ring_push(&r, event(test, "op=exec"));
	KUNIT_EXPECT_EQ(test, xm_ring_lost_total(&r), 2);
	expect_pop(test, &r, "seq=0 op=exec\n");
	/* A slot is free again: the next event follows the lost run. */
	xm_ring_push(&r, event(test, "op=mmap"));
	expect_pop(test, &r, "seq=1 op=exec\n");
	expect_pop(test, &r, "seq=2 op=exec\n");
	expect_pop(test, &r, "seq=3 op=exec\n");
	expect_pop(test, &r, "seq=4 lost=2\nseq=6 op=mmap\n");
	KUNIT_EXPECT_FALSE(test, xm_ring_ready(&r));

	/* Lost at the end of the stream: reported when the ring drains. */
	xm_ring_push(&r, event(test, "op=check"));
	xm_ring_push(&r, NULL);		/* an event that could not be allocated */
	xm_ring_push(&r, NULL);
	KUNIT_EXPECT_TRUE(test, xm_ring_ready(&r));
	expect_pop(test, &r, "seq=7 op=check\n");
	expect_pop(test, &r, "seq=8 lost=2\n");
	expect_pop(test, &r, "");
	KUNIT_EXPECT_EQ(test, xm_ring_lost_total(&r), 4);
	xm_ring_destroy(&r);
}

/* The byte budget bounds the ring as well as the slots. */
static void ring_byte_budget_test(struct kunit *test)
{
	struct xm_ring r;
	char *big = kunit_kzalloc(test, 600, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, big);
	memset(big, 'x', 599);
	KUNIT_ASSERT_EQ(test, xm_ring_init(&r, 4, 1024), 0);
	xm_ring_push(&r, event(test, big));
	xm_ring_push(&r, event(test, big));	/* over 1024 bytes: lost */
	KUNIT_EXPECT_EQ(test, r.count, 1);
	KUNIT_EXPECT_EQ(test, xm_ring_lost_total(&r), 1);
	xm_ring_destroy(&r);	/* frees the queued event */
}

static struct kunit_case ring_test_cases[] = {
	KUNIT_CASE(ring_lost_run_test),
	KUNIT_CASE(ring_byte_budget_test),
	{}
};

static struct kunit_suite ring_test_suite = {
	.name = "execmark_ring",
	.test_cases = ring_test_cases,
};

kunit_test_suite(ring_test_suite);

#endif /* CONFIG_SECURITY_EXECMARK_KUNIT_TEST */
