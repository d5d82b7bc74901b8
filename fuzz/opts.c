// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz harness "opts": the helper's option parser, parse_file_opts_x(),
 * parse_opts() and parse_no_opts() (helper/opts.c), with any command line.
 *
 * Input: one byte of settings (which parser, the options the subcommand
 * allows, whether a PATH is needed, maxargs), then the arguments,
 * separated by NUL bytes, each in a buffer of its own exact size.
 *
 * Properties: the parser returns the index of the first PATH (within the
 * arguments, at least one left when one is needed) or -1 with an exit
 * status of 0 (--help, --version) or 2 (usage error, --files-from FILE
 * unreadable); an option the subcommand does not allow is never set, and
 * a verb's own option only through its set(); -0 only with --files-from;
 * the verbosity is -1, 0 or 1; -j is from 1 to 1024; the algorithm is always one of
 * the helper's; calling it again on another command line is as good as
 * the first time: after each input the harness frees its arguments and
 * parses "fuzz PATH", which must give the defaults and PATH, whatever state
 * the input's command line left behind.
 */
#include <string.h>

#include "fuzz.h"
#include "hash.h"
#include "opts.h"
#include "util.h"

#define MAX_ARGS	64

static const char usage[] = "usage: fuzz\n";

/* A verb's own options: --json, and -k ARG, which refuses "bad". */
static const struct verb_opt verb_opts[] = {
	{ "json", VERB_OPT_LONG, false },
	{ "key", 'k', true },
	{ NULL, 0, false },
};

static const char *verb_set(void *ctx, int key, const char *arg)
{
	unsigned int *seen = ctx;

	fuzz_assert(key == VERB_OPT_LONG ? !arg : key == 'k' && arg, "set(%d)", key);
	(*seen)++;
	return arg && !strcmp(arg, "bad") ? "bad key" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const allowed_sets[] = { "rxjaF0", "rxjF0", "rxja", "j", "", "rq" };
	unsigned int seen = 0;
	const struct verb_opts x = { verb_opts, verb_set, &seen };
	char *argv[MAX_ARGS + 2];
	int argc = 1, ret, status = -1;
	const char *allowed;
	const uint8_t *p, *end;
	struct file_opts o;
	bool need_path, no_opts, verb;
	unsigned int maxargs;

	if (!size)
		return 0;
	allowed = allowed_sets[(data[0] & 7) % 6];
	need_path = data[0] & 8;
	no_opts = data[0] & 16;
	verb = data[0] & 32;
	maxargs = data[0] >> 6;
	argv[0] = strdup("fuzz");
	for (p = data + 1, end = data + size; p < end && argc <= MAX_ARGS; argc++) {
		const uint8_t *z = memchr(p, 0, end - p);
		size_t n = (z ? z : end) - p;

		argv[argc] = malloc(n + 1);
		memcpy(argv[argc], p, n);
		argv[argc][n] = '\0';
		p += n + 1;
	}
	argv[argc] = NULL;

	if (no_opts && !verb) {
		ret = parse_no_opts(argc, argv, usage, maxargs, &status);
		fuzz_assert(ret == 0 || ret == -1, "returned %d", ret);
		if (ret == 0)
			fuzz_assert(argc - 1 <= (int)maxargs &&
				    (argc == 1 || argv[1][0] != '-'), "accepted");
	} else if (no_opts) {
		ret = parse_opts(argc, argv, usage, &x, need_path, maxargs, &status);
		fuzz_assert(ret == -1 || (ret >= 1 && ret <= argc), "returned %d", ret);
		if (ret >= 0)
			fuzz_assert(argc - ret <= (int)maxargs &&
				    argc - ret >= (int)need_path, "%d arguments accepted",
				    argc - ret);
		fuzz_assert(verbosity >= -1 && verbosity <= 1, "verbosity %d", verbosity);
	} else {
		ret = parse_file_opts_x(argc, argv, usage, allowed, need_path, &o,
					verb ? &x : NULL, &status);
		fuzz_assert(ret == -1 || (ret >= 1 && ret <= argc), "returned %d", ret);
		if (ret >= 0) {
			fuzz_assert(!need_path || ret < argc || o.files_from,
				    "no PATH, yet accepted");
			fuzz_assert(!o.walk.recursive || strchr(allowed, 'r'), "-r set");
			fuzz_assert(!o.walk.one_fs || strchr(allowed, 'x'), "-x set");
			fuzz_assert(!o.files_from || strchr(allowed, 'F'), "--files-from set");
			fuzz_assert(!o.nul || (strchr(allowed, '0') && o.files_from),
				    "-0 set");
			fuzz_assert(!(o.quiet && o.verbose) &&
				    verbosity == (int)o.verbose - (int)o.quiet,
				    "-q %d -v %d verbosity %d", o.quiet, o.verbose, verbosity);
			fuzz_assert(!o.walk.jobs || strchr(allowed, 'j'), "-j set");
			fuzz_assert(o.walk.jobs <= 1024, "-j %u", o.walk.jobs);
			fuzz_assert(o.algo && algo_by_name(o.algo->name) == o.algo, "algo");
			fuzz_assert(o.algo == algo_by_name("sha256") || strchr(allowed, 'a'),
				    "--algo set");
			if (o.files_from && o.files_from != stdin)
				fclose(o.files_from);
		}
	}
	fuzz_assert(verb || !seen, "a verb option set without verb options");
	if (ret < 0)
		fuzz_assert(status == 0 || status == 2, "status %d", status);
	for (int i = 0; i < argc; i++)
		free(argv[i]);

	/* Nothing of that command line is left to the next. */
	argv[0] = strdup("fuzz");
	argv[1] = strdup("PATH");
	argv[2] = NULL;
	ret = parse_file_opts(2, argv, usage, "rxjaq", true, &o, &status);
	fuzz_assert(ret == 1 && !o.walk.recursive && !o.walk.one_fs && !o.quiet &&
		    !o.verbose && !verbosity && !o.files_from && !o.nul &&
		    !o.walk.jobs && o.algo == algo_by_name("sha256") &&
		    !strcmp(argv[1], "PATH"), "a plain command line after this one");
	free(argv[0]);
	free(argv[1]);
	return 0;
}
