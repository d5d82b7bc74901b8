/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: subcommands and what they share.
 */
#ifndef EXECMARK_CMD_H
#define EXECMARK_CMD_H

#include "walk.h"

/* Options of the subcommands that take files (main.c). */
struct file_opts {
	struct walk_opts walk;
	const struct algo *algo;	/* --algo, default sha256 */
	bool quiet;			/* -q */
};

int parse_file_opts(int argc, char **argv, const char *usage,
		    const char *allowed, bool need_path, struct file_opts *o,
		    int *status);

/* Results of mark_job(), shared by mark and manifest apply (mark.c). */
enum mark_result {
	MARK_FAILED,		/* j->err, j->what say why */
	MARK_MARKED,
	MARK_ALREADY,		/* the right mark was there: not rewritten */
	MARK_CHANGED,		/* changed while hashing: not marked */
	MARK_MISMATCH,		/* manifest apply: digest differs: not marked */
};

void mark_job(struct job *j, unsigned char *buf);
void report_job_error(const struct job *j);
void report_changed(const struct job *j, const char *consequence);

/* The securityfs directory (sysfs.c). */
const char *securityfs_dir(void);
char *securityfs_path(const char *name);
bool securityfs_active(void);

int cmd_mark(int argc, char **argv);
int cmd_unmark(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_manifest(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_mode(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_forward(int argc, char **argv);

#endif /* EXECMARK_CMD_H */
