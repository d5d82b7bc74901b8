// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarder end to end, with the VM's real auditd: `execmark forward
 * --foreground` runs as a child of each test and is stopped with SIGTERM.
 *
 *   fields         one exec denial, found by `ausearch -m ANOM_EXEC -i`
 *                  with every field of the event, decoded
 *   burst          100,000 denials: every seq of the burst is in the audit
 *                  log exactly once, as an event or inside a lost= record,
 *                  and the lost= records match the stats' events_lost
 *   stopped        the same with the forwarder stopped (SIGSTOP) during the
 *                  burst: no denied process waits; after SIGCONT the loss is
 *                  accounted
 *   auditd_restart auditd stopped and restarted while events keep coming:
 *                  nothing the forwarder read is lost
 *   item6_denial_time  issue 12 item 6: the record carries the kernel's
 *                  time of the denial as time=, its own timestamp is the
 *                  delivery's
 *   item5_*        issue 12 item 5: auditd restarted during a fast stream
 *                  (the catch-up must not overflow the new auditd), the
 *                  forwarder stopped by SIGTERM or SIGKILL while auditd is
 *                  down: what it had read is in an op=lost source=forwarder
 *                  record of the next forwarder, and in `execmark status`
 *
 * Each test brackets its denials with two marker denials (mmaps of
 * TDIR/start and TDIR/end): every seq strictly between the markers' must be
 * accounted for. Nothing else in the VM is denied while a test runs (the
 * whole /usr is marked), and each test drains the events left from before.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "common.h"
#include "auditlib.h"

#define TDIR		"/tmp/xmfwd"
#define START		TDIR "/start"
#define END		TDIR "/end"
#define VICTIM		TDIR "/un marked"	/* a copy of busybox */
#define BURSTFILE	TDIR "/burst"
#define BURST		XM_AUX "burst"

#define BURST_N		100000
#define VICTIM_UID	12345
#define VICTIM_COMM	"xm denied"	/* a space: comm is hex-encoded */

/* Tags of the records we look for: which of our files they name. */
enum { T_START, T_END, T_VICTIM, T_BURST, T_NR };
static const char *const tag_path[T_NR] = {
	"\"" START "\"", "\"" END "\"",
	"2F746D702F786D6677642F756E206D61726B6564",	/* VICTIM in hex */
	"\"" BURSTFILE "\"",
};

/* ---- the fixture ------------------------------------------------------- */

FIXTURE(fwd) {
	pid_t fwd;
	struct tail log;
	unsigned long long start_seq;	/* the start marker's */
	long long lost0;		/* events_lost at the start marker */
	unsigned int audit_lost0;	/* the kernel audit's lost counter then */
	unsigned long long fwd_lost;	/* check_window(): in source=forwarder records */
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

	ASSERT_EQ(0, tail_open(&self->log, tag_path, T_NR, T_VICTIM)) TH_LOG("cannot follow %s", AUDIT_LOG);
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
	unsigned long long fwd_lost = 0;
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
		const struct audit_rec *x = &self->log.recs[r];

		if (x->seq <= s || x->seq >= e)
			continue;
		if (x->tag == TAG_LOST) {
			EXPECT_LT(x->seq + x->lost - 1, e)
				TH_LOG("lost run seq=%llu lost=%llu goes past the end marker %llu",
				       x->seq, x->lost, e);
			if (x->fwd)
				fwd_lost += x->lost;
			else
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
	EXPECT_EQ(n, events + lost + fwd_lost)
		TH_LOG("forwarded %llu + lost %llu + lost by the forwarder %llu != generated %llu",
		       events, lost, fwd_lost, n);
	self->fwd_lost = fwd_lost;
	EXPECT_EQ(lost1 - self->lost0, (long long)lost)
		TH_LOG("events_lost grew by %lld, the lost= records say %llu",
		       lost1 - self->lost0, lost);
	ksft_print_msg("seq %llu..%llu: %llu forwarded, %llu lost (events_lost +%lld), %llu lost by the forwarder\n",
		       s + 1, e - 1, events, lost, lost1 - self->lost0, fwd_lost);
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
	char *line, *p, *q, *argv[] = { AUSEARCH, "-m", "ANOM_EXEC", "-i",
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
	ASSERT_NE(0, seq) TH_LOG("no ANOM_EXEC record of %s in %s", VICTIM, AUDIT_LOG);
	/* msg=audit(TIME:SERIAL): the event's serial, for ausearch -a. */
	p = strstr(self->log.kept_line, "msg=audit(");
	ASSERT_NE(NULL, p);
	p = strchr(p, ':');
	ASSERT_NE(NULL, p);
	snprintf(serial, sizeof(serial), "%.*s", (int)strcspn(p + 1, ")"), p + 1);

	ASSERT_EQ(0, xm_run(argv, envp, out, sizeof(out)))
		TH_LOG("ausearch -m ANOM_EXEC -i -a %s: %s", serial, out);
	snprintf(want, sizeof(want), "seq=%llu ", seq);
	line = strstr(out, want);
	ASSERT_NE(NULL, line) TH_LOG("ausearch output has no %s: %s", want, out);
	q = strchr(line, '\n');
	if (q)
		*q = '\0';
	{
		char pidf[32], uidf[32], devf[32], inof[32], seqf[32], exef[PATH_MAX + 8];
		const char *fields[] = {
			seqf, " op=exec ", " execmark_mode=enforce ", " reason=unmarked ", pidf,
			uidf, " comm=" VICTIM_COMM " ", exef, " path=" VICTIM " ", devf,
			inof, " cmd=" VICTIM " ", " res=failed'", NULL,
		}, **f;

		snprintf(seqf, sizeof(seqf), "seq=%llu ", seq);
		snprintf(pidf, sizeof(pidf), " pid=%d ", pid);
		/* ausearch -i names the ids (ouid: the denied process's); no name here. */
		snprintf(uidf, sizeof(uidf), " ouid=unknown(%d) ", VICTIM_UID);
		snprintf(exef, sizeof(exef), " exe=%s ", exe);
		snprintf(devf, sizeof(devf), " dev=%u:%u ", major(st.st_dev),
			 minor(st.st_dev));
		snprintf(inof, sizeof(inof), " ino=%llu time=", (unsigned long long)st.st_ino);
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
/*
 * After the start marker, @n denials of BURSTFILE @gap_ms apart; auditd is
 * stopped before denial @stop_at, once the records cover those before it,
 * and started again before denial @start_at.
 */
static void stream_across_restart(struct __test_metadata *_metadata,
				  FIXTURE_DATA(fwd) *self, int n, int stop_at,
				  int start_at, unsigned int gap_ms)
{
	int i;

	start_marker(_metadata, self);
	for (i = 0; i < n; i++) {
		if (i == stop_at) {
			ASSERT_TRUE(tail_wait_covered(&self->log, self->start_seq + i, 20000));
			ASSERT_EQ(0, auditd_stop()) TH_LOG("cannot stop auditd");
		}
		if (i == start_at)
			ASSERT_EQ(0, auditd_start()) TH_LOG("cannot restart auditd");
		ASSERT_EQ(-EACCES, xm_mmap_exec(BURSTFILE));
		sleep_ms(gap_ms);
	}
}

TEST_F_TIMEOUT(fwd, auditd_restart, 120)
{
	enum { N = 200 };
	char log[4096];

	stream_across_restart(_metadata, self, N, 50, 150, 10);	/* slow, on purpose */
	EXPECT_EQ(0, check_window(_metadata, self, N, 30000))
		TH_LOG("%d events cannot overflow the ring", N);
	/* The forwarder did have records while auditd was down. */
	ASSERT_EQ(0, xm_read(FWD_LOG, log, sizeof(log)));
	EXPECT_NE(NULL, strstr(log, "auditd is not running")) TH_LOG("forwarder: %s", log);
}

/*
 * Issue 12 item 5: auditd stopped and restarted while denials come fast
 * (about 500/s): the forwarder holds a few hundred records meanwhile, and
 * its catch-up must not overflow the new auditd's socket (the kernel
 * acknowledges a user record, then drops it silently when auditd's socket
 * is full). Every event reaches the log.
 */
TEST_F_TIMEOUT(fwd, item5_auditd_restart_burst, 180)
{
	enum { N = 400 };

	stream_across_restart(_metadata, self, N, 50, 350, 2);
	EXPECT_EQ(0, check_window(_metadata, self, N, 60000))
		TH_LOG("%d events cannot overflow the ring", N);
	EXPECT_EQ(0, self->fwd_lost);
}

/*
 * Issue 12 item 6: the record carries the time of the denial (the kernel's
 * time=SEC.NSEC, CLOCK_REALTIME), besides its own timestamp msg=audit(...),
 * which is when the forwarder delivered it.
 */
TEST_F_TIMEOUT(fwd, item6_denial_time, 120)
{
	struct timespec t0, t1;
	unsigned long long seq, den_ns, t0_ns, t1_ns, rec_ms;
	char v[64], *p, *dot;

	ASSERT_EQ(0, xm_set_mode("enforce"));
	clock_gettime(CLOCK_REALTIME, &t0);
	ASSERT_EQ(-EACCES, xm_mmap_exec(VICTIM));
	clock_gettime(CLOCK_REALTIME, &t1);
	seq = tail_wait_tag(&self->log, T_VICTIM, 0, 20000);
	ASSERT_NE(0, seq) TH_LOG("no ANOM_EXEC record of %s in %s", VICTIM, AUDIT_LOG);
	p = strstr(self->log.kept_line, " msg='");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, xm_field(p + 6, "time", v, sizeof(v)))
		TH_LOG("no time= in the record: %s", self->log.kept_line);
	dot = strchr(v, '.');
	ASSERT_NE(NULL, dot) TH_LOG("time=%s", v);
	EXPECT_EQ(9, (int)strspn(dot + 1, "0123456789")) TH_LOG("time=%s", v);
	EXPECT_EQ('\0', dot[10]) TH_LOG("time= is more than SEC.NSEC: %s", v);
	den_ns = strtoull(v, NULL, 10) * 1000000000ull + strtoull(dot + 1, NULL, 10);
	t0_ns = t0.tv_sec * 1000000000ull + t0.tv_nsec;
	t1_ns = t1.tv_sec * 1000000000ull + t1.tv_nsec;
	EXPECT_LE(t0_ns, den_ns) TH_LOG("time=%s before the mmap", v);
	EXPECT_GE(t1_ns, den_ns) TH_LOG("time=%s after the mmap returned", v);
	/* msg=audit(SEC.MSEC:SERIAL): delivered, not before the denial */
	p = strstr(self->log.kept_line, "msg=audit(");
	ASSERT_NE(NULL, p);
	rec_ms = strtoull(p + 10, &p, 10) * 1000;
	rec_ms += *p == '.' ? strtoull(p + 1, NULL, 10) : 0;
	EXPECT_LE(den_ns / 1000000, rec_ms);
}

/* `execmark status`'s "undelivered: N"; -1 if it has none. */
static long long status_undelivered(void)
{
	char out[8192], *p, *argv[] = { EXECMARK, "status", NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin", NULL };

	if (xm_run(argv, envp, out, sizeof(out)))
		return -1;
	p = strstr(out, "\nundelivered: ");
	return p ? strtoll(p + 14, NULL, 10) : -1;
}

/*
 * The forwarder stopped (@sig) while auditd is down and it holds what it
 * read: the next forwarder reports that as an op=lost source=forwarder
 * record with its seq range, and `execmark status` counts it.
 */
static void outage_stop(struct __test_metadata *_metadata, FIXTURE_DATA(fwd) *self,
			int sig)
{
	enum { N = 100, HELD = 60 };
	long long before = status_undelivered();
	int i, status;

	start_marker(_metadata, self);
	ASSERT_EQ(0, auditd_stop()) TH_LOG("cannot stop auditd");
	for (i = 0; i < HELD; i++)
		ASSERT_EQ(-EACCES, xm_mmap_exec(BURSTFILE));
	sleep_ms(1000);		/* it has read, and fails to deliver */
	ASSERT_EQ(0, kill(self->fwd, sig));
	status = forwarder_stop(self->fwd);
	self->fwd = -1;
	if (sig == SIGTERM)
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("the forwarder did not exit cleanly on SIGTERM (status %#x)",
			       status);
	ASSERT_EQ(0, auditd_start()) TH_LOG("cannot restart auditd");
	self->fwd = forwarder_start();
	ASSERT_LT(0, self->fwd);
	for (; i < N; i++)
		ASSERT_EQ(-EACCES, xm_mmap_exec(BURSTFILE));
	check_window(_metadata, self, N, 30000);
	EXPECT_LT(0, self->fwd_lost)
		TH_LOG("the stopped forwarder had read something: no source=forwarder record");
	EXPECT_EQ((before < 0 ? 0 : before) + (long long)self->fwd_lost,
		  status_undelivered())
		TH_LOG("execmark status does not count the undelivered events");
}

TEST_F_TIMEOUT(fwd, item5_sigterm_outage, 180)
{
	outage_stop(_metadata, self, SIGTERM);
}

TEST_F_TIMEOUT(fwd, item5_kill9_outage, 180)
{
	outage_stop(_metadata, self, SIGKILL);
}

TEST_HARNESS_MAIN
