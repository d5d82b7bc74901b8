// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the forwarder's state file, by default
 * /run/execmark/forward.state (EXECMARK_FORWARD_STATE overrides it). It is
 * text, one "key value" per line:
 *
 *   pid 611                forwarder that wrote it last
 *   undelivered 14         events read from the kernel and never delivered
 *                          since boot (/run is emptied at boot)
 *   dropped 0              records that auditd's full socket made the
 *                          kernel drop after acknowledging them
 *   unreported 251-264 ... lost ranges whose op=lost record is not in the
 *                          audit log yet; the next forwarder sends them
 *   pending 300-312        read by forwarder pid, not delivered yet
 *
 * The running forwarder rewrites it in place after every change (one
 * pwrite() on a tmpfs), so that even a SIGKILL leaves the pending range for
 * the next forwarder, which counts it as undelivered and reports it.
 * Shorter content is padded with newlines, so that no ftruncate() is needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwdstate.h"
#include "util.h"

#define STATE_MAX	4096

const char *fwd_state_path(void)
{
	const char *p = getenv("EXECMARK_FORWARD_STATE");

	return p && *p ? p : FWD_STATE_DEFAULT;
}

static int parse_range(const char *s, struct seq_range *r, const char **end)
{
	char *e;

	errno = 0;
	r->first = strtoull(s, &e, 10);
	if (e == s || *e != '-' || errno)
		return -1;
	s = e + 1;
	r->last = strtoull(s, &e, 10);
	if (e == s || errno || r->last < r->first)
		return -1;
	*end = e;
	return 0;
}

static void parse(struct fwd_state *s, char *buf)
{
	char *line, *save;

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *v = line + strcspn(line, " ");
		struct seq_range r;

		if (!*v)
			continue;
		v++;
		if (!strncmp(line, "pid ", 4)) {
			s->pid = atoi(v);
		} else if (!strncmp(line, "undelivered ", 12)) {
			s->undelivered = strtoull(v, NULL, 10);
		} else if (!strncmp(line, "dropped ", 8)) {
			s->dropped = strtoull(v, NULL, 10);
		} else if (!strncmp(line, "pending ", 8)) {
			if (!parse_range(v, &r, &v)) {
				s->pending = r;
				s->has_pending = true;
			}
		} else if (!strncmp(line, "unreported ", 11)) {
			while (s->nunreported < FWD_RANGES && !parse_range(v, &r, &v)) {
				s->unreported[s->nunreported++] = r;
				v += strspn(v, " ");
			}
		}
	}
}

/* Parse the state file open as @fd into @s, which is cleared first. */
static void read_fd(int fd, struct fwd_state *s)
{
	char buf[STATE_MAX + 1];
	size_t len = 0;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	while (len < STATE_MAX) {
		ssize_t n = read(fd, buf + len, STATE_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	parse(s, buf);
}

/* Read the state file at @path into @s (not kept open): 0, or -errno. */
int fwd_state_read(const char *path, struct fwd_state *s)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		memset(s, 0, sizeof(*s));
		s->fd = -1;
		return -errno;
	}
	read_fd(fd, s);
	close(fd);
	return 0;
}

/*
 * fwd_state_open - take over the state file for this forwarder
 *
 * What the previous forwarder had pending it did not deliver: it becomes
 * an unreported lost range. Without a state file (it cannot be created)
 * the forwarder still reports its own losses, but a successor cannot.
 * Return: 0, or -errno (said once by the caller).
 */
int fwd_state_open(struct fwd_state *s)
{
	const char *path = fwd_state_path();
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	struct stat st;
	int fd;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			free(dir);
			return -errno;
		}
	}
	free(dir);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	read_fd(fd, s);
	s->fd = fd;
	s->written = st.st_size;
	if (s->has_pending) {
		s->has_pending = false;
		fwd_state_lose(s, s->pending.first, s->pending.last);
	}
	s->pid = getpid();
	fwd_state_write(s);
	return 0;
}

/* Rewrite the state file from @s (nothing without one). */
void fwd_state_write(struct fwd_state *s)
{
	char buf[STATE_MAX];
	size_t len, off = 0;
	int n;

	if (s->fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "pid %d\nundelivered %" PRIu64 "\ndropped %" PRIu64 "\n",
		     (int)s->pid, s->undelivered, s->dropped);
	len = n;
	if (s->nunreported) {
		len += snprintf(buf + len, sizeof(buf) - len, "unreported");
		for (unsigned int i = 0; i < s->nunreported; i++)
			len += snprintf(buf + len, sizeof(buf) - len, " %" PRIu64 "-%" PRIu64,
					s->unreported[i].first, s->unreported[i].last);
		len += snprintf(buf + len, sizeof(buf) - len, "\n");
	}
	if (s->has_pending)
		len += snprintf(buf + len, sizeof(buf) - len, "pending %" PRIu64 "-%" PRIu64 "\n",
				s->pending.first, s->pending.last);
	/* FWD_RANGES ranges of two 20-digit numbers fit: never cut. */
	if (len < s->written) {
		memset(buf + len, '\n', s->written - len);
		len = s->written;
	}
	while (off < len) {
		ssize_t w = pwrite(s->fd, buf + off, len - off, off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			warnmsg("%s: %s; undelivered events are no longer recorded there",
				fwd_state_path(), w < 0 ? strerror(errno) : "short write");
			close(s->fd);
			s->fd = -1;
			return;
		}
		off += w;
	}
	s->written = len;
}

/*
 * Count events @first..@last as undelivered, to be reported in an op=lost
 * record. A range that extends the last one joins it; with FWD_RANGES
 * already, the last two are joined (the record then names the span).
 */
void fwd_state_lose(struct fwd_state *s, uint64_t first, uint64_t last)
{
	struct seq_range *r = s->nunreported ? &s->unreported[s->nunreported - 1] : NULL;

	s->undelivered += last - first + 1;
	if (r && r->last + 1 == first) {
		r->last = last;
	} else {
		if (s->nunreported == FWD_RANGES) {
			s->unreported[FWD_RANGES - 2].last = s->unreported[FWD_RANGES - 1].last;
			s->nunreported--;
		}
		s->unreported[s->nunreported++] = (struct seq_range){ first, last };
	}
	fwd_state_write(s);
}
