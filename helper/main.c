// SPDX-License-Identifier: GPL-2.0
/*
 * execmark: administer execmark marks, mode and denial events.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "opts.h"
#include "util.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "mark", cmd_mark, "set the mark of files to the digest of their content" },
	{ "verify", cmd_verify, "check files against their marks" },
	{ "unmark", cmd_unmark, "remove the mark of files" },
	{ "status", cmd_status, "show the mode, the lock, the forwarder and statistics" },
	{ "mode", cmd_mode, "show or set the mode: off, permissive or enforce" },
	{ "lock", cmd_lock, "lock the mode until reboot" },
	{ "forward", cmd_forward, "send denial events to the audit subsystem" },
	{ "manifest", cmd_manifest, "export or apply a sha256sum-style manifest" },
	{ "apt-prepare", cmd_apt_prepare, "apt hook: trust what verified .debs hold while dpkg unpacks them" },
	{ "dpkg-apply", cmd_dpkg_apply, "dpkg hook: mark what dpkg unpacked from verified .debs" },
	{ "dpkg-verify", cmd_dpkg_verify, "check installed packages against their manifests and marks" },
	{ "dpkg-enroll", cmd_dpkg_enroll, "trust installed packages: from their .debs fetched through apt" },
	{ "digests", cmd_digests, "show or change the kernel's digest allow-list" },
	{ "log", cmd_log, "print or count the denials in the audit log" },
};

static int usage(FILE *f)
{
	fputs("usage: execmark COMMAND [OPTION]... [ARG]...\n"
	      "       execmark --version\n\ncommands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].help);
	fputs("\nEvery command takes -q (quiet), -v (verbose), --version and --help;\n"
	      "'execmark COMMAND --help' describes a command; see execmark(8).\n", f);
	return f == stdout ? EXIT_OK : EXIT_ERROR;
}

/*
 * What a command wrote to standard output is flushed and closed here, for
 * every command: a write that fails (a full disk, /dev/full, a closed pipe
 * reader) is an error, exit status 2, not a silent loss. A command that
 * checked its output itself and failed has said so already.
 */
static int close_stdout(int ret)
{
	bool seen = ferror(stdout);
	int err = 0;

	if (fflush(stdout))
		err = errno;
	if (fclose(stdout) && !err)
		err = errno;
	if (!err && !seen)
		return ret;
	if (!(seen && ret == EXIT_ERROR)) {
		if (err)
			warnmsg("standard output: write error: %s", strerror(err));
		else
			warnmsg("standard output: write error");
	}
	return EXIT_ERROR;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return close_stdout(usage(stdout));
	if (!strcmp(argv[1], "--version"))
		return close_stdout(print_version());
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return close_stdout(commands[i].fn(argc - 1, argv + 1));
	warnmsg("unknown command: %s", argv[1]);
	return usage(stderr);
}
