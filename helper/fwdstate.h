/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: the forwarder's state file (fwdstate.c), which says
 * what a forwarder read from the kernel and did not deliver, so that the
 * next forwarder reports it and `execmark status` counts it.
 */
#ifndef EXECMARK_FWDSTATE_H
#define EXECMARK_FWDSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define FWD_STATE_DEFAULT	"/run/execmark/forward.state"
#define FWD_RANGES		16

/* Events seq first..last, both included. */
struct seq_range {
	uint64_t first, last;
};

struct fwd_state {
	int fd;			/* -1: not kept (no file) */
	size_t written;		/* length of the file's content */
	pid_t pid;		/* the forwarder that wrote it last */
	uint64_t undelivered;	/* events read and never delivered, since boot */
	uint64_t dropped;	/* records auditd's full socket made the kernel drop */
	/* Lost ranges whose op=lost record is not delivered yet, in order. */
	struct seq_range unreported[FWD_RANGES];
	unsigned int nunreported;
	/* Read from the kernel, not delivered yet, by the forwarder pid. */
	bool has_pending;
	struct seq_range pending;
};

const char *fwd_state_path(void);
int fwd_state_read(const char *path, struct fwd_state *s);
int fwd_state_open(struct fwd_state *s);
void fwd_state_write(struct fwd_state *s);
void fwd_state_lose(struct fwd_state *s, uint64_t first, uint64_t last);

#endif /* EXECMARK_FWDSTATE_H */
