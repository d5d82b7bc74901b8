// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz harness "ring": the kernel's event ring, lsm/ring.c compiled for
 * userspace (kcompat/), driven by a sequence of pushes and pops read from
 * the input, against a model: a FIFO of the kept events, the lost run
 * pending, the byte budget.
 *
 * Input: slots (1..8), byte budget (0..1023) and whether the slots cannot
 * be allocated, then one operation per byte: push an event of a given
 * length, push NULL (an event that could not be allocated), pop. At the
 * end, optionally drain the ring, then destroy it.
 *
 * Properties: every pop returns exactly the lines the model predicts
 * ("seq=N lost=M" before the event it precedes, or alone once the ring is
 * empty; "seq=N BODY"), never more than the buffer the caller must
 * provide (the longest body plus XM_RING_POP_EXTRA); xm_ring_ready() and
 * xm_ring_lost_total() agree with the model; every push wakes the
 * readers; over the whole stream every sequence number appears exactly
 * once, as an event or inside a lost run; no leak, no double free, locks
 * balanced, no sleeping allocation under the lock.
 */
#include "kcompat.h"
#include "ring.h"

#include "fuzz.h"

#define MAX_BODY	255
#define POP_SIZE	(MAX_BODY + XM_RING_POP_EXTRA)
#define MAX_OPS		512

struct mevent {
	u64 seq, lost;
	u32 len;
};

/* The model. */
static struct mevent queue[MAX_OPS];
static size_t qhead, qcount, qbytes;
static u64 next_seq, lost, lost_total;
static unsigned char seen[MAX_OPS];

static void body_of(char *b, u64 seq, u32 len)
{
	for (u32 i = 0; i < len; i++)
		b[i] = 'a' + (seq + i) % 26;
}

static struct xm_event *new_event(u32 len)
{
	struct xm_event *ev = kmalloc(sizeof(*ev) + len, GFP_KERNEL);

	fuzz_assert(ev, "kmalloc");
	ev->len = len;
	body_of(ev->body, next_seq, len);	/* the seq it will get */
	return ev;
}

static void model_push(bool null, u32 len, unsigned int slots, size_t max_bytes)
{
	u64 seq = next_seq++;

	if (null || qcount == slots || qbytes + len > max_bytes) {
		lost++;
		lost_total++;
		return;
	}
	queue[(qhead + qcount) % MAX_OPS] = (struct mevent){ seq, lost, len };
	lost = 0;
	qcount++;
	qbytes += len;
}

/* What the next pop must return. */
static size_t model_pop(char *buf)
{
	size_t n = 0;

	if (qcount) {
		struct mevent *e = &queue[qhead];

		qhead = (qhead + 1) % MAX_OPS;
		qcount--;
		qbytes -= e->len;
		if (e->lost)
			n += sprintf(buf, "seq=%llu lost=%llu\n", e->seq - e->lost, e->lost);
		n += sprintf(buf + n, "seq=%llu ", e->seq);
		body_of(buf + n, e->seq, e->len);
		n += e->len;
		buf[n++] = '\n';
	} else if (lost) {
		n = sprintf(buf, "seq=%llu lost=%llu\n", next_seq - lost, lost);
		lost = 0;
	}
	return n;
}

/* Mark the sequence numbers that popped lines cover. */
static void account(const char *buf, size_t n)
{
	const char *p = buf, *end = buf + n;

	while (p < end) {
		unsigned long long a, b;
		const char *nl = memchr(p, '\n', end - p);
		int k = 0;

		fuzz_assert(nl, "a popped line without newline");
		if (sscanf(p, "seq=%llu lost=%llu%n", &a, &b, &k) == 2 && p + k == nl) {
			fuzz_assert(b > 0, "a lost run of 0");
		} else {
			fuzz_assert(sscanf(p, "seq=%llu %n", &a, &k) == 1 && k > 0,
				    "a line without seq=");
			b = 1;
		}
		for (u64 s = a; s < a + b; s++) {
			fuzz_assert(s < next_seq, "seq %llu was never pushed", s);
			fuzz_assert(!seen[s], "seq %llu delivered twice", s);
			seen[s] = 1;
		}
		p = nl + 1;
	}
}

static void pop_and_check(struct xm_ring *r)
{
	char *buf = malloc(POP_SIZE), want[POP_SIZE + 1];
	size_t n, wn;

	fuzz_assert(buf, "malloc");
	wn = model_pop(want);
	fuzz_assert(wn < POP_SIZE, "the model's pop exceeds the documented size");
	n = xm_ring_pop(r, buf, POP_SIZE);
	fuzz_assert(n == wn && !memcmp(buf, want, n),
		    "pop returned \"%.*s\", the model \"%.*s\"", (int)n, buf, (int)wn, want);
	account(buf, n);
	free(buf);
}

static void check_state(struct xm_ring *r)
{
	fuzz_assert(xm_ring_ready(r) == (qcount || lost), "xm_ring_ready()");
	fuzz_assert(xm_ring_lost_total(r) == lost_total, "lost_total %llu, model %llu",
		    xm_ring_lost_total(r), lost_total);
	fuzz_assert(r->count == qcount && r->bytes == qbytes, "count or bytes");
	fuzz_assert(kc_locks_held == 0, "a lock still held");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xm_ring r;
	unsigned int slots;
	size_t max_bytes, i, nops;
	bool no_slots, drain;
	unsigned long wakeups;

	if (size < 3)
		return 0;
	slots = 1 + data[0] % 8;
	max_bytes = (data[1] | (data[2] & 3) << 8);
	no_slots = data[0] & 0x80;
	drain = data[0] & 0x40;
	data += 3;
	size -= 3;

	memset(seen, 0, next_seq);
	qhead = qcount = qbytes = 0;
	next_seq = lost = lost_total = 0;
	kc_fail_allocs = no_slots;
	if (xm_ring_init(&r, slots, max_bytes)) {
		fuzz_assert(no_slots, "xm_ring_init() failed");
		slots = 0;	/* every event is lost */
	}
	kc_fail_allocs = 0;
	check_state(&r);

	nops = 0;
	for (i = 0; i < size && nops < MAX_OPS - 1; i++, nops++) {
		unsigned int op = data[i] & 3;

		if (op == 3) {
			pop_and_check(&r);
		} else if (op == 2) {
			wakeups = kc_wakeups;
			model_push(true, 0, slots, max_bytes);
			xm_ring_push(&r, NULL);
			fuzz_assert(kc_wakeups > wakeups, "a lost event woke nobody");
		} else {
			u32 len = (data[i] >> 2) * 4 + op;	/* 0..255 */
			struct xm_event *ev;

			if (len > MAX_BODY)
				len = MAX_BODY;
			ev = new_event(len);
			wakeups = kc_wakeups;
			model_push(false, len, slots, max_bytes);
			xm_ring_push(&r, ev);
			fuzz_assert(kc_wakeups > wakeups, "a push woke nobody");
		}
		check_state(&r);
	}
	if (drain) {
		while (qcount || lost) {
			pop_and_check(&r);
			check_state(&r);
		}
		pop_and_check(&r);	/* nothing left: returns 0 */
		for (u64 s = 0; s < next_seq; s++)
			fuzz_assert(seen[s], "seq %llu never delivered", s);
	}
	xm_ring_destroy(&r);	/* frees what is still queued */
	return 0;
}
