// SPDX-License-Identifier: GPL-2.0
/*
 * The plumbing of forward_test: the audit log followed as it grows, the
 * kernel's audit status, the forwarder and auditd started and stopped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include "common.h"
#include "auditlib.h"

unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- the audit log, followed as it grows (and rotates) ---------------- */

/* Parse one line of the log; keep ANOM_EXEC records (the forwarder's). */
static void tail_line(struct tail *t, char *line)
{
	char *msg, *end, v[8192];
	struct audit_rec r = { 0 };
	int i;

	if (!strstr(line, "type=ANOM_EXEC ") || !strstr(line, "msg=audit("))
		return;
	msg = strstr(line, " msg='");
	if (!msg)
		return;
	msg += 6;
	end = strchr(msg, '\'');
	if (!end)
		return;
	*end = '\0';
	if (xm_field(msg, "seq", v, sizeof(v)))
		return;
	r.seq = strtoull(v, NULL, 10);
	if (!xm_field(msg, "lost", v, sizeof(v))) {
		r.tag = TAG_LOST;
		r.lost = strtoull(v, NULL, 10);
		r.fwd = !xm_field(msg, "source", v, sizeof(v)) &&
			!strcmp(v, "forwarder");
	} else {
		r.tag = TAG_OTHER;
		if (!xm_field(msg, "path", v, sizeof(v)))
			for (i = 0; i < t->ntags; i++)
				if (!strcmp(v, t->tag_path[i]))
					r.tag = i;
	}
	*end = '\'';
	if (r.tag >= 0)
		t->tag_seq[r.tag] = r.seq;
	if (r.tag >= 0 && r.tag == t->keep_tag)
		snprintf(t->kept_line, sizeof(t->kept_line), "%s", line);
	if (r.seq + (r.lost ? r.lost - 1 : 0) > t->covered)
		t->covered = r.seq + (r.lost ? r.lost - 1 : 0);
	if (t->nrecs == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 4096;
		t->recs = realloc(t->recs, t->cap * sizeof(*t->recs));
	}
	t->recs[t->nrecs++] = r;
}

static void tail_data(struct tail *t, const char *data, size_t n)
{
	char *nl, *p;

	t->buf = realloc(t->buf, t->len + n + 1);
	memcpy(t->buf + t->len, data, n);
	t->len += n;
	t->buf[t->len] = '\0';
	for (p = t->buf; (nl = memchr(p, '\n', t->len - (p - t->buf))); p = nl + 1) {
		*nl = '\0';
		if (t->skip_line)
			t->skip_line = false;
		else
			tail_line(t, p);
	}
	t->len -= p - t->buf;
	memmove(t->buf, p, t->len);
}

/* Read what the log has now; follow a rotation. */
void tail_read(struct tail *t)
{
	char chunk[65536];
	struct stat a, b;
	ssize_t n;

	while (t->fd >= 0) {
		while ((n = read(t->fd, chunk, sizeof(chunk))) > 0)
			tail_data(t, chunk, n);
		/* At the end: has auditd moved on to a new file? */
		if (fstat(t->fd, &a) || stat(AUDIT_LOG, &b) || a.st_ino == b.st_ino)
			return;
		/* It renamed the old one after its last write to it. */
		while ((n = read(t->fd, chunk, sizeof(chunk))) > 0)
			tail_data(t, chunk, n);
		close(t->fd);
		t->fd = open(AUDIT_LOG, O_RDONLY | O_CLOEXEC);
		t->len = 0;
	}
}

/*
 * tail_open - start following the audit log at its current end
 * @tag_path: the path= values (as the record has them) that tag a record
 * @ntags: how many, at most TAIL_TAGS
 * @keep_tag: the tag whose last raw line t->kept_line keeps, or -1
 */
int tail_open(struct tail *t, const char *const *tag_path, int ntags,
	      int keep_tag)
{
	char c;
	off_t off;

	memset(t, 0, sizeof(*t));
	t->tag_path = tag_path;
	t->ntags = ntags < TAIL_TAGS ? ntags : TAIL_TAGS;
	t->keep_tag = keep_tag;
	/* Without inotify in the kernel, tail_wait() looks every 20 ms. */
	t->inotify = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (t->inotify >= 0 &&
	    inotify_add_watch(t->inotify, LOGDIR, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
		close(t->inotify);
		t->inotify = -1;
	}
	t->fd = open(AUDIT_LOG, O_RDONLY | O_CLOEXEC);
	if (t->fd < 0)
		return -errno;
	off = lseek(t->fd, 0, SEEK_END);
	if (off > 0 && pread(t->fd, &c, 1, off - 1) == 1 && c != '\n')
		t->skip_line = true;
	return 0;
}

void tail_close(struct tail *t)
{
	if (t->fd >= 0)
		close(t->fd);
	if (t->inotify >= 0)
		close(t->inotify);
	free(t->buf);
	free(t->recs);
	t->fd = t->inotify = -1;
	t->buf = NULL;
	t->recs = NULL;
}

/* Wait until the audit log changes, at most @ms. */
static void tail_wait(struct tail *t, int ms)
{
	struct pollfd pfd = { .fd = t->inotify, .events = POLLIN };
	char ev[4096];

	if (t->inotify < 0) {
		sleep_ms(ms < 20 ? ms : 20);
		return;
	}
	if (poll(&pfd, 1, ms) > 0)
		while (read(t->inotify, ev, sizeof(ev)) > 0)
			;
}

/* Wait until a record naming @tag appears; its seq, or 0 on timeout. */
unsigned long long tail_wait_tag(struct tail *t, int tag, unsigned long long after,
					int timeout_ms)
{
	unsigned long long deadline = now_ms() + timeout_ms;

	for (;;) {
		tail_read(t);
		if (t->tag_seq[tag] > after)
			return t->tag_seq[tag];
		if (now_ms() >= deadline)
			return 0;
		tail_wait(t, deadline - now_ms());
	}
}

/* Wait until the records cover seq @seq; false on timeout. */
bool tail_wait_covered(struct tail *t, unsigned long long seq, int timeout_ms)
{
	unsigned long long deadline = now_ms() + timeout_ms;

	for (;;) {
		tail_read(t);
		if (t->covered >= seq)
			return true;
		if (now_ms() >= deadline)
			return false;
		tail_wait(t, deadline - now_ms());
	}
}

/* ---- the kernel's audit status (AUDIT_GET), without libaudit ---------- */

int audit_status(struct audit_status *st)
{
	struct {
		struct nlmsghdr nlh;
		char data[1024];
	} req = { .nlh = { .nlmsg_len = NLMSG_LENGTH(0), .nlmsg_type = AUDIT_GET,
			   .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 } }, rep;
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	int ret = -EIO;

	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&addr,
		   sizeof(addr)) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = recv(fd, &rep, sizeof(rep), 0);

		if (n < (ssize_t)NLMSG_HDRLEN)
			break;
		if (rep.nlh.nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(&rep.nlh);

			if (e->error) {
				ret = e->error;
				break;
			}
			continue;	/* an ack */
		}
		if (rep.nlh.nlmsg_type == AUDIT_GET) {
			memset(st, 0, sizeof(*st));
			memcpy(st, NLMSG_DATA(&rep.nlh),
			       n - NLMSG_HDRLEN < sizeof(*st) ? n - NLMSG_HDRLEN : sizeof(*st));
			ret = 0;
			break;
		}
	}
out:
	close(fd);
	return ret;
}

/* ---- the forwarder ----------------------------------------------------- */

/* Does @pid hold the events file open? */
static bool holds_events(pid_t pid)
{
	char dir[64], link[512], target[256];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		ssize_t n;

		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		found = !strcmp(target, XM_SECFS "events");
	}
	closedir(d);
	return found;
}

/*
 * Start the forwarder, its output in FWD_LOG, and wait until it holds the
 * events file. Return: its pid, or -1.
 */
pid_t forwarder_start(void)
{
	char *const argv[] = { EXECMARK, "forward", "--foreground", NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin", NULL };
	unsigned long long deadline = now_ms() + 10000;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open(FWD_LOG, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execve(argv[0], argv, envp);
		_exit(127);
	}
	/* Nothing to wait on for the open: look every 10 ms. */
	while (now_ms() < deadline) {
		if (holds_events(pid))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* Wait for @pid (a child) at most @ms; its wait status, or -1. */
static int wait_child(pid_t pid, int ms)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0), status;
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	if (pidfd >= 0) {
		poll(&pfd, 1, ms);
		close(pidfd);
	}
	if (waitpid(pid, &status, WNOHANG) != pid)
		return -1;
	return status;
}

/* Stop it with SIGTERM. Return: its wait status, or -1 if it had to be killed. */
int forwarder_stop(pid_t pid)
{
	int status;

	kill(pid, SIGCONT);
	kill(pid, SIGTERM);
	status = wait_child(pid, 10000);
	if (status == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return status;
}

/* Print the forwarder's messages into the test's output. */
void forwarder_log(void)
{
	char buf[4096], *line, *save;

	if (xm_read(FWD_LOG, buf, sizeof(buf)) || !*buf)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# forwarder: %s\n", line);
}

/* ---- auditd ------------------------------------------------------------ */

pid_t auditd_pid(void)
{
	struct audit_status st;

	return audit_status(&st) ? -1 : (pid_t)st.pid;
}

/* Start auditd and wait until it is registered with the kernel. */
int auditd_start(void)
{
	char *const argv[] = { AUDITD, NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin", NULL };
	unsigned long long deadline = now_ms() + 10000;
	int ret = xm_run(argv, envp, NULL, 0);

	if (ret)
		return ret < 0 ? ret : -EIO;
	/* auditd registers after it has daemonised: look every 10 ms. */
	while (now_ms() < deadline) {
		if (auditd_pid() > 0)
			return 0;
		sleep_ms(10);
	}
	return -ETIMEDOUT;
}

/* SIGTERM auditd and wait until it has exited. */
int auditd_stop(void)
{
	pid_t pid = auditd_pid();
	struct pollfd pfd;
	int pidfd, ret;

	if (pid <= 0)
		return -ESRCH;
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	if (kill(pid, SIGTERM)) {
		close(pidfd);
		return -errno;
	}
	pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	ret = poll(&pfd, 1, 10000) == 1 ? 0 : -ETIMEDOUT;
	close(pidfd);
	return ret;
}

