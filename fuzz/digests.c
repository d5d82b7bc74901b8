// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz harness "digests": the kernel's digest allow-list, lsm/digests.c
 * compiled whole for userspace (kcompat/), written to as through
 * /sys/kernel/security/execmark/digests (list_write(), the parser and the
 * transaction behind digests_write()) and read as its reader does
 * (digests_start(), digests_next(), digests_show()), against a model: a
 * parser of the lines as the admin guide ("Digest allow-list") describes
 * them, and the digests with their counts and signedness.
 *
 * Input: the first byte sets digests_max (0 to 15, or 1000); then the
 * text of the writes, cut by a NUL and a command byte: "\0\0" is a NUL in
 * the text, "\0m" and a byte writes that byte to digests_max (255: more
 * than the limit), "\0f" and a byte makes the allocation of that number
 * (from 1) fail in the next write, "\0s" posts a fatal signal for the next
 * write, "\0" and any other byte ends a write. Each write is copied to a
 * buffer of its exact size (AddressSanitizer sees any read past it).
 *
 * A signature (the .execmark keyring is not here) verifies when its DER
 * starts with 0x30 and then the digest's first byte; 0x00 first is a
 * verification that ran out of memory; anything else is rejected.
 *
 * Properties, after every write:
 * - the result is the model's: 0, or the errno of the first bad line
 *   (EINVAL, EKEYREJECTED, ENOMEM of the verification, EINTR after a
 *   verified signature with a fatal signal pending), ENOENT, ENOSPC; the
 *   kernel log line names the bad line, and nothing is logged on success;
 * - with an allocation made to fail: the model's result, or ENOMEM;
 * - an error leaves the list, its count and its generations as they were;
 * - the signature checks are those of the model's lines, in order, with
 *   the line's digest and signature bytes, and no others;
 * - a digest that joined the list or became signed advances add_gen, one
 *   that left or stopped being signed advances del_gen (what the verdict
 *   cache of verify.c relies on);
 * - the read side shows each listed digest exactly once, as
 *   "sha256:HEX COUNT[ signed]" with the hex as it was written (in lower
 *   case), also when the reader stops and restarts in the middle;
 *   execmark_digest_listed() agrees;
 * - digests_max and the writes to it behave as documented;
 * - at the end, writing back "-" and each line read, once per reference,
 *   empties the list in one write: no entry, no table, no leak.
 */
/* First, as the kernel compiles it: its pr_fmt() precedes every header. */
#include "../lsm/digests.c"

#include <ctype.h>

#include "fuzz.h"

#define MAXE		1024	/* entries of the model; lines are >= 72 bytes */
#define LINE_MAX_DOC	4173	/* the admin guide's longest line */

struct ment {
	u8 d[SHA256_DIGEST_SIZE];
	char hex[65];		/* as first written, in lower case */
	u32 refs;
	bool sgn;
};

static struct ment model[MAXE], next_model[MAXE];
static size_t nmodel, next_n;

/* The signature checks the model expects in one write. */
struct esig {
	u8 d[SHA256_DIGEST_SIZE];
	const char *hex;	/* in the write */
	size_t bytes;
};

static struct esig esigs[MAXE];
static size_t nesigs, ncalls;

/* The stand-in for the .execmark keyring (see the top). */
int execmark_sig_verify(const struct execmark_parsed *p)
{
	const struct esig *e = &esigs[ncalls];

	fuzz_assert(p->version == EXECMARK_FORMAT_V2 &&
		    p->kind == EXECMARK_KIND_CONTENT &&
		    p->algo == HASH_ALGO_SHA256 &&
		    p->dsize == SHA256_DIGEST_SIZE && !p->flags,
		    "a signature checked over another message");
	fuzz_assert(ncalls < nesigs, "signature check %zu of %zu expected",
		    ncalls + 1, nesigs);
	fuzz_assert(!memcmp(p->digest, e->d, SHA256_DIGEST_SIZE),
		    "signature check %zu: not the line's digest", ncalls + 1);
	fuzz_assert(p->sig_len == e->bytes, "signature check %zu: %u bytes, not %zu",
		    ncalls + 1, p->sig_len, e->bytes);
	for (size_t i = 0; i < e->bytes; i++)
		fuzz_assert(p->sig[i] == (fuzz_hexval(e->hex[2 * i]) << 4 |
					  fuzz_hexval(e->hex[2 * i + 1])),
			    "signature check %zu: byte %zu differs", ncalls + 1, i);
	ncalls++;
	if (p->sig[0] == 0x00)
		return -ENOMEM;
	return p->sig_len >= 2 && p->sig[0] == 0x30 && p->sig[1] == p->digest[0] ?
	       0 : -EBADMSG;
}

static struct ment *find(struct ment *m, size_t n, const u8 *d)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(m[i].d, d, SHA256_DIGEST_SIZE))
			return &m[i];
	return NULL;
}

/* @n hex digits at @s, either case, into @out. Return: all were hex. */
static bool unhex(const char *s, size_t n, u8 *out)
{
	for (size_t i = 0; i < n; i++) {
		int v = fuzz_hexval(s[i]);

		if (v < 0)
			return false;
		if (out)
			out[i / 2] = (i % 2 ? out[i / 2] : 0) | v << (i % 2 ? 0 : 4);
	}
	return true;
}

enum { R_ADD, R_DEL, R_CLEAR };

struct rline {
	int op;
	u8 d[SHA256_DIGEST_SIZE];
	const char *hex;
	bool sig;		/* a signature that verifies */
};

/*
 * One line as the admin guide describes it. Return: 0, -EINVAL, or the
 * result of the signature's check (queued in esigs[]).
 */
static int ref_line(const char *s, size_t len, struct rline *r)
{
	static const char pre[] = "+sha256:";
	u8 sig0, sig1;
	size_t sl;

	r->sig = false;
	if (len == 5 && !memcmp(s, "clear", 5)) {
		r->op = R_CLEAR;
		return 0;
	}
	if (len > LINE_MAX_DOC || len < 72 || (s[0] != '+' && s[0] != '-') ||
	    memcmp(s + 1, pre + 1, 7) || !unhex(s + 8, 64, r->d))
		return -EINVAL;
	r->op = s[0] == '+' ? R_ADD : R_DEL;
	r->hex = s + 8;
	if (len == 72)
		return 0;
	sl = len - 77;
	if (r->op != R_ADD || len < 77 || memcmp(s + 72, " sig:", 5) ||
	    !sl || sl % 2 || sl > 4096 || !unhex(s + 77, sl, NULL))
		return -EINVAL;
	memcpy(esigs[nesigs].d, r->d, SHA256_DIGEST_SIZE);
	esigs[nesigs].hex = s + 77;
	esigs[nesigs++].bytes = sl / 2;
	sig0 = fuzz_hexval(s[77]) << 4 | fuzz_hexval(s[78]);
	sig1 = sl >= 4 ? fuzz_hexval(s[79]) << 4 | fuzz_hexval(s[80]) : 0;
	if (sig0 == 0x00)
		return -ENOMEM;
	if (sig0 != 0x30 || sl < 4 || sig1 != r->d[0])
		return -EKEYREJECTED;
	r->sig = true;
	return 0;
}

struct predict {
	int ret;
	size_t line;		/* the bad line, from 1; 0: none named */
};

/* What the write of @buf should do; its effect into next_model. */
static struct predict model_write(const char *buf, size_t len, bool signal,
				  unsigned int max)
{
	struct predict p = { 0, 0 };
	size_t pos = 0, line = 0;

	nesigs = 0;
	memcpy(next_model, model, nmodel * sizeof(*model));
	next_n = nmodel;
	if (!len)
		return p;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		struct rline r;
		struct ment *e;
		int ret;

		line++;
		ret = ref_line(buf + pos, l, &r);
		if (ret)
			return (struct predict){ ret, line };
		if (r.sig && signal)
			return (struct predict){ -EINTR, 0 };
		pos += l + 1;
		if (r.op == R_CLEAR) {
			next_n = 0;
			continue;
		}
		e = find(next_model, next_n, r.d);
		if (r.op == R_ADD) {
			if (!e) {
				e = &next_model[next_n++];
				*e = (struct ment){ .refs = 0 };
				memcpy(e->d, r.d, SHA256_DIGEST_SIZE);
				for (int i = 0; i < 64; i++)
					e->hex[i] = tolower((unsigned char)r.hex[i]);
			}
			e->refs++;
			e->sgn |= r.sig;
			continue;
		}
		if (!e && !p.ret)	/* the rest must still parse */
			p.ret = -ENOENT;
		if (e && !--e->refs)
			*e = next_model[--next_n];
	}
	if (!p.ret && next_n > max)
		p.ret = -ENOSPC;
	return p;
}

/* The list as the kernel holds it equals the model. */
static void check_list(unsigned int chunk)
{
	static char out[256];
	struct seq_file m = { .buf = out, .size = sizeof(out) };
	struct xm_iter it = { .pos = -1 };
	bool seen[MAXE] = { false };
	size_t shown = 0;
	loff_t pos = 0;
	void *v;

	fuzz_assert(the_list.count == nmodel, "count %u, model %zu",
		    the_list.count, nmodel);
	fuzz_assert(nmodel || !rcu_access_pointer(the_list.table),
		    "an empty list keeps its table");
	m.private = &it;
	v = digests_start(&m, &pos);
	while (v) {
		char want[128];
		struct ment *e;
		u8 d[SHA256_DIGEST_SIZE];

		m.count = 0;
		fuzz_assert(!digests_show(&m, v), "digests_show() failed");
		fuzz_assert(m.count > 72 && !memcmp(out, "sha256:", 7) &&
			    unhex(out + 7, 64, d), "line %zu read: %.*s", shown + 1,
			    (int)m.count, out);
		e = find(model, nmodel, d);
		fuzz_assert(e, "read a digest that is not listed: %.*s", (int)m.count, out);
		fuzz_assert(!seen[e - model], "read twice: %.*s", (int)m.count, out);
		seen[e - model] = true;
		snprintf(want, sizeof(want), "sha256:%s %u%s\n", e->hex, e->refs,
			 e->sgn ? " signed" : "");
		fuzz_assert(m.count == strlen(want) && !memcmp(out, want, m.count),
			    "read \"%.*s\", written as \"%s\"", (int)m.count, out, want);
		fuzz_assert(execmark_digest_listed(d) ==
			    (e->sgn ? XM_LIST_SIGNED : XM_LIST_UNSIGNED),
			    "execmark_digest_listed() disagrees with the read side");
		fuzz_assert(list_has(&the_list, d), "list_has() does not find it");
		shown++;
		v = digests_next(&m, v, &pos);
		if (v && !(shown % chunk)) {
			/* seq_read() with a full buffer: stop, start again at pos */
			digests_stop(&m, v);
			v = digests_start(&m, &pos);
		}
	}
	digests_stop(&m, v);
	fuzz_assert(shown == nmodel, "read %zu entries, %zu listed", shown, nmodel);
	fuzz_assert(execmark_digests_active() == !!nmodel, "execmark_digests_active()");
}

/* The generations moved as verify.c's cache needs. */
static void check_gens(u32 add0, u32 del0, const struct ment *before, size_t nb)
{
	for (size_t i = 0; i < nb; i++) {
		const struct ment *e = find(model, nmodel, before[i].d);

		if (!e)
			fuzz_assert(the_list.del_gen != del0,
				    "sha256:%.64s left the list, del_gen stayed",
				    before[i].hex);
		else if (before[i].sgn && !e->sgn)
			fuzz_assert(the_list.del_gen != del0,
				    "sha256:%.64s is no longer signed, del_gen stayed",
				    before[i].hex);
	}
	for (size_t i = 0; i < nmodel; i++) {
		const struct ment *e = find((struct ment *)before, nb, model[i].d);

		if (!e)
			fuzz_assert(the_list.add_gen != add0,
				    "sha256:%.64s joined the list, add_gen stayed",
				    model[i].hex);
		else if (!e->sgn && model[i].sgn)
			fuzz_assert(the_list.add_gen != add0,
				    "sha256:%.64s became signed, add_gen stayed",
				    model[i].hex);
	}
}

static struct ment before[MAXE];

static void do_write(const char *text, size_t len, int fail_nth, bool signal,
		     unsigned int chunk)
{
	char *buf = malloc(len ? len : 1);
	unsigned long msgs = kc_msgs;
	u32 add0 = the_list.add_gen, del0 = the_list.del_gen;
	struct predict p;
	size_t nb = nmodel;
	bool failed;
	int ret;

	fuzz_assert(buf, "malloc");
	memcpy(buf, text, len);
	p = model_write(buf, len, signal, the_list.max);
	memcpy(before, model, nmodel * sizeof(*model));
	ncalls = 0;
	kc_fail_nth = fail_nth;
	current->fatal_signal = signal;
	ret = list_write(&the_list, buf, len);
	failed = fail_nth && !kc_fail_nth;
	kc_fail_nth = 0;
	current->fatal_signal = false;
	fuzz_assert(ret == p.ret || (failed && ret == -ENOMEM),
		    "write returned %d, expected %d%s", ret, p.ret,
		    failed ? " or -ENOMEM (an allocation failed)" : "");
	fuzz_assert(!kc_rcu_depth && !kc_preempt_depth && !the_list.lock.locked,
		    "RCU, preemption or the lock left unbalanced");
	if (ret == p.ret && (!failed || ret != -ENOMEM))
		fuzz_assert(ncalls == nesigs, "%zu signature checks, expected %zu",
			    ncalls, nesigs);
	if (!ret) {
		fuzz_assert(kc_msgs == msgs, "a write that applied logged: %s",
			    kc_last_msg);
		memcpy(model, next_model, next_n * sizeof(*model));
		nmodel = next_n;
		check_gens(add0, del0, before, nb);
	} else {
		fuzz_assert(the_list.add_gen == add0 && the_list.del_gen == del0,
			    "a refused write (%d) moved a generation", ret);
	}
	if (ret == p.ret && p.line && !(failed && ret == -ENOMEM)) {
		char want[64];

		snprintf(want, sizeof(want),
			 "execmark: digests: write refused: line %zu: ", p.line);
		fuzz_assert(kc_msgs == msgs + 1 && !strncmp(kc_last_msg, want, strlen(want)),
			    "error %d logged as \"%s\", not for line %zu", ret,
			    kc_msgs == msgs ? "" : kc_last_msg, p.line);
	}
	if (ret == -ENOSPC)
		fuzz_assert(kc_msgs == msgs + 1 &&
			    strstr(kc_last_msg, "would exceed digests_max"),
			    "ENOSPC logged as \"%s\"", kc_last_msg);
	if (ret == -ENOENT)
		fuzz_assert(kc_msgs == msgs + 1 && strstr(kc_last_msg, " is not listed\n"),
			    "ENOENT logged as \"%s\"", kc_last_msg);
	if (ret == -EINTR)
		fuzz_assert(kc_msgs == msgs, "EINTR logged \"%s\"", kc_last_msg);
	check_list(chunk);
	free(buf);
}

static void reset(void)
{
	fuzz_assert(!list_write(&the_list, "clear", 5), "clear");
	fuzz_assert(!the_list.count && !rcu_access_pointer(the_list.table),
		    "clear left entries or a table");
	nmodel = 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_assert(!execmark_digests_init(), "execmark_digests_init()");
	fuzz_assert(XM_SIG_LINE_MAX == LINE_MAX_DOC && XM_LINE_LEN == 72,
		    "the line lengths of the admin guide");
	return 0;
}

/* Write back what the read side shows: "-" and each line, once per reference. */
static void write_back(void)
{
	size_t cap = 1, len = 0;
	char *buf;

	for (size_t i = 0; i < nmodel; i++)
		cap += 73 * (size_t)model[i].refs;
	buf = malloc(cap);
	fuzz_assert(buf, "malloc");
	for (size_t i = 0; i < nmodel; i++)
		for (u32 k = 0; k < model[i].refs; k++)
			len += snprintf(buf + len, cap - len, "-sha256:%s\n", model[i].hex);
	do_write(buf, len, 0, false, 1);
	fuzz_assert(!nmodel, "the write back left %zu entries", nmodel);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[1 << 16];
	unsigned int chunk, max;
	size_t len = 0, i;
	bool signal = false;
	int fail = 0;

	if (!size || size > sizeof(text))
		return 0;
	reset();
	max = data[0] < 240 ? data[0] % 16 : 1000;
	chunk = data[0] % 3 + 1;
	fuzz_assert(!set_max(&the_list, max), "set_max(%u) on an empty list", max);
	for (i = 1; i <= size; i++) {
		unsigned int v;
		int ret, want;

		if (i < size && (data[i] || (i + 1 < size && !data[i + 1]))) {
			text[len++] = data[i];
			i += !data[i];		/* "\0\0" */
			continue;
		}
		if (i + 1 < size && data[i + 1] == 'm' && i + 2 < size) {
			v = data[i + 2] == 255 ? XM_DIGESTS_LIMIT + 1 : data[i + 2];
			want = v > XM_DIGESTS_LIMIT ? -EINVAL : v < nmodel ? -EBUSY : 0;
			ret = set_max(&the_list, v);
			fuzz_assert(ret == want, "set_max(%u) with %zu listed: %d, not %d",
				    v, nmodel, ret, want);
			fuzz_assert(the_list.max == (want ? max : v), "digests_max");
			max = the_list.max;
			i += 2;
			continue;
		}
		if (i + 1 < size && data[i + 1] == 'f' && i + 2 < size) {
			fail = data[i + 2] + 1;
			i += 2;
			continue;
		}
		if (i + 1 < size && data[i + 1] == 's') {
			signal = true;
			i++;
			continue;
		}
		do_write(text, len, fail, signal, chunk);
		len = 0;
		fail = 0;
		signal = false;
		i++;
	}
	write_back();
	reset();
	return 0;
}
