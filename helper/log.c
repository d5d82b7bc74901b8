// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the log subcommand. The denials that the forwarder
 * wrote to the audit log, read back with libauparse: selected by the time
 * of the denial (the record's time= field, not the time the kernel stamped
 * on the record when the forwarder delivered it), the denied process's pid,
 * user, executable, the file and the reason; printed one per line, as JSON
 * lines, or counted per file, executable, user, command or reason.
 *
 * These are what ausearch cannot do with a record that a user-space
 * program sends (see the admin guide, "Searching the denials"): ausearch
 * takes a user record's pid from its header (the forwarder's) and no file
 * name from it.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <auparse.h>
#include <json-c/json.h>
#include <libaudit.h>

#include "cmd.h"
#include "opts.h"
#include "util.h"

/* The fields of one record, as auparse reads them (decoded strings). */
struct denial {
	uint64_t sec;		/* of the denial (time=), else of the record */
	uint32_t nsec;
	bool has_time;		/* time= present */
	time_t rec_sec;		/* the record's own timestamp */
	unsigned int rec_milli;
	unsigned long serial;
	char *node;		/* node= of the record (name_format), or NULL */
	char *seq, *op, *mode, *reason, *pid, *uid, *auid, *ses, *comm,
	     *exe, *path, *dev, *ino, *late, *lost, *source, *truncated;
	char *uid_name, *auid_name;	/* as ausearch -i names them */
};

/* The names of struct denial's string fields, as keys of the record. */
static const struct {
	const char *key;
	size_t off;
} keys[] = {
#define K(k, m) { k, offsetof(struct denial, m) }
	K("seq", seq), K("op", op), K("execmark_mode", mode), K("mode", mode),
	K("reason", reason), K("pid", pid), K("ouid", uid), K("oauid", auid),
	K("uid", uid), K("auid", auid),	/* TRUSTED_APP records before */
	K("ses", ses), K("comm", comm), K("exe", exe), K("path", path),
	K("dev", dev), K("ino", ino), K("late", late), K("lost", lost),
	K("source", source), K("truncated", truncated),
#undef K
};

enum count_by { BY_NONE, BY_PATH, BY_EXE, BY_USER, BY_COMM, BY_REASON };

struct log_opts {
	bool have_since, have_until;
	uint64_t since_ns, until_ns;
	const char *path, *exe, *reason, *comm, *mode;
	bool have_user, have_pid;
	uid_t user;
	unsigned long pid;
	enum count_by by;
	bool json;
	char **inputs;
	size_t ninputs;
};

struct count {
	char *key;
	unsigned long n;
};

struct counts {
	struct count *v;
	size_t n, cap;
};

static const char log_usage[] =
"usage: execmark log [OPTION]...\n"
"Print the denials that execmark forward wrote to the audit log.\n"
"  -s, --since TIME     denials at or after TIME\n"
"  -u, --until TIME     denials before TIME\n"
"                       TIME: YYYY-MM-DD[ HH:MM[:SS]] (local time), @EPOCH,\n"
"                       now, today, yesterday, or -N followed by s, m, h, d\n"
"  -f, --path PATH      the denied file is PATH (a directory ending in '/':\n"
"                       any file under it)\n"
"  -U, --user USER      the denied process's uid or login uid (name or number)\n"
"  -p, --pid PID        the denied process\n"
"  -x, --exe EXE        the denied process's executable\n"
"  -c, --comm COMM      the denied process's command name\n"
"  -r, --reason REASON  unmarked, corrupt, mismatch, unverifiable, error, ...\n"
"  -m, --mode MODE      enforce (refused) or permissive (allowed, would be refused)\n"
"  -g, --count BY       count the denials per path, exe, user, comm or reason\n"
"  -j, --json           one JSON object per line\n"
"  -i, --input FILE     read FILE (an audit log; - for standard input), not\n"
"                       auditd's logs; may be given more than once\n"
SHARED_HELP
"Exit status: 0 if a denial was found, 1 if none, 2 on an error.\n";

/* Seconds since the epoch of a local "YYYY-MM-DD[ HH:MM[:SS]]". */
static int parse_date(const char *s, time_t *out)
{
	struct tm tm = { .tm_isdst = -1 };
	const char *end;

	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end)
		return -1;
	if (*end == ' ' || *end == 'T') {
		const char *e2 = strptime(end + 1, "%H:%M:%S", &tm);

		if (!e2)
			e2 = strptime(end + 1, "%H:%M", &tm);
		end = e2;
	}
	if (!end || *end)
		return -1;
	*out = mktime(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

/* A --since/--until TIME, in ns since the epoch; -1 if it is not one. */
static int parse_time(const char *s, uint64_t *ns)
{
	time_t now = time(NULL), t;
	struct tm tm;
	char *end;

	if (!strcmp(s, "now")) {
		*ns = realtime_ns();
		return 0;
	}
	if (!strcmp(s, "today") || !strcmp(s, "yesterday")) {
		localtime_r(&now, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		if (*s == 'y')
			tm.tm_mday--;
		*ns = (uint64_t)mktime(&tm) * 1000000000ull;
		return 0;
	}
	if (*s == '@' || *s == '-') {
		unsigned long long v;

		if (!isdigit((unsigned char)s[1]))
			return -1;
		errno = 0;
		v = strtoull(s + 1, &end, 10);
		if (errno || v > (unsigned long long)now)
			return -1;
		if (*s == '@') {
			if (*end)
				return -1;
			*ns = v * 1000000000ull;
			return 0;
		}
		switch (*end) {
		case 'd': v *= 24;	/* fall through */
		case 'h': v *= 60;	/* fall through */
		case 'm': v *= 60;	/* fall through */
		case 's': break;
		default: return -1;
		}
		if (end[1] || v > (unsigned long long)now)
			return -1;
		*ns = ((uint64_t)now - v) * 1000000000ull;
		return 0;
	}
	if (parse_date(s, &t) || t < 0)
		return -1;
	*ns = (uint64_t)t * 1000000000ull;
	return 0;
}

static int parse_user(const char *s, uid_t *uid)
{
	struct passwd *pw;
	unsigned int v;

	if (!parse_uint(s, 0, UINT32_MAX - 1, &v)) {
		*uid = v;
		return 0;
	}
	pw = getpwnam(s);
	if (!pw)
		return -1;
	*uid = pw->pw_uid;
	return 0;
}

static char **field_of(struct denial *d, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].key, key))
			return (char **)((char *)d + keys[i].off);
	return NULL;
}

static void denial_free(struct denial *d)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char **f = (char **)((char *)d + keys[i].off);

		free(*f);
		*f = NULL;
	}
	free(d->node);
	free(d->uid_name);
	free(d->auid_name);
}

/* "S.NNNNNNNNN" (the kernel's time=): 0, or -1. */
static int parse_event_time(const char *v, uint64_t *sec, uint32_t *nsec)
{
	size_t n = strspn(v, "0123456789");

	if (!n || n > 12 || v[n] != '.' || strlen(v + n + 1) != 9 ||
	    strspn(v + n + 1, "0123456789") != 9)
		return -1;
	*sec = strtoull(v, NULL, 10);
	*nsec = strtoul(v + n + 1, NULL, 10);
	return 0;
}

/*
 * The name of uid @v as ausearch -i shows it: "unset" for -1, the user's
 * name here, or "unknown(N)". Not auparse_interpret_field(): in auditd's
 * ENRICHED log format a record carries the names of its header's ids
 * (UID="root" for the forwarder), and auparse gives those for every field
 * of that name.
 */
static char *user_name(const char *v)
{
	struct passwd *pw;
	unsigned int id;

	if (parse_uint(v, 0, UINT32_MAX, &id))
		return xstrdup(v);
	if (id == UINT32_MAX)
		return xstrdup("unset");
	pw = getpwuid(id);
	return pw ? xstrdup(pw->pw_name) : xasprintf("unknown(%u)", id);
}

/*
 * Read the current record into @d if it is one of the forwarder's: 1, or
 * 0 if not. Its fields after the header (the forwarder's pid, uid, auid,
 * ses, subj) start at seq=, the first field of every record it writes.
 */
static int read_record(auparse_state_t *au, struct denial *d)
{
	int type = auparse_get_type(au);
	const au_event_t *e;
	bool in_msg = false;

	if (type != AUDIT_ANOM_EXEC && type != AUDIT_TRUSTED_APP)
		return 0;
	memset(d, 0, sizeof(*d));
	if (auparse_first_field(au) <= 0)
		return 0;
	do {
		const char *name = auparse_get_field_name(au), *v;
		char **f;

		if (!name)
			continue;
		if (!in_msg) {
			if (strcmp(name, "seq"))
				continue;
			in_msg = true;
		}
		f = field_of(d, name);
		if (!f || *f)	/* not ours, or a second one: the first counts */
			continue;
		if (!strcmp(name, "comm") || !strcmp(name, "exe") ||
		    !strcmp(name, "path"))
			v = auparse_interpret_field(au);	/* decoded */
		else
			v = auparse_get_field_str(au);
		if (!v)
			continue;
		*f = xstrdup(v);
		if (f == &d->uid || f == &d->auid)
			*(f == &d->uid ? &d->uid_name : &d->auid_name) = user_name(v);
	} while (auparse_next_field(au) > 0);
	/* Another program's TRUSTED_APP record is not ours. */
	if (!d->seq || !d->op || (type == AUDIT_TRUSTED_APP && !d->reason &&
				  strcmp(d->op, "lost"))) {
		denial_free(d);
		return 0;
	}
	e = auparse_get_timestamp(au);
	if (e) {
		d->rec_sec = e->sec;
		d->rec_milli = e->milli;
		d->serial = e->serial;
		if (e->host)
			d->node = xstrdup(e->host);
	}
	{
		const char *t = NULL;

		auparse_first_field(au);
		/* time= is found by name: no header field has that name */
		if (auparse_find_field(au, "time"))
			t = auparse_get_field_str(au);
		if (t && !parse_event_time(t, &d->sec, &d->nsec)) {
			d->has_time = true;
		} else {
			d->sec = d->rec_sec;
			d->nsec = d->rec_milli * 1000000u;
		}
	}
	return 1;
}

static bool str_is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static bool path_matches(const char *want, const char *path)
{
	size_t n = strlen(want);

	if (!path)
		return false;
	if (n > 1 && want[n - 1] == '/')
		return !strncmp(want, path, n);
	return !strcmp(want, path);
}

static bool id_is(const char *v, uid_t want)
{
	unsigned int id;

	return v && !parse_uint(v, 0, UINT32_MAX, &id) && id == want;
}

static bool selected(const struct log_opts *o, const struct denial *d)
{
	uint64_t t = d->sec * 1000000000ull + d->nsec;
	bool lost = str_is(d->op, "lost");
	unsigned int pid;

	if ((o->have_since && t < o->since_ns) || (o->have_until && t >= o->until_ns))
		return false;
	/* A lost record matches no filter of what was lost. */
	if (lost && (o->path || o->exe || o->reason || o->comm || o->mode ||
		     o->have_user || o->have_pid || o->by != BY_NONE))
		return false;
	if (lost)
		return true;
	if (o->path && !path_matches(o->path, d->path))
		return false;
	if (o->exe && !str_is(o->exe, d->exe))
		return false;
	if (o->comm && !str_is(o->comm, d->comm))
		return false;
	if (o->reason && !str_is(o->reason, d->reason))
		return false;
	if (o->mode && !str_is(o->mode, d->mode))
		return false;
	if (o->have_user && !id_is(d->uid, o->user) && !id_is(d->auid, o->user))
		return false;
	if (o->have_pid && (!d->pid || parse_uint(d->pid, 0, UINT32_MAX, &pid) ||
			    pid != o->pid))
		return false;
	return true;
}

/* @s with '\\', control characters, bytes above 0x7e and space escaped. */
static char *esc_field(const char *s)
{
	char *e = esc(s ? s : "?"), *out = xmalloc(4 * strlen(e) + 1), *o = out;

	for (const char *p = e; *p; p++) {
		if (*p == ' ') {
			memcpy(o, "\\x20", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	free(e);
	return out;
}

static void print_time(uint64_t sec, uint32_t nsec, bool utc, char *buf,
		       size_t len)
{
	time_t t = sec;
	struct tm tm;
	char b[32];

	if (utc)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	strftime(b, sizeof(b), utc ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s.%0*u%s", b, utc ? 9 : 6,
		 utc ? nsec : nsec / 1000, utc ? "Z" : "");
}

static void print_text(const struct denial *d)
{
	char t[64];

	print_time(d->sec, d->nsec, false, t, sizeof(t));
	if (str_is(d->op, "lost")) {
		printf("%s lost %s events from seq %s%s%s\n", t,
		       d->lost ? d->lost : "?", d->seq,
		       d->source ? ", by the " : "", d->source ? d->source : "");
		return;
	}
	{
		char *comm = esc_field(d->comm), *exe = esc_field(d->exe),
		     *path = esc_field(d->path), *un = esc_field(d->uid_name),
		     *an = esc_field(d->auid_name);

		printf("%s %s %s %s uid=%s(%s) auid=%s(%s) pid=%s comm=%s exe=%s path=%s",
		       t, d->mode ? d->mode : "?", d->op, d->reason ? d->reason : "?",
		       d->uid ? d->uid : "?", un, d->auid ? d->auid : "?", an,
		       d->pid ? d->pid : "?", comm, exe, path);
		if (d->late)
			printf(" late=%s", d->late);
		if (d->truncated)
			printf(" truncated=%s", d->truncated);
		if (!d->has_time)
			printf(" time=record");
		putchar('\n');
		free(comm);
		free(exe);
		free(path);
		free(un);
		free(an);
	}
}

/* Add @key: @v to @obj, @v a string, or NULL: leave it out. */
static void j_str(struct json_object *obj, const char *key, const char *v)
{
	if (v)
		json_object_object_add(obj, key, json_object_new_string(v));
}

/* Add @key: the decimal @v as a number, or null if it is not one. */
static void j_num(struct json_object *obj, const char *key, const char *v)
{
	bool num = v && *v && strspn(v, "0123456789") == strlen(v) && strlen(v) < 20;

	json_object_object_add(obj, key, num ?
			       json_object_new_uint64(strtoull(v, NULL, 10)) : NULL);
}

/* Print @obj on one line and free it. */
static void j_print(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

static void print_json(const struct denial *d)
{
	struct json_object *o = json_object_new_object();
	char t[64], rt[64];

	print_time(d->sec, d->nsec, true, t, sizeof(t));
	print_time(d->rec_sec, d->rec_milli * 1000000u, true, rt, sizeof(rt));
	j_str(o, "time", t);
	j_str(o, "time_source", d->has_time ? "denial" : "record");
	j_str(o, "record_time", rt);
	json_object_object_add(o, "serial", json_object_new_uint64(d->serial));
	j_str(o, "node", d->node);
	j_num(o, "seq", d->seq);
	j_str(o, "op", d->op);
	if (str_is(d->op, "lost")) {
		j_num(o, "lost", d->lost);
		j_str(o, "source", d->source);
		j_print(o);
		return;
	}
	j_str(o, "mode", d->mode);
	j_str(o, "reason", d->reason);
	j_str(o, "comm", d->comm);
	j_str(o, "exe", d->exe);
	j_str(o, "path", d->path);
	j_str(o, "dev", d->dev);
	j_str(o, "truncated", d->truncated);
	j_num(o, "pid", d->pid);
	j_num(o, "uid", d->uid);
	j_str(o, "user", d->uid_name);
	j_num(o, "auid", d->auid);
	j_str(o, "login_user", d->auid_name);
	j_num(o, "ses", d->ses);
	j_num(o, "ino", d->ino);
	if (d->late)
		json_object_object_add(o, "late", strspn(d->late, "0123456789.") == strlen(d->late) ?
				       json_object_new_double_s(strtod(d->late, NULL), d->late) :
				       NULL);
	j_print(o);
}

static void count_add(struct counts *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].key, key)) {
			c->v[i].n++;
			return;
		}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = (struct count){ xstrdup(key), 1 };
}

static int count_cmp(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->key, y->key);
}

static const char *const by_names[] = {
	[BY_PATH] = "path", [BY_EXE] = "exe", [BY_USER] = "user",
	[BY_COMM] = "comm", [BY_REASON] = "reason",
};

static void count_print(struct counts *c, enum count_by by, bool json)
{
	qsort(c->v, c->n, sizeof(*c->v), count_cmp);
	if (!json)
		printf("%-8s %s\n", "denials", by_names[by]);
	for (size_t i = 0; i < c->n; i++) {
		if (json) {
			struct json_object *o = json_object_new_object();

			j_str(o, by_names[by], c->v[i].key);
			json_object_object_add(o, "denials", json_object_new_uint64(c->v[i].n));
			j_print(o);
		} else {
			char *k = esc_field(c->v[i].key);

			printf("%-8lu %s\n", c->v[i].n, k);
			free(k);
		}
		free(c->v[i].key);
	}
	free(c->v);
}

static const char *count_key(const struct denial *d, enum count_by by,
			     char *buf, size_t len)
{
	switch (by) {
	case BY_PATH: return d->path ? d->path : "?";
	case BY_EXE: return d->exe ? d->exe : "?";
	case BY_COMM: return d->comm ? d->comm : "?";
	case BY_REASON: return d->reason ? d->reason : "?";
	case BY_USER:
		snprintf(buf, len, "%s(%s)", d->uid_name ? d->uid_name : "?",
			 d->uid ? d->uid : "?");
		return buf;
	default: return "";
	}
}

static const char *log_set(void *ctx, int key, const char *arg)
{
	struct log_opts *o = ctx;
	unsigned int v;

	switch (key) {
	case 's':
	case 'u':
		if (parse_time(arg, key == 's' ? &o->since_ns : &o->until_ns)) {
			static char why[256];

			snprintf(why, sizeof(why), "not a time: %.100s (YYYY-MM-DD[ HH:MM[:SS]], @EPOCH, now, today, yesterday, -N[smhd])",
				 arg);
			return why;
		}
		*(key == 's' ? &o->have_since : &o->have_until) = true;
		break;
	case 'f':
		o->path = arg;
		break;
	case 'U':
		if (parse_user(arg, &o->user))
			return "no such user";
		o->have_user = true;
		break;
	case 'p':
		if (parse_uint(arg, 1, INT32_MAX, &v))
			return "not a pid";
		o->pid = v;
		o->have_pid = true;
		break;
	case 'x':
		o->exe = arg;
		break;
	case 'c':
		o->comm = arg;
		break;
	case 'r':
		o->reason = arg;
		break;
	case 'm':
		if (strcmp(arg, "enforce") && strcmp(arg, "permissive"))
			return "enforce or permissive";
		o->mode = arg;
		break;
	case 'g':
		o->by = BY_NONE;
		for (size_t i = 1; i < ARRAY_SIZE(by_names); i++)
			if (!strcmp(arg, by_names[i]))
				o->by = i;
		if (o->by == BY_NONE)
			return "path, exe, user, comm or reason";
		break;
	case 'j':
		o->json = true;
		break;
	case 'i':
		o->inputs = xrealloc(o->inputs, (o->ninputs + 2) * sizeof(char *));
		o->inputs[o->ninputs++] = (char *)arg;
		o->inputs[o->ninputs] = NULL;
		break;
	}
	return NULL;
}

static int parse_log_opts(int argc, char **argv, struct log_opts *o, int *status)
{
	static const struct verb_opt opts[] = {
		{ "since", 's', true }, { "until", 'u', true },
		{ "path", 'f', true }, { "user", 'U', true },
		{ "pid", 'p', true }, { "exe", 'x', true },
		{ "comm", 'c', true }, { "reason", 'r', true },
		{ "mode", 'm', true }, { "count", 'g', true },
		{ "json", 'j', false }, { "input", 'i', true },
		{ NULL, 0, false },
	};
	const struct verb_opts x = { opts, log_set, o };

	if (parse_opts(argc, argv, log_usage, &x, 0, 0, status) < 0)
		return -1;
	if (o->have_since && o->have_until && o->until_ns <= o->since_ns) {
		*status = usage_error(log_usage, "log: --until is not after --since");
		return -1;
	}
	return 0;
}

int cmd_log(int argc, char **argv)
{
	struct log_opts o = { 0 };
	struct counts counts = { 0 };
	auparse_state_t *au;
	unsigned long found = 0;
	int status, ret;

	if (parse_log_opts(argc, argv, &o, &status)) {
		free(o.inputs);
		return status;
	}
	if (o.ninputs == 1 && !strcmp(o.inputs[0], "-"))
		au = auparse_init(AUSOURCE_FILE_POINTER, stdin);
	else if (o.ninputs)
		au = auparse_init(AUSOURCE_FILE_ARRAY, o.inputs);
	else
		au = auparse_init(AUSOURCE_LOGS, NULL);
	if (!au) {
		if (o.ninputs)
			warnmsg("cannot read %s: %s", o.ninputs == 1 ? o.inputs[0] :
				"the input files", strerror(errno));
		else
			warnmsg("cannot read the audit logs (auditd.conf's log_file): %s%s",
				strerror(errno), errno == EACCES ?
				" (reading them needs root)" : "");
		free(o.inputs);
		return EXIT_ERROR;
	}
	auparse_set_escape_mode(au, AUPARSE_ESC_RAW);
	while ((ret = auparse_next_event(au)) > 0) {
		if (auparse_first_record(au) <= 0)
			continue;
		do {
			struct denial d;
			char buf[64];

			if (!read_record(au, &d))
				continue;
			if (selected(&o, &d)) {
				found++;
				if (o.by != BY_NONE)
					count_add(&counts, count_key(&d, o.by, buf, sizeof(buf)));
				else if (o.json)
					print_json(&d);
				else
					print_text(&d);
			}
			denial_free(&d);
		} while (auparse_next_record(au) > 0);
	}
	if (ret < 0)
		warnmsg("reading the audit log: %s", strerror(errno));
	if (o.by != BY_NONE)
		count_print(&counts, o.by, o.json);
	auparse_destroy(au);
	free(o.inputs);
	if (ret < 0)
		return EXIT_ERROR;
	return found ? EXIT_OK : 1;
}
