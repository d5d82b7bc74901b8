// SPDX-License-Identifier: GPL-2.0
/*
 * Denial events: content and encoding, seq continuity, lost= records, one
 * reader, blocking read, poll, O_NONBLOCK; permissive reports without
 * blocking, off reports nothing; the stats counters.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "common.h"

#define DIR	"/tmp/xe"
#define BAD	DIR "/odd dir/true"	/* unmarked; the space makes its path hex */
#define GOOD	DIR "/true"		/* marked */

FIXTURE(events) {
	int fd;
};

FIXTURE_SETUP(events)
{
	umount(DIR);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, NULL));
	ASSERT_EQ(0, mkdir(DIR "/odd dir", 0755));
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, BAD, 0755));
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, GOOD, 0755));
	ASSERT_EQ(0, xm_mark(GOOD));
	self->fd = xm_events_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, xm_set_mode("enforce"));
}

FIXTURE_TEARDOWN(events)
{
	xm_set_mode("permissive");
	close(self->fd);
	umount(DIR);
}

static void hex(const char *s, char *out)
{
	for (; *s; s++, out += 2)
		sprintf(out, "%02X", (unsigned char)*s);
}

static unsigned long long seq_of(const char *line)
{
	char v[32];

	return xm_field(line, "seq", v, sizeof(v)) ? ~0ULL : strtoull(v, NULL, 10);
}

TEST_F(events, content)
{
	char buf[8192], v[4200], want[4200], comm[32], exe[4096];
	char *const argv[] = { BAD, NULL }, *const envp[] = { NULL };
	struct stat st;
	pid_t pid;
	int status;
	ssize_t n;

	ASSERT_EQ(0, stat(BAD, &st));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		execve(BAD, argv, envp);
		_exit(errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("execve did not fail with EACCES");

	xm_events_read(self->fd, buf, sizeof(buf));
	ASSERT_EQ(1, xm_count_lines(buf)) TH_LOG("events: %s", buf);
	TH_LOG("%s", buf);
	/* The fields, in the order of the spec. */
	ASSERT_EQ(0, strncmp(buf, "seq=", 4));
	EXPECT_NE(NULL, strstr(buf, " op=exec mode=enforce reason=unmarked pid="));
	snprintf(want, sizeof(want), "%d", pid);
	EXPECT_EQ(0, xm_field(buf, "pid", v, sizeof(v)));
	EXPECT_STREQ(want, v);
	EXPECT_EQ(0, xm_field(buf, "uid", v, sizeof(v)));
	EXPECT_STREQ("0", v);
	ASSERT_EQ(0, xm_read("/proc/self/loginuid", want, sizeof(want)));
	EXPECT_EQ(0, xm_field(buf, "auid", v, sizeof(v)));
	EXPECT_STREQ(want, v);
	ASSERT_EQ(0, xm_read("/proc/self/sessionid", want, sizeof(want)));
	EXPECT_EQ(0, xm_field(buf, "ses", v, sizeof(v)));
	EXPECT_STREQ(want, v);
	ASSERT_EQ(0, xm_read("/proc/self/comm", comm, sizeof(comm)));
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(want, sizeof(want), "\"%s\"", comm);
	EXPECT_EQ(0, xm_field(buf, "comm", v, sizeof(v)));
	EXPECT_STREQ(want, v);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	snprintf(want, sizeof(want), "\"%s\"", exe);
	EXPECT_EQ(0, xm_field(buf, "exe", v, sizeof(v)));
	EXPECT_STREQ(want, v);
	hex(BAD, want);
	EXPECT_EQ(0, xm_field(buf, "path", v, sizeof(v)));
	EXPECT_STREQ(want, v);
	snprintf(want, sizeof(want), "%u:%u", major(st.st_dev), minor(st.st_dev));
	EXPECT_EQ(0, xm_field(buf, "dev", v, sizeof(v)));
	EXPECT_STREQ(want, v);
	snprintf(want, sizeof(want), "%llu", (unsigned long long)st.st_ino);
	EXPECT_EQ(0, xm_field(buf, "ino", v, sizeof(v)));
	EXPECT_STREQ(want, v);
	/* ino is the last field. */
	EXPECT_EQ('\n', buf[strlen(buf) - 1]);
}

TEST_F(events, seq_continuous)
{
	char buf[16384], *l;
	unsigned long long first = 0;
	int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(-EACCES, xm_check(BAD));
	xm_events_read(self->fd, buf, sizeof(buf));
	ASSERT_EQ(5, xm_count_lines(buf));
	for (i = 0, l = buf; *l; l = strchr(l, '\n') + 1, i++) {
		if (!i)
			first = seq_of(l);
		EXPECT_EQ(first + i, seq_of(l));
	}
}

/* More denials than the ring holds, nobody reading: a lost= record. */
TEST_F(events, lost)
{
	const int total = 6000;
	static char buf[4 << 20];
	long long lost0 = xm_stat("events_lost"), lost = 0;
	unsigned long long first = ~0ULL, next = 0;
	int events = 0, i;
	char *l, v[32];

	for (i = 0; i < total; i++)
		ASSERT_EQ(-EACCES, xm_mmap_exec(BAD));
	xm_events_read(self->fd, buf, sizeof(buf));
	for (l = buf; *l; l = strchr(l, '\n') + 1) {
		unsigned long long seq = seq_of(l);

		if (first == ~0ULL)
			first = next = seq;
		ASSERT_EQ(next, seq) TH_LOG("seq gap before: %.80s", l);
		if (!xm_field(l, "lost", v, sizeof(v))) {
			lost += atoll(v);
			next = seq + atoll(v);
		} else {
			events++;
			next = seq + 1;
		}
	}
	TH_LOG("%d events, %lld lost", events, lost);
	EXPECT_LT(0, lost);
	EXPECT_EQ(total, events + lost);
	EXPECT_EQ(lost, xm_stat("events_lost") - lost0);
}

TEST_F(events, one_reader)
{
	int fd2 = open(XM_SECFS "events", O_RDONLY | O_NONBLOCK);

	EXPECT_EQ(-1, fd2);
	EXPECT_EQ(EBUSY, errno);
}

TEST_F(events, reader_needs_cap_mac_admin)
{
	pid_t pid;
	int status;

	close(self->fd);
	self->fd = -1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (xm_drop_cap(CAP_MAC_ADMIN))
			_exit(2);
		_exit(open(XM_SECFS "events", O_RDONLY) < 0 && errno == EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	self->fd = xm_events_open();
	ASSERT_LE(0, self->fd);
}

TEST_F(events, nonblocking_read_and_poll)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	char buf[8192];

	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(-EACCES, xm_check(BAD));
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_TRUE(pfd.revents & POLLIN);
	EXPECT_LT(0, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
}

/* A line read in pieces comes out whole. */
TEST_F(events, short_reads)
{
	char line[8192];
	size_t len = 0;
	ssize_t n;

	ASSERT_EQ(-EACCES, xm_check(BAD));
	while ((n = read(self->fd, line + len, 7)) > 0)
		len += n;
	line[len] = '\0';
	EXPECT_EQ(1, xm_count_lines(line));
	EXPECT_NE(NULL, strstr(line, " op=check mode=enforce reason=unmarked "));
}

TEST_F(events, blocking_read)
{
	char buf[8192];
	pid_t pid;
	int status;
	ssize_t n;

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		usleep(200 * 1000);
		_exit(xm_check(BAD) == -EACCES ? 0 : 1);
	}
	n = read(self->fd, buf, sizeof(buf) - 1);	/* waits for the child */
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_NE(NULL, strstr(buf, " op=check mode=enforce reason=unmarked "));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(events, permissive_reports_without_blocking)
{
	char *const argv[] = { BAD, NULL }, *const envp[] = { NULL };
	char buf[8192];

	ASSERT_EQ(0, xm_set_mode("permissive"));
	EXPECT_EQ(0, xm_run(argv, envp, NULL, 0));
	EXPECT_EQ(0, xm_check(BAD));
	EXPECT_EQ(0, xm_mmap_exec(BAD));
	xm_events_read(self->fd, buf, sizeof(buf));
	EXPECT_EQ(3, xm_count_lines(buf)) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, " op=exec mode=permissive reason=unmarked "));
	EXPECT_NE(NULL, strstr(buf, " op=check mode=permissive reason=unmarked "));
	EXPECT_NE(NULL, strstr(buf, " op=mmap mode=permissive reason=unmarked "));
}

TEST_F(events, off_reports_nothing)
{
	char *const argv[] = { BAD, NULL }, *const envp[] = { NULL };
	long long checks;

	ASSERT_EQ(0, xm_set_mode("off"));
	checks = xm_stat("checks");
	EXPECT_EQ(0, xm_run(argv, envp, NULL, 0));
	EXPECT_EQ(0, xm_check(BAD));
	EXPECT_EQ(0, xm_mmap_exec(BAD));
	EXPECT_NO_EVENTS(self->fd);
	EXPECT_EQ(checks, xm_stat("checks"));
}

/* A verdict is hashed once and then served from the cache. */
TEST_F(events, stats_count_checks_hashes_and_hits)
{
	long long checks = xm_stat("checks"), hashes = xm_stat("hashes");
	long long hits = xm_stat("cache_hits"), bytes = xm_stat("hash_bytes");
	long long denials = xm_stat("denials");
	struct stat st;

	ASSERT_EQ(0, stat(GOOD, &st));
	ASSERT_EQ(0, xm_check(GOOD));
	EXPECT_EQ(checks + 1, xm_stat("checks"));
	EXPECT_EQ(hashes + 1, xm_stat("hashes"));
	EXPECT_EQ(bytes + st.st_size, xm_stat("hash_bytes"));
	ASSERT_EQ(0, xm_check(GOOD));
	EXPECT_EQ(hashes + 1, xm_stat("hashes"));
	EXPECT_EQ(hits + 1, xm_stat("cache_hits"));
	ASSERT_EQ(-EACCES, xm_check(BAD));
	EXPECT_EQ(denials + 1, xm_stat("denials"));
}

TEST_HARNESS_MAIN
