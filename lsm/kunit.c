// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for execmark: mode names, the mark parser, the verdict cache,
 * event encoding and the event ring.
 */

#include <crypto/sha2.h>
#include <kunit/test.h>
#include <linux/slab.h>

#include "execmark.h"
#include "../xattr/execmark_vectors.h"

static void mode_parse_test(struct kunit *test)
{
	int m;

	for (m = EXECMARK_MODE_OFF; m <= EXECMARK_MODE_ENFORCE; m++) {
		const char *name = execmark_mode_name(m);
		char buf[16];

		KUNIT_EXPECT_EQ(test, execmark_mode_parse(name, strlen(name)), m);
		snprintf(buf, sizeof(buf), "%s\n", name);
		KUNIT_EXPECT_EQ(test, execmark_mode_parse(buf, strlen(buf)), m);
	}
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("", 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("\n", 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("enforc", 6), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("enforced", 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("Enforce", 7), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("off\n\n", 5), -EINVAL);
	KUNIT_EXPECT_STREQ(test, execmark_mode_name(3), "invalid");
	KUNIT_EXPECT_STREQ(test, execmark_mode_name(-1), "invalid");
	KUNIT_EXPECT_STREQ(test, execmark_op_name(XM_OP_MPROTECT), "mprotect");
	KUNIT_EXPECT_STREQ(test, execmark_verdict_name(XM_UNVERIFIABLE), "unverifiable");
}

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
		unsigned int dsize = execmark_mark_valid(v->value, v->len);

		KUNIT_ASSERT_EQ_MSG(test, dsize, v->valid, "vector: %s", v->name);
		switch (v->value[1]) {
		case EXECMARK_ALGO_SHA256:
			sha256(data, len, digest);
			break;
		case EXECMARK_ALGO_SHA384:
			sha384(data, len, digest);
			break;
		default:
			sha512(data, len, digest);
			break;
		}
		KUNIT_EXPECT_MEMEQ_MSG(test, digest, v->value + EXECMARK_HDR_SIZE,
				       dsize, "vector: %s", v->name);
	}
}

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

	for (v = XM_TRUSTED; v <= XM_MISMATCH; v++) {
		xm_cache_set(&c, 7, U64_MAX, v);
		KUNIT_EXPECT_EQ(test, xm_cache_get(&c, 7, U64_MAX), v);
	}
}

static void encode_test(struct kunit *test)
{
	char buf[64];

	KUNIT_EXPECT_EQ(test, xm_encode_untrusted(buf, sizeof(buf), "abc", 3), 5);
	KUNIT_EXPECT_STREQ(test, buf, "\"abc\"");
	xm_encode_untrusted(buf, sizeof(buf), "/usr/bin/x~!", 12);
	KUNIT_EXPECT_STREQ(test, buf, "\"/usr/bin/x~!\"");
	xm_encode_untrusted(buf, sizeof(buf), "", 0);
	KUNIT_EXPECT_STREQ(test, buf, "\"\"");
	/* Space, quote, control, DEL and non-ASCII bytes force hex. */
	xm_encode_untrusted(buf, sizeof(buf), "a b", 3);
	KUNIT_EXPECT_STREQ(test, buf, "612062");
	xm_encode_untrusted(buf, sizeof(buf), "a\"b", 3);
	KUNIT_EXPECT_STREQ(test, buf, "612262");
	xm_encode_untrusted(buf, sizeof(buf), "a\nb", 3);
	KUNIT_EXPECT_STREQ(test, buf, "610A62");
	xm_encode_untrusted(buf, sizeof(buf), "\x7f", 1);
	KUNIT_EXPECT_STREQ(test, buf, "7F");
	xm_encode_untrusted(buf, sizeof(buf), "\xc3\xa9", 2);
	KUNIT_EXPECT_STREQ(test, buf, "C3A9");
	/* A short buffer holds whole hex pairs and a NUL. */
	KUNIT_EXPECT_EQ(test, xm_encode_untrusted(buf, 6, "a b c", 5), 4);
	KUNIT_EXPECT_STREQ(test, buf, "6120");
}

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
	char *buf = kmalloc(XM_LINE_MAX + 64, GFP_KERNEL);
	size_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	n = xm_ring_pop(r, buf, XM_LINE_MAX + 64);
	buf[n] = '\0';
	KUNIT_EXPECT_STREQ(test, buf, want);
	kfree(buf);
}

static void ring_test(struct kunit *test)
{
	struct xm_ring r;
	int i;

	KUNIT_ASSERT_EQ(test, xm_ring_init(&r, 4, 1024), 0);
	KUNIT_EXPECT_FALSE(test, xm_ring_ready(&r));
	expect_pop(test, &r, "");

	/* Six events into four slots: two are lost, after the four. */
	for (i = 0; i < 6; i++)
		xm_ring_push(&r, event(test, "op=exec"));
	KUNIT_EXPECT_EQ(test, r.lost_total, 2);
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
	KUNIT_EXPECT_EQ(test, r.lost_total, 4);

	/* The byte budget bounds the ring as well as the slots. */
	{
		char big[600];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		xm_ring_push(&r, event(test, big));
		xm_ring_push(&r, event(test, big));	/* over 1024 bytes: lost */
		KUNIT_EXPECT_EQ(test, r.count, 1);
		KUNIT_EXPECT_EQ(test, r.lost_total, 5);
	}
	xm_ring_destroy(&r);
}

static struct kunit_case execmark_cases[] = {
	KUNIT_CASE(mode_parse_test),
	KUNIT_CASE(mark_shape_test),
	KUNIT_CASE(mark_content_test),
	KUNIT_CASE(cache_test),
	KUNIT_CASE(encode_test),
	KUNIT_CASE(ring_test),
	{}
};

static struct kunit_suite execmark_suite = {
	.name = "execmark",
	.test_cases = execmark_cases,
};

kunit_test_suites(&execmark_suite);
