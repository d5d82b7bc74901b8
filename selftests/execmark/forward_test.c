// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarder end to end, with the VM's real auditd: `execmark forward
 * --foreground` runs as a child of each test and is stopped with SIGTERM.
 *
 *   fields         one exec denial, found by `ausearch -m TRUSTED_APP -i`
 *                  with every field of the event, decoded
 *   burst          100,000 denials: every seq of the burst is in the audit
 *                  log exactly once, as an event or inside a lost= record,
 *                  and the lost= records match the stats' events_lost
 *   stopped        the same with the forwarder stopped (SIGSTOP) during the
 *                  burst: no denied process waits; after SIGCONT the loss is
 *                  accounted
 *   auditd_restart auditd stopped and restarted while events keep coming:
 *                  nothing the forwarder read is lost
 *
 * Each test brackets its denials with two marker denials (mmaps of
 * TDIR/start and TDIR/end): every seq strictly between the markers' must be
 * accounted for. Nothing else in the VM is denied while a test runs (the
 * whole /usr is marked), and each test drains the events left from before.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include "kselftest_harness.h"
#include "common.h"

#define TDIR		"/tmp/xmfwd"
#define START		TDIR "/start"
#define END		TDIR "/end"
#define VICTIM		TDIR "/un marked"	/* a copy of busybox */
#define BURSTFILE	TDIR "/burst"
#define FWD_LOG		"/tmp/xmfwd-forwarder.log"
#define LOGDIR		"/var/log/audit"
#define AUDIT_LOG	LOGDIR "/audit.log"
#define EXECMARK	"/usr/sbin/execmark"
#define AUSEARCH	"/sbin/ausearch"
#define AUDITD		"/sbin/auditd"
#define BURST		XM_AUX "burst"

#define BURST_N		100000
#define VICTIM_UID	12345
#define VICTIM_COMM	"xm denied"	/* a space: comm is hex-encoded */

/* Tags of the records we look for: which of our files they name. */
enum { T_START, T_END, T_VICTIM, T_BURST, T_NR, T_OTHER = T_NR, T_LOST };
static const char *const tag_path[T_NR] = {
	"\"" START "\"", "\"" END "\"",
	"2F746D702F786D6677642F756E206D61726B6564",	/* VICTIM in hex */
	"\"" BURSTFILE "\"",
};

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- the audit log, followed as it grows (and rotates) ---------------- */

struct rec {
	unsigned long long seq;
	unsigned long long lost;	/* T_LOST: how many */
	int tag;
};

struct tail {
	int fd, inotify;
	char *buf;			/* an incomplete last line */
	size_t len;
	bool skip_line;			/* started inside a line */
	struct rec *recs;		/* TRUSTED_APP records since opening */
	size_t nrecs, cap;
	unsigned long long tag_seq[T_NR];	/* last seq of each tag, 0 none */
	unsigned long long covered;	/* highest seq in any record */
	char victim_line[16384];	/* the raw record naming VICTIM */
};

/* Parse one line of the log; keep TRUSTED_APP records. */
static void tail_line(struct tail *t, char *line)
{
	char *msg, *end, v[8192];
	struct rec r = { 0 };
	int i;

	if (!strstr(line, "type=TRUSTED_APP ") || !strstr(line, "msg=audit("))
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
		r.tag = T_LOST;
		r.lost = strtoull(v, NULL, 10);
	} else {
		r.tag = T_OTHER;
		if (!xm_field(msg, "path", v, sizeof(v)))
			for (i = 0; i < T_NR; i++)
				if (!strcmp(v, tag_path[i]))
					r.tag = i;
	}
	*end = '\'';
	if (r.tag < T_NR)
		t->tag_seq[r.tag] = r.seq;
	if (r.tag == T_VICTIM)
		snprintf(t->victim_line, sizeof(t->victim_line), "%s", line);
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
static void tail_read(struct tail *t)
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

/* Start following the audit log at its current end. */
static int tail_open(struct tail *t)
{
	char c;
	off_t off;

	memset(t, 0, sizeof(*t));
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

static void tail_close(struct tail *t)
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
static unsigned long long tail_wait_tag(struct tail *t, int tag, unsigned long long after,
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
static bool tail_wait_covered(struct tail *t, unsigned long long seq, int timeout_ms)
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

static int audit_status(struct audit_status *st)
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
static pid_t forwarder_start(void)
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
static int forwarder_stop(pid_t pid)
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
static void forwarder_log(void)
{
	char buf[4096], *line, *save;

	if (xm_read(FWD_LOG, buf, sizeof(buf)) || !*buf)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		ksft_print_msg("forwarder: %s\n", line);
}

/* ---- auditd ------------------------------------------------------------ */

static pid_t auditd_pid(void)
{
	struct audit_status st;

	return audit_status(&st) ? -1 : (pid_t)st.pid;
}

/* Start auditd and wait until it is registered with the kernel. */
static int auditd_start(void)
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
static int auditd_stop(void)
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

/* ---- the fixture ------------------------------------------------------- */

FIXTURE(fwd) {
	pid_t fwd;
	struct tail log;
	unsigned long long start_seq;	/* the start marker's */
	long long lost0;		/* events_lost at the start marker */
	unsigned int audit_lost0;	/* the kernel audit's lost counter then */
};

FIXTURE_SETUP(fwd)
{
	int fd;

	self->fwd = -1;
	self->log.fd = self->log.inotify = -1;
	ASSERT_EQ(0, xm_set_mode("permissive"));
	umount(TDIR);
	mkdir(TDIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", TDIR, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, VICTIM, 0755));
	ASSERT_EQ(0, xm_write_file(START, "start\n", 0644));
	ASSERT_EQ(0, xm_write_file(END, "end\n", 0644));
	ASSERT_EQ(0, xm_write_file(BURSTFILE, "burst\n", 0644));
	ASSERT_LE(0, auditd_pid() > 0 ? 0 : auditd_start())
		TH_LOG("auditd is not running and cannot be started");

	/* Leave the forwarder nothing from before the test. */
	fd = xm_events_open();
	ASSERT_LE(0, fd) TH_LOG("events: %s (a forwarder attached?)", strerror(errno));
	close(fd);

	ASSERT_EQ(0, tail_open(&self->log)) TH_LOG("cannot follow %s", AUDIT_LOG);
	self->fwd = forwarder_start();
	ASSERT_LT(0, self->fwd) TH_LOG("the forwarder did not attach");
}

FIXTURE_TEARDOWN(fwd)
{
	xm_set_mode("permissive");
	if (self->fwd > 0) {
		int status = forwarder_stop(self->fwd);

		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("the forwarder did not exit cleanly on SIGTERM (status %#x)",
			       status);
		self->fwd = -1;
	}
	forwarder_log();
	tail_close(&self->log);
	if (auditd_pid() <= 0)
		EXPECT_EQ(0, auditd_start()) TH_LOG("cannot restart auditd");
	umount(TDIR);
	rmdir(TDIR);
}

/* The start marker: seen in the log, so the forwarder is idle and in sync. */
static void start_marker(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fwd) *self)
{
	struct audit_status st;

	ASSERT_EQ(0, xm_set_mode("enforce"));
	ASSERT_EQ(-EACCES, xm_mmap_exec(START));
	self->start_seq = tail_wait_tag(&self->log, T_START, 0, 20000);
	ASSERT_NE(0, self->start_seq) TH_LOG("the start marker is not in %s", AUDIT_LOG);
	self->lost0 = xm_stat("events_lost");
	ASSERT_EQ(0, audit_status(&st));
	self->audit_lost0 = st.lost;
}

/*
 * After @n denials of BURSTFILE: wait until the records cover them, deny
 * the end marker, and check that every seq between the markers is in the
 * log exactly once, as an event of BURSTFILE or inside a lost= record, and
 * that the lost= records agree with events_lost; and that the kernel's
 * audit dropped nothing (the forwarder is slowed down, not dropped, when
 * auditd is slow). Return: the number lost.
 */
static unsigned long long check_window(struct __test_metadata *_metadata,
				       FIXTURE_DATA(fwd) *self, unsigned long long n,
				       int drain_ms)
{
	unsigned long long s = self->start_seq, e, events = 0, lost = 0, seq, i;
	unsigned long long t0 = now_ms();
	struct audit_status st;
	unsigned char *count;
	long long lost1;
	size_t r;

	EXPECT_TRUE(tail_wait_covered(&self->log, s + n, drain_ms))
		TH_LOG("after %d ms, the records cover seq %llu, not %llu",
		       drain_ms, self->log.covered, s + n);
	lost1 = xm_stat("events_lost");
	ASSERT_EQ(-EACCES, xm_mmap_exec(END));
	ASSERT_EQ(lost1, xm_stat("events_lost"))
		TH_LOG("the end marker was lost: the forwarder had not drained the ring");
	e = tail_wait_tag(&self->log, T_END, s, 20000);
	ASSERT_NE(0, e) TH_LOG("the end marker is not in %s", AUDIT_LOG);
	ksft_print_msg("drained in %llu ms\n", now_ms() - t0);
	EXPECT_EQ(s + n + 1, e) TH_LOG("%llu denials between the markers, expected %llu",
				       e - s - 1, n);

	count = calloc(e - s + 1, 1);
	ASSERT_NE(NULL, count);
	for (r = 0; r < self->log.nrecs; r++) {
		const struct rec *x = &self->log.recs[r];

		if (x->seq <= s || x->seq >= e)
			continue;
		if (x->tag == T_LOST) {
			EXPECT_LT(x->seq + x->lost - 1, e)
				TH_LOG("lost run seq=%llu lost=%llu goes past the end marker %llu",
				       x->seq, x->lost, e);
			lost += x->lost;
			for (i = x->seq; i < x->seq + x->lost && i < e; i++)
				count[i - s]++;
		} else {
			EXPECT_EQ(T_BURST, x->tag)
				TH_LOG("seq=%llu is not a denial of %s", x->seq, BURSTFILE);
			events++;
			count[x->seq - s]++;
		}
	}
	for (seq = s + 1; seq < e; seq++) {
		if (count[seq - s] == 1)
			continue;
		for (i = seq; i + 1 < e && count[i + 1 - s] == count[seq - s]; i++)
			;
		EXPECT_EQ(1, count[seq - s])
			TH_LOG("seq %llu..%llu: in the audit log %d times", seq, i,
			       count[seq - s]);
		seq = i;
	}
	free(count);
	EXPECT_EQ(n, events + lost)
		TH_LOG("forwarded %llu + lost %llu != generated %llu", events, lost, n);
	EXPECT_EQ(lost1 - self->lost0, (long long)lost)
		TH_LOG("events_lost grew by %lld, the lost= records say %llu",
		       lost1 - self->lost0, lost);
	ksft_print_msg("seq %llu..%llu: %llu forwarded, %llu lost (events_lost +%lld)\n",
		       s + 1, e - 1, events, lost, lost1 - self->lost0);
	EXPECT_EQ(0, audit_status(&st));
	EXPECT_EQ(self->audit_lost0, st.lost)
		TH_LOG("the kernel's audit lost %u records", st.lost - self->audit_lost0);
	return lost;
}

/* Run aux/burst; its wall time in ms. */
static long long run_burst(struct __test_metadata *_metadata, unsigned long n)
{
	char num[32], out[256], *p;
	char *argv[] = { BURST, BURSTFILE, num, NULL };
	char *const envp[] = { NULL };
	unsigned long long t0 = now_ms();
	int ret;

	snprintf(num, sizeof(num), "%lu", n);
	ret = xm_run(argv, envp, out, sizeof(out));
	p = strchr(out, '\n');
	if (p)
		*p = '\0';
	EXPECT_EQ(0, ret) TH_LOG("burst: %s", out);
	return ret ? -1 : (long long)(now_ms() - t0);
}

static void __attribute__((noinline))
expect_field(struct __test_metadata *_metadata, const char *line, const char *field)
{
	EXPECT_NE(NULL, strstr(line, field)) TH_LOG("no \"%s\" in: %s", field, line);
}

/* One exec denial, read back with ausearch -i: every field, decoded. */
TEST_F_TIMEOUT(fwd, fields, 120)
{
	char out[65536], serial[32], exe[PATH_MAX], want[PATH_MAX + 64];
	char *line, *p, *q, *argv[] = { AUSEARCH, "-m", "TRUSTED_APP", "-i",
					"-a", serial, NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin", NULL };
	unsigned long long seq;
	struct stat st;
	int status, i;
	pid_t pid;

	/* One reader: the forwarder holds the events file. */
	{
		char *sargv[] = { EXECMARK, "status", NULL };

		ASSERT_EQ(0, xm_run(sargv, envp, out, sizeof(out)));
		EXPECT_NE(NULL, strstr(out, "attached")) TH_LOG("status: %s", out);
		EXPECT_EQ(NULL, strstr(out, "not attached")) TH_LOG("status: %s", out);
		EXPECT_EQ(-1, open(XM_SECFS "events", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
		EXPECT_EQ(EBUSY, errno);
	}

	ASSERT_EQ(0, stat(VICTIM, &st));
	i = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, i);
	exe[i] = '\0';
	ASSERT_EQ(0, xm_set_mode("enforce"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *const vargv[] = { VICTIM, "true", NULL };

		prctl(PR_SET_NAME, VICTIM_COMM);
		if (setresgid(VICTIM_UID, VICTIM_UID, VICTIM_UID) ||
		    setresuid(VICTIM_UID, VICTIM_UID, VICTIM_UID))
			_exit(2);
		execve(VICTIM, vargv, envp);
		_exit(errno == EACCES ? 13 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 13)
		TH_LOG("execve of the unmarked copy was not denied with EACCES (%#x)",
		       status);

	seq = tail_wait_tag(&self->log, T_VICTIM, 0, 20000);
	ASSERT_NE(0, seq) TH_LOG("no TRUSTED_APP record of %s in %s", VICTIM, AUDIT_LOG);
	/* msg=audit(TIME:SERIAL): the event's serial, for ausearch -a. */
	p = strstr(self->log.victim_line, "msg=audit(");
	ASSERT_NE(NULL, p);
	p = strchr(p, ':');
	ASSERT_NE(NULL, p);
	snprintf(serial, sizeof(serial), "%.*s", (int)strcspn(p + 1, ")"), p + 1);

	ASSERT_EQ(0, xm_run(argv, envp, out, sizeof(out)))
		TH_LOG("ausearch -m TRUSTED_APP -i -a %s: %s", serial, out);
	snprintf(want, sizeof(want), "seq=%llu ", seq);
	line = strstr(out, want);
	ASSERT_NE(NULL, line) TH_LOG("ausearch output has no %s: %s", want, out);
	q = strchr(line, '\n');
	if (q)
		*q = '\0';
	{
		char pidf[32], uidf[32], devf[32], inof[32], seqf[32], exef[PATH_MAX + 8];
		const char *fields[] = {
			seqf, " op=exec ", " mode=enforce ", " reason=unmarked ", pidf,
			uidf, " comm=" VICTIM_COMM " ", exef, " path=" VICTIM " ", devf,
			inof, NULL,
		}, **f;

		snprintf(seqf, sizeof(seqf), "seq=%llu ", seq);
		snprintf(pidf, sizeof(pidf), " pid=%d ", pid);
		/* ausearch -i leaves the ids inside msg='...' as numbers. */
		snprintf(uidf, sizeof(uidf), " uid=%d ", VICTIM_UID);
		snprintf(exef, sizeof(exef), " exe=%s ", exe);
		snprintf(devf, sizeof(devf), " dev=%u:%u ", major(st.st_dev),
			 minor(st.st_dev));
		snprintf(inof, sizeof(inof), " ino=%llu'", (unsigned long long)st.st_ino);
		for (f = fields; *f; f++)
			expect_field(_metadata, line, *f);
	}
}

/*
 * 100,000 denials: every one forwarded or counted as lost, exactly once.
 * Under QEMU (TCG, 2 vCPUs) the burst takes 4-7 s (15,000-25,000 denials/s)
 * and the forwarder delivers 3,000-4,000 records/s, so 70-75% are lost.
 */
TEST_F_TIMEOUT(fwd, burst, 200)
{
	long long ms;

	start_marker(_metadata, self);
	ms = run_burst(_metadata, BURST_N);
	ASSERT_LE(0, ms);
	ksft_print_msg("burst of %d denials: %lld ms (%lld/s)\n", BURST_N, ms,
		       ms ? BURST_N * 1000LL / ms : 0);
	check_window(_metadata, self, BURST_N, 120000);
}

/*
 * The forwarder stopped: the burst takes no longer than with no reader at
 * all (nobody waits for the reader), and after SIGCONT the loss is accounted.
 */
TEST_F_TIMEOUT(fwd, stopped, 200)
{
	long long base, ms;
	int fd;

	/* The baseline: the same burst with nobody reading events. */
	ASSERT_EQ(0, forwarder_stop(self->fwd));
	self->fwd = -1;
	ASSERT_EQ(0, xm_set_mode("enforce"));
	base = run_burst(_metadata, BURST_N);
	ASSERT_LE(0, base);
	fd = xm_events_open();
	ASSERT_LE(0, fd);
	close(fd);
	self->fwd = forwarder_start();
	ASSERT_LT(0, self->fwd);

	start_marker(_metadata, self);
	ASSERT_EQ(0, kill(self->fwd, SIGSTOP));
	ms = run_burst(_metadata, BURST_N);
	ASSERT_LE(0, ms);
	ksft_print_msg("burst of %d: %lld ms with no reader, %lld ms with the forwarder stopped\n",
		       BURST_N, base, ms);
	EXPECT_GE(2 * base + 1000, ms)
		TH_LOG("the burst took %lld ms with the forwarder stopped, %lld without",
		       ms, base);
	ASSERT_EQ(0, kill(self->fwd, SIGCONT));
	check_window(_metadata, self, BURST_N, 120000);
}

/*
 * auditd stopped and restarted while denials keep coming, 10 ms apart:
 * every one of them reaches the log. auditd is stopped when the forwarder
 * has delivered everything so far (a record that auditd had been sent but
 * not written when it stopped would be auditd's loss, not the forwarder's).
 */
TEST_F_TIMEOUT(fwd, auditd_restart, 120)
{
	enum { N = 200, STOP_AT = 50, START_AT = 150 };
	char log[4096];
	int i;

	start_marker(_metadata, self);
	for (i = 0; i < N; i++) {
		if (i == STOP_AT) {
			ASSERT_TRUE(tail_wait_covered(&self->log, self->start_seq + i, 20000));
			ASSERT_EQ(0, auditd_stop()) TH_LOG("cannot stop auditd");
		}
		if (i == START_AT)
			ASSERT_EQ(0, auditd_start()) TH_LOG("cannot restart auditd");
		ASSERT_EQ(-EACCES, xm_mmap_exec(BURSTFILE));
		sleep_ms(10);	/* a slow stream, on purpose */
	}
	EXPECT_EQ(0, check_window(_metadata, self, N, 30000))
		TH_LOG("%d events cannot overflow the ring", N);
	/* The forwarder did have records while auditd was down. */
	ASSERT_EQ(0, xm_read(FWD_LOG, log, sizeof(log)));
	EXPECT_NE(NULL, strstr(log, "auditd is not running")) TH_LOG("forwarder: %s", log);
}

TEST_HARNESS_MAIN
