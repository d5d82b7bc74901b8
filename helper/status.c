// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the status subcommand.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cmd.h"
#include "fwdstate.h"
#include "opts.h"
#include "securityfs.h"
#include "util.h"

/* Whether a forwarder holds the events file (one reader at a time). */
static const char *forwarder_state(void)
{
	int fd = securityfs_open("events", O_RDONLY | O_NONBLOCK);

	if (fd >= 0) {
		close(fd);
		return "not attached";
	}
	if (fd == -EBUSY)
		return "attached";
	if (fd == -EPERM || fd == -EACCES)
		return "unknown (needs CAP_MAC_ADMIN)";
	return "unknown";
}

/*
 * The output of status: "key: value" lines, or with --json one JSON object
 * with the same keys in the same order, a value that is a decimal number
 * being a JSON number and a value that could not be read null.
 */
struct out {
	struct json_object *json;	/* NULL: text */
};

static bool decimal(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end;
}

static void put_json(struct out *o, const char *key, struct json_object *v)
{
	if (json_object_object_add(o->json, key, v))
		fatal("out of memory");
}

/* @key: @value, NULL if it could not be read (then no line). */
static void put(struct out *o, const char *key, const char *value)
{
	uint64_t n;

	if (!o->json) {
		if (value)
			printf("%s: %s\n", key, value);
		return;
	}
	if (!value)
		put_json(o, key, NULL);
	else if (decimal(value, &n))
		put_json(o, key, json_object_new_uint64(n));
	else
		put_json(o, key, json_object_new_string(value));
}

static void put_num(struct out *o, const char *key, uint64_t n)
{
	if (o->json)
		put_json(o, key, json_object_new_uint64(n));
	else
		printf("%s: %" PRIu64 "\n", key, n);
}

/*
 * What forwarders read from the kernel and did not deliver (fwdstate.c):
 * the events in op=lost source=forwarder records, sent or owed, and what
 * a forwarder that is gone held; records the kernel dropped because
 * auditd's socket was full; what the running forwarder holds.
 */
static void forwarder_counts(struct out *o)
{
	struct fwd_state s;
	int err = fwd_state_read(fwd_state_path(), &s);

	if (err && err != -ENOENT) {
		char *why = xasprintf("%s: %s", fwd_state_path(), strerror(-err));

		if (o->json) {
			put(o, "undelivered", NULL);
			put(o, "undelivered_error", why);
		} else {
			printf("undelivered: unknown (%s)\n", why);
		}
		free(why);
		return;
	}
	if (s.has_pending && s.pid > 0 && kill(s.pid, 0) && errno == ESRCH) {
		s.undelivered += s.pending.last - s.pending.first + 1;
		s.has_pending = false;
	}
	put_num(o, "undelivered", s.undelivered);
	put_num(o, "auditd_overflow", s.dropped);
	if (!s.has_pending)
		return;
	if (o->json) {
		struct json_object *r = json_object_new_object();

		if (!r || json_object_object_add(r, "first", json_object_new_uint64(s.pending.first)) ||
		    json_object_object_add(r, "last", json_object_new_uint64(s.pending.last)))
			fatal("out of memory");
		put_json(o, "forwarder_holds", r);
	} else {
		printf("forwarder_holds: %" PRIu64 "-%" PRIu64 "\n", s.pending.first,
		       s.pending.last);
	}
}

static const char *status_set(void *ctx, int key, const char *arg)
{
	(void)key;
	(void)arg;
	*(bool *)ctx = true;
	return NULL;
}

/* Marks v2: whether unsigned marks are denied (a kernel without has no file). */
static void require_signed(struct out *o)
{
	char *path = securityfs_path("require_signed"), *s = NULL;

	if (!access(path, F_OK))
		s = securityfs_read_line("require_signed");
	if (s)
		put(o, "require_signed", s);
	free(s);
	free(path);
}

static const char status_usage[] =
"usage: execmark status [-q|-v] [--json]\n"
"Show the mode, the lock, whether a forwarder reads the events, how many\n"
"events forwarders could not deliver, and the statistics of execmark.\n"
"      --json        one JSON object with the same keys; numbers as numbers\n"
"  -q, --quiet       without the statistics\n"
"  -v, --verbose     also the securityfs directory and the forwarder's state file\n"
SHARED_HELP;

int cmd_status(int argc, char **argv)
{
	static const struct verb_opt opts[] = {
		{ "json", VERB_OPT_LONG, false },
		{ NULL, 0, false },
	};
	bool json = false;
	const struct verb_opts x = { opts, status_set, &json };
	char *mode, *lock, *stats, *line, *next;
	struct out o = { NULL };
	int ret;

	if (parse_opts(argc, argv, status_usage, &x, 0, 0, &ret) < 0)
		return ret;
	if (!securityfs_active())
		return EXIT_ERROR;
	if (json) {
		o.json = json_object_new_object();
		if (!o.json)
			fatal("out of memory");
	}
	mode = securityfs_read_line("mode");
	lock = securityfs_read_line("lock");
	stats = verbosity < 0 ? NULL : securityfs_read("stats");
	ret = mode && lock && (stats || verbosity < 0) ? EXIT_OK : EXIT_ERROR;
	put(&o, "mode", mode);
	put(&o, "lock", lock);
	require_signed(&o);
	put(&o, "forwarder", forwarder_state());
	forwarder_counts(&o);
	if (verbosity > 0) {
		put(&o, "securityfs", securityfs_dir());
		put(&o, "state_file", fwd_state_path());
	}
	for (line = stats; line && *line; line = next) {
		size_t key = strcspn(line, " \n");

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (o.json) {
			char *k = xasprintf("%.*s", (int)key, line);

			put(&o, k, line[key] == ' ' ? line + key + 1 : NULL);
			free(k);
		} else if (line[key] == ' ') {
			printf("%.*s: %s\n", (int)key, line, line + key + 1);
		} else {
			printf("%s\n", line);
		}
	}
	if (o.json) {
		puts(json_object_to_json_string_ext(o.json, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o.json);
	}
	free(mode);
	free(lock);
	free(stats);
	return ret;
}
