// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz harness "forward": the forwarder's reading of an event line and its
 * encoding of the audit record's text, event_record() (helper/forward.c).
 *
 * The first input byte chooses the line:
 *   0 (even) the rest of the input, up to a newline or NUL, as the line;
 *            "\xff N C" in it stands for the byte C repeated 64 * N times,
 *            so that records over the audit limit need no long inputs
 *            (up to LINE_CAP bytes in all);
 *   1 (odd)  a line the kernel can write: the fields of execmark_report()
 *            (lsm/events.c), comm, exe and path taken from the input and
 *            encoded by the kernel's own xm_encode_untrusted() (lsm/encode.h,
 *            kencode.c), or a "seq=N lost=M" line. It must be accepted.
 *
 * For every record, the round trip holds: it fits AUDIT_MESSAGE_TEXT_MAX;
 * it is "key=value" fields separated by single spaces, printable ASCII
 * without a single quote (which would end msg='...'), double quotes only
 * around a whole value; the fields are the line's, in order, with the same
 * value as ausearch -i reads it: comm, exe and path decoded (a "quoted"
 * string, "?", or hex), any other value byte for byte; except that "mode"
 * is called "execmark_mode", "uid" and "auid" "ouid" and "oauid", a "quoted" string holding an '=' is in hex
 * (ausearch's parser would see a field in it), path comes again as "cmd"
 * after the line's fields, "res=failed" (mode=enforce) or "res=success"
 * (mode=permissive) is last; "seq=N lost=M" becomes "seq=N op=lost
 * lost=M", and a field named in "truncated=" (just before res=) may be cut
 * (its decoded value a prefix of the line's), which happens only when the
 * whole would not fit. A kernel line's record made a second or more after
 * its time= says how late, in milliseconds, in "late=" after "cmd=".
 */
#include <libaudit.h>
#include <string.h>

#include "forward.h"
#include "fuzz.h"
#include "kencode.h"
#include "util.h"

#define MAX_FIELDS	40
#define LINE_CAP	(3 * AUDIT_MESSAGE_TEXT_MAX)

struct field {
	const char *key, *val;
	size_t keylen, vallen;
};

/* Split @s (modified) at single spaces into key=value fields. */
static size_t split(char *s, struct field *f, bool strict)
{
	size_t n = 0;
	char *p = s, *sp, *eq;

	for (;;) {
		while (!strict && *p == ' ')
			p++;
		if (!*p)
			break;
		fuzz_assert(n < MAX_FIELDS, "too many fields");
		sp = strchr(p, ' ');
		if (sp)
			*sp = '\0';
		eq = strchr(p, '=');
		if (!eq) {
			fuzz_assert(!strict, "a field without '=': %s", p);
			return (size_t)-1;
		}
		f[n].key = p;
		f[n].keylen = eq - p;
		f[n].val = eq + 1;
		f[n].vallen = strlen(eq + 1);
		n++;
		if (!sp)
			break;
		p = sp + 1;
		fuzz_assert(!strict || *p, "a trailing space");
	}
	return n;
}

static bool key_is(const struct field *f, const char *key)
{
	return f->keylen == strlen(key) && !memcmp(f->key, key, f->keylen);
}

static bool string_key(const struct field *f)
{
	return key_is(f, "comm") || key_is(f, "exe") || key_is(f, "path") ||
	       key_is(f, "cmd");
}

/*
 * ausearch -i's reading of an encoded field (auparse's print_escaped()):
 * a quoted string is its content, "?" and "(null)" are themselves, anything
 * else is hex. Return the length, or -1 if it cannot be read as meant.
 */
static long decode(const struct field *f, char *out)
{
	const char *v = f->val;
	size_t n = f->vallen;

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		memcpy(out, v + 1, n - 2);
		return n - 2;
	}
	if ((n == 1 && v[0] == '?') || (n == 6 && !memcmp(v, "(null)", 6))) {
		memcpy(out, v, n);
		return n;
	}
	if (n % 2)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		if (fuzz_hexval(v[i]) < 0 || fuzz_hexval(v[i + 1]) < 0)
			return -1;
		out[i / 2] = fuzz_hexval(v[i]) << 4 | fuzz_hexval(v[i + 1]);
	}
	return n / 2;
}

/* The record's text on its own: what msg='...' can hold, and its shape. */
static void check_text(const char *rec)
{
	size_t len = strlen(rec);

	fuzz_assert(len <= AUDIT_MESSAGE_TEXT_MAX, "record of %zu bytes", len);
	for (const char *p = rec; *p; p++)
		fuzz_assert(*p >= 0x20 && *p <= 0x7e && *p != '\'',
			    "byte 0x%02x in the record", (unsigned char)*p);
}

static void check_field(const struct field *f)
{
	const char *v = f->val;
	size_t n = f->vallen;

	fuzz_assert(f->keylen > 0 && strspn(f->key, "abcdefghijklmnopqrstuvwxyz_") == f->keylen,
		    "bad key %.*s", (int)f->keylen, f->key);
	if (n && v[0] == '"')
		fuzz_assert(n >= 2 && v[n - 1] == '"' && !memchr(v + 1, '"', n - 2) &&
			    !memchr(v + 1, '=', n - 2),
			    "bad quoting, or an '=' in a quoted string: %s", v);
	else
		fuzz_assert(!memchr(v, '"', n), "a stray quote: %s", v);
}

/* Is @key in the "truncated=" list @list? */
static bool listed(const char *list, const struct field *f)
{
	size_t n = f->keylen;

	for (const char *p = list; *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : "")
		if (!strncmp(p, f->key, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/*
 * The fields that the record of the line's fields @fi (@ni of them) must
 * have, in @fe (with room for 2 more): mode renamed, cmd= after them; and
 * in @res the res= value that must end it, or NULL.
 */
static size_t expected(const struct field *fi, size_t ni, struct field *fe,
		       const char **res)
{
	size_t ne = 0;

	*res = NULL;
	for (size_t i = 0; i < ni; i++) {
		fe[ne] = fi[i];
		if (key_is(&fi[i], "uid") || key_is(&fi[i], "auid")) {
			fe[ne].key = key_is(&fi[i], "uid") ? "ouid" : "oauid";
			fe[ne].keylen = fi[i].keylen + 1;
		}
		if (key_is(&fi[i], "mode")) {
			fe[ne].key = "execmark_mode";
			fe[ne].keylen = strlen("execmark_mode");
			if (fi[i].vallen == 7 && !memcmp(fi[i].val, "enforce", 7))
				*res = "failed";
			else if (fi[i].vallen == 10 && !memcmp(fi[i].val, "permissive", 10))
				*res = "success";
		}
		ne++;
	}
	for (size_t i = 0; i < ni; i++)
		if (key_is(&fi[i], "path")) {
			fe[ne] = fi[i];
			fe[ne].key = "cmd";
			fe[ne].keylen = 3;
			ne++;
		}
	return ne;
}

/* The round trip of @line through event_record(). */
static void check(const char *line, bool must_accept)
{
	char *rec = event_record(line, 0), *in = xstrdup(line), *out, *din, *dout;
	struct field fi[MAX_FIELDS], fo[MAX_FIELDS], fe[MAX_FIELDS + 2];
	size_t ni, no, ne, i;
	const char *trunc = NULL, *res;
	bool cut = false;

	if (!rec) {
		fuzz_assert(!must_accept, "a line the kernel writes is refused: %s", line);
		free(in);
		return;
	}
	check_text(rec);
	out = xstrdup(rec);
	ni = split(in, fi, false);
	no = split(out, fo, true);
	fuzz_assert(ni != (size_t)-1, "accepted a field without '='");
	for (i = 0; i < no; i++)
		check_field(&fo[i]);
	fuzz_assert(ni >= 2 && key_is(&fi[0], "seq"), "accepted a line without seq=");
	if (ni == 2 && key_is(&fi[1], "lost")) {
		char *want = xasprintf("seq=%s op=lost lost=%s", fi[0].val, fi[1].val);

		fuzz_assert(!strcmp(rec, want), "lost line: %s", rec);
		free(want);
		goto done;
	}
	ne = expected(fi, ni, fe, &res);
	if (res) {
		fuzz_assert(no && key_is(&fo[no - 1], "res") &&
			    !strcmp(fo[no - 1].val, res), "no res=%s at the end", res);
		no--;
	}
	if (no == ne + 1 && key_is(&fo[no - 1], "truncated")) {
		trunc = fo[no - 1].val;
		no--;
	}
	fuzz_assert(no == ne, "%zu fields expected, %zu out", ne, no);
	din = xmalloc(strlen(line) + 1);
	dout = xmalloc(strlen(rec) + 1);
	for (i = 0; i < ne; i++) {
		long li, lo;

		fuzz_assert(fe[i].keylen == fo[i].keylen &&
			    !memcmp(fe[i].key, fo[i].key, fe[i].keylen),
			    "field %zu renamed", i);
		if (!string_key(&fe[i])) {
			fuzz_assert(fe[i].vallen == fo[i].vallen &&
				    !memcmp(fe[i].val, fo[i].val, fe[i].vallen),
				    "value of %.*s changed", (int)fe[i].keylen, fe[i].key);
			continue;
		}
		li = decode(&fe[i], din);
		lo = decode(&fo[i], dout);
		fuzz_assert(li >= 0, "accepted %.*s=%s, which ausearch cannot read",
			    (int)fe[i].keylen, fe[i].key, fe[i].val);
		fuzz_assert(lo >= 0, "wrote %.*s=%s, which ausearch cannot read",
			    (int)fo[i].keylen, fo[i].key, fo[i].val);
		if (li == lo && !memcmp(din, dout, li))
			continue;
		fuzz_assert(trunc && listed(trunc, &fo[i]) && lo < li &&
			    !memcmp(din, dout, lo),
			    "value of %.*s changed", (int)fe[i].keylen, fe[i].key);
		cut = true;
	}
	fuzz_assert(!trunc || cut, "truncated= but nothing cut");
	if (cut) {	/* only when the uncut record would not fit */
		size_t full = res ? strlen(" res=") + strlen(res) : 0;

		for (i = 0; i < ne; i++) {
			bool rehexed = fe[i].val[0] == '"' &&
				       (memchr(fe[i].val, '\'', fe[i].vallen) ||
					memchr(fe[i].val, '=', fe[i].vallen));

			full += fe[i].keylen + 2 +
				(rehexed ? 2 * (fe[i].vallen - 2) : fe[i].vallen);
		}
		fuzz_assert(full > AUDIT_MESSAGE_TEXT_MAX,
			    "cut a record of %zu bytes", full - 1);
	}
	free(din);
	free(dout);
done:
	free(out);
	free(in);
	free(rec);
}

/*
 * The record of a kernel @line with time=@sec.@nsec, made @delay ns after
 * it: late=S.mmm after cmd= iff @delay is a second or more.
 */
static void check_late(const char *line, unsigned long long sec,
		       unsigned int nsec, unsigned long long delay)
{
	char *rec = event_record(line, sec * 1000000000ull + nsec + delay);
	char *late = rec ? strstr(rec, " late=") : NULL;

	fuzz_assert(rec, "a line the kernel writes is refused: %s", line);
	if (delay < 1000000000ull) {
		fuzz_assert(!late, "late= %llu ns after the denial: %s", delay, rec);
	} else {
		char *want = xasprintf(" late=%llu.%03llu", delay / 1000000000ull,
				       delay / 1000000 % 1000);

		fuzz_assert(late && !strncmp(late, want, strlen(want)) &&
			    (!late[strlen(want)] || late[strlen(want)] == ' '),
			    "not%s after %llu ns: %s", want, delay, rec);
		fuzz_assert(strstr(rec, " cmd=") && strstr(rec, " cmd=") < late,
			    "late= before cmd=: %s", rec);
		free(want);
	}
	free(rec);
}

/* Mode 0: the input as a line, with "\xff N C" expanded. */
static void raw_line(const uint8_t *data, size_t size)
{
	size_t cap = size + 1, n = 0;
	char *line = xmalloc(cap);

	for (size_t i = 0; i < size && data[i] && data[i] != '\n'; i++) {
		size_t rep = 1;
		char c = data[i];

		if (data[i] == 0xff && i + 2 < size) {
			rep = 64 * (size_t)data[i + 1];
			c = data[i + 2];
			i += 2;
		}
		if (n + rep > LINE_CAP)	/* enough to need a cut */
			break;
		if (n + rep + 1 > cap) {
			cap = 2 * (n + rep + 1);
			line = xrealloc(line, cap);
		}
		memset(line + n, c, rep);
		n += rep;
	}
	line[n] = '\0';
	if (!memchr(line, '\0', n) && !strchr(line, '\n'))
		check(line, false);
	free(line);
}

/* Input bytes taken in order; zeros once it is used up. */
struct src {
	const uint8_t *p;
	size_t n;
};

static unsigned int take(struct src *s, unsigned int bytes)
{
	unsigned int v = 0;

	while (bytes--) {
		v = v << 8 | (s->n ? *s->p : 0);
		if (s->n) {
			s->p++;
			s->n--;
		}
	}
	return v;
}

/*
 * A string of @max bytes at most, without NUL, a pattern from the input
 * repeated: of up to 127 bytes, or after a length byte 0xff of up to @max
 * (rarely, since long ones are slow and short ones reach the same code).
 */
static char *string(struct src *s, size_t max, size_t *len)
{
	unsigned int l = take(s, 1);
	size_t want = (l == 0xff ? take(s, 2) : l % 128) % (max + 1);
	size_t seed = take(s, 1) % 32;
	char *str = xmalloc(want + 1), *pat = xmalloc(seed + 1);

	for (size_t i = 0; i < seed; i++) {
		pat[i] = take(s, 1);
		if (!pat[i])
			pat[i] = '/';
	}
	for (size_t i = 0; i < want; i++)
		str[i] = seed ? pat[i % seed] : 'x';
	str[want] = '\0';
	free(pat);
	*len = want;
	return str;
}

/* Mode 1: an event line as lsm/events.c and lsm/ring.c write it. */
static void kernel_line(const uint8_t *data, size_t size)
{
	static const char *const ops[] = { "exec", "check", "mmap", "mprotect", "invalid" };
	static const char *const modes[] = { "off", "permissive", "enforce" };
	static const char *const reasons[] = { "unmarked", "corrupt", "mismatch",
					       "unverifiable", "error", "invalid",
					       /* marks v2 */
					       "not-verity", "unsigned",
					       "bad-signature", "revoked" };
	struct src s = { data, size };
	unsigned long long seq = (unsigned long long)take(&s, 4) << 32 | take(&s, 4);
	unsigned int sel = take(&s, 1);
	char *line, *comm, *exe, *path, *ecomm, *eexe, *epath;
	unsigned long long tsec, delay;
	unsigned int tnsec;
	size_t lc, le, lp;

	if (sel == 0xff) {
		line = xasprintf("seq=%llu lost=%u", seq, take(&s, 4) | 1);
		check(line, true);
		free(line);
		return;
	}
	comm = string(&s, 15, &lc);			/* TASK_COMM_LEN - 1 */
	exe = string(&s, 4095, &le);			/* PATH_MAX - 1 */
	path = string(&s, 4095, &lp);
	ecomm = xmalloc(2 * 4096 + 3);
	eexe = xmalloc(2 * 4096 + 3);
	epath = xmalloc(2 * 4096 + 3);
	kernel_encode(ecomm, 2 * 4096 + 3, comm, lc);
	if (sel & 0x80)		/* no mm, or d_path() failed */
		strcpy(eexe, "?");
	else
		kernel_encode(eexe, 2 * 4096 + 3, exe, le);
	kernel_encode(epath, 2 * 4096 + 3, path, lp);
	tsec = take(&s, 4);
	tnsec = take(&s, 4) % 1000000000u;
	delay = (unsigned long long)take(&s, 4) * 2;	/* up to 8.6 s */
	line = xasprintf("seq=%llu op=%s mode=%s reason=%s pid=%d uid=%u auid=%u ses=%u comm=%s exe=%s path=%s dev=%u:%u ino=%llu time=%llu.%09u",
			 seq, ops[sel % 5], modes[sel / 5 % 3], reasons[sel / 15 % ARRAY_SIZE(reasons)],
			 (int)take(&s, 4), take(&s, 4), take(&s, 4), take(&s, 4),
			 ecomm, eexe, epath, take(&s, 2) & 0xfff, take(&s, 3) & 0xfffff,
			 (unsigned long long)take(&s, 4) << 32 | take(&s, 4),
			 tsec, tnsec);
	check(line, true);
	check_late(line, tsec, tnsec, delay);
	free(line);
	free(comm);
	free(exe);
	free(path);
	free(ecomm);
	free(eexe);
	free(epath);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		kernel_line(data + 1, size - 1);
	else
		raw_line(data + 1, size - 1);
	return 0;
}
