/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The plumbing of forward_test (auditlib.c): the audit log followed as it
 * grows, the kernel's audit status, the forwarder and auditd as processes.
 */
#ifndef _EXECMARK_FORWARD_AUDITLIB_H
#define _EXECMARK_FORWARD_AUDITLIB_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/audit.h>

#define FWD_LOG		"/tmp/xmfwd-forwarder.log"	/* the forwarder's messages */
#define LOGDIR		"/var/log/audit"
#define AUDIT_LOG	LOGDIR "/audit.log"
#define EXECMARK	"/usr/sbin/execmark"
#define AUSEARCH	"/sbin/ausearch"
#define AUDITD		"/sbin/auditd"

unsigned long long now_ms(void);
void sleep_ms(unsigned int ms);

/* A ANOM_EXEC record of the audit log. */
struct audit_rec {
	unsigned long long seq;
	unsigned long long lost;	/* TAG_LOST: how many */
	bool fwd;			/* TAG_LOST of the forwarder (source=forwarder) */
	int tag;			/* an index of tail_open()'s @tag_path */
};

enum { TAG_OTHER = -1, TAG_LOST = -2 };	/* besides the indexes */
#define TAIL_TAGS	8

/* The audit log, followed from where tail_open() found its end. */
struct tail {
	int fd, inotify;
	char *buf;			/* an incomplete last line */
	size_t len;
	bool skip_line;			/* started inside a line */
	struct audit_rec *recs;		/* ANOM_EXEC records since opening */
	size_t nrecs, cap;
	const char *const *tag_path;
	int ntags, keep_tag;
	unsigned long long tag_seq[TAIL_TAGS];	/* last seq of each tag, 0 none */
	unsigned long long covered;	/* highest seq in any record */
	char kept_line[16384];		/* the last raw record of keep_tag */
};

int tail_open(struct tail *t, const char *const *tag_path, int ntags,
	      int keep_tag);
void tail_read(struct tail *t);
void tail_close(struct tail *t);
unsigned long long tail_wait_tag(struct tail *t, int tag, unsigned long long after,
				 int timeout_ms);
bool tail_wait_covered(struct tail *t, unsigned long long seq, int timeout_ms);

int audit_status(struct audit_status *st);

pid_t forwarder_start(void);
int forwarder_stop(pid_t pid);
void forwarder_log(void);

pid_t auditd_pid(void);
int auditd_start(void);
int auditd_stop(void);

#endif /* _EXECMARK_FORWARD_AUDITLIB_H */
