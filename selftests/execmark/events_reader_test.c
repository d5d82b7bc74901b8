// SPDX-License-Identifier: GPL-2.0
/*
 * The securityfs files under attack (issue 11, findings 5, 10 and 11).
 * Regression tests for the fixes; enforce mode.
 *
 * events_pread_two_threads: the events file is a stream (pread fails with
 * ESPIPE), and two threads reading one open file while denials arrive read
 * only whole, well-formed lines, each once: no stale kernel bytes.
 *
 * stats_not_world_readable: the stats (hashes, hash_bytes: other users'
 * first runs and file sizes) are for CAP_MAC_ADMIN only.
 *
 * denial_flood_small_allocations: a flood of denials of a file with a long
 * path: every sequence number accounted for (read or counted lost), no
 * allocation failure warning, and, where /proc/vmstat counts page
 * allocations, no multi-page allocation per denial.
 */
#define _GNU_SOURCE

#include <grp.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <time.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "common.h"

#define DIR	"/tmp/xev"
#define BAD	DIR "/true"		/* unmarked */

FIXTURE(reader) {
	int fd;
};

FIXTURE_SETUP(reader)
{
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, BAD, 0755));
	/* Only one reader: the forwarder does not run during the tests. */
	self->fd = xm_events_open();
	ASSERT_LE(0, self->fd) TH_LOG("events: %s", strerror(errno));
	ASSERT_EQ(0, xm_set_mode("enforce"));
}

FIXTURE_TEARDOWN(reader)
{
	xm_set_mode("permissive");
	if (self->fd >= 0)
		close(self->fd);
	umount2(DIR, MNT_DETACH);
}

/* --- events_pread_two_threads --- */

/*
 * Two threads read one open events file at the same time. To make the
 * overlap certain, even on one CPU, thread A's buffer is a page that
 * userfaultfd holds missing: A stops inside the kernel's copy to user
 * space, B reads meanwhile, then A's page is supplied.
 */
struct racer {
	int fd, use_pread;
	char *buf;
	ssize_t n;
	int err;
};

static void *racer_read(void *arg)
{
	struct racer *r = arg;

	r->n = r->use_pread ? pread(r->fd, r->buf, 4096, 0) : read(r->fd, r->buf, 4096);
	r->err = r->n < 0 ? errno : 0;
	return NULL;
}

/*
 * Check what one read returned; @seqs collects the sequence numbers of
 * the whole lines (a read may end inside a line).
 * Return: 0, or -1 if a byte is no part of a well-formed line.
 */
static int check_chunk(const char *buf, size_t n, unsigned long long *seqs, int *nseqs)
{
	const char *l = buf, *end = buf + n, *nl;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = buf[i];

		if (c != '\n' && (c < 0x20 || c > 0x7e))
			return -1;
	}
	for (; l < end && (nl = memchr(l, '\n', end - l)); l = nl + 1) {
		char line[8192], v[32];
		size_t len = nl - l;

		if (len >= sizeof(line) || strncmp(l, "seq=", 4))
			return -1;
		memcpy(line, l, len);
		line[len] = '\0';
		if (xm_field(line, "seq", v, sizeof(v)) ||
		    !strstr(line, " op=check mode=enforce reason=unmarked ") ||
		    !strstr(line, " ino="))
			return -1;
		if (*nseqs < 64)
			seqs[(*nseqs)++] = strtoull(v, NULL, 10);
	}
	return 0;
}

static void hexdump(const char *buf, size_t n, char *out, size_t size)
{
	size_t i, k = 0;

	out[0] = '\0';
	for (i = 0; i < n && k + 3 < size; i++)
		k += snprintf(out + k, size - k, "%02x", (unsigned char)buf[i]);
}

static int cmp_u64(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

TEST_F_TIMEOUT(reader, events_pread_two_threads, 60)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {};
	struct uffdio_zeropage zp = {};
	struct uffd_msg msg;
	struct racer a = {}, b = {};
	unsigned long long seqs[64];
	char buf[8192], more[4096], dump[200];
	struct pollfd pfd;
	pthread_t ta, tb;
	int i, nseqs = 0, dups = 0, uffd, b_done, use_pread;
	struct timespec ts;
	ssize_t n;

	/* The events file is a stream: no pread. */
	ASSERT_EQ(-EACCES, xm_check(BAD));
	n = pread(self->fd, buf, sizeof(buf), 0);
	EXPECT_EQ(-1, n) TH_LOG("pread of the events file returned %zd", n);
	if (n < 0)
		EXPECT_EQ(ESPIPE, errno) TH_LOG("pread: %s", strerror(errno));
	use_pread = n >= 0;
	while (read(self->fd, buf, sizeof(buf)) > 0)
		;

	/* Five denials waiting. */
	for (i = 0; i < 5; i++)
		ASSERT_EQ(-EACCES, xm_check(BAD));

	/* Kernel-mode faults too: not UFFD_USER_MODE_ONLY (root may). */
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	ASSERT_LE(0, uffd) TH_LOG("userfaultfd: %s (the test kernel has CONFIG_USERFAULTFD)",
				  strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	a.buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a.buf);
	reg.range.start = (unsigned long)a.buf;
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

	/* A: stops in copy_to_user(). */
	a.fd = self->fd;
	a.use_pread = use_pread;
	ASSERT_EQ(0, pthread_create(&ta, NULL, racer_read, &a));
	pfd.fd = uffd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 5000)) TH_LOG("thread A never reached its copy to user space: %zd %s",
						 a.n, strerror(a.err));
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	/* B: reads while A is in the middle of its read (or waits for it). */
	b.fd = self->fd;
	b.use_pread = use_pread;
	b.buf = buf;
	ASSERT_EQ(0, pthread_create(&tb, NULL, racer_read, &b));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 1;
	b_done = !pthread_timedjoin_np(tb, NULL, &ts);

	/* A's page arrives; A completes its copy. */
	zp.range.start = (unsigned long)a.buf;
	zp.range.len = 4096;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zp));
	pthread_join(ta, NULL);
	if (!b_done)
		pthread_join(tb, NULL);
	TH_LOG("A: %zd bytes (%s), B: %zd bytes (%s), B %s A", a.n, strerror(a.err),
	       b.n, strerror(b.err), b_done ? "finished during" : "waited for");

	ASSERT_LT(0, a.n) TH_LOG("A read nothing: %s", strerror(a.err));
	if (check_chunk(a.buf, a.n, seqs, &nseqs)) {
		hexdump(a.buf, a.n, dump, sizeof(dump));
		EXPECT_TRUE(0) TH_LOG("A read bytes of no event: %s...", dump);
	}
	if (b.n > 0 && check_chunk(b.buf, b.n, seqs, &nseqs)) {
		hexdump(b.buf, b.n, dump, sizeof(dump));
		EXPECT_TRUE(0) TH_LOG("B read bytes of no event: %s...", dump);
	}
	/* Whatever comes next is events too (a few reads: it may never end). */
	ASSERT_EQ(-EACCES, xm_check(BAD));
	for (i = 0; i < 4; i++) {
		n = use_pread ? pread(self->fd, more, sizeof(more), 0) :
				read(self->fd, more, sizeof(more));
		if (n <= 0)
			break;
		if (check_chunk(more, n, seqs, &nseqs)) {
			hexdump(more, n, dump, sizeof(dump));
			EXPECT_TRUE(0) TH_LOG("the next read returned bytes of no event (%zd bytes): %s...",
					     n, dump);
			break;
		}
	}
	qsort(seqs, nseqs, sizeof(*seqs), cmp_u64);
	for (i = 1; i < nseqs; i++)
		dups += seqs[i] == seqs[i - 1];
	EXPECT_EQ(0, dups) TH_LOG("%d lines read twice", dups);
	EXPECT_LE(5, nseqs - dups);
	close(uffd);
	munmap(a.buf, 4096);
}

/* --- stats_not_world_readable --- */

TEST_F(reader, stats_not_world_readable)
{
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		fd = open(XM_SECFS "stats", O_RDONLY);
		if (fd >= 0) {
			char buf[512] = "";

			if (read(fd, buf, sizeof(buf) - 1) < 0)
				_exit(11);
			fprintf(stderr, "# uid 65534 reads the stats:\n# %s\n", buf);
			_exit(1);
		}
		_exit(errno == EACCES ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("uid 65534: open of stats did not fail with EACCES (%d)",
						 WEXITSTATUS(status));

	/* Root without CAP_MAC_ADMIN: the file opens (DAC) but is refused. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char buf[512];
		int fd;
		ssize_t n;

		if (xm_drop_cap(CAP_MAC_ADMIN))
			_exit(10);
		fd = open(XM_SECFS "stats", O_RDONLY);
		if (fd < 0)
			_exit(errno == EPERM ? 0 : 2);
		n = read(fd, buf, sizeof(buf));
		_exit(n < 0 && errno == EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("root without CAP_MAC_ADMIN: stats not refused with EPERM (%d)",
						 WEXITSTATUS(status));

	/* The administrator still reads them. */
	EXPECT_LE(0, xm_stat("hashes"));
}

/* --- denial_flood_small_allocations --- */

/* Sum of pgalloc_* in /proc/vmstat, or -1 without the counters. */
static long long pgalloc(void)
{
	static char buf[16384];
	long long sum = -1;
	char *l;

	if (xm_read("/proc/vmstat", buf, sizeof(buf)))
		return -1;
	for (l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, "pgalloc_", 8))
			sum = (sum < 0 ? 0 : sum) + atoll(strchr(l, ' ') + 1);
	return sum;
}

static unsigned long long seq_of(const char *line)
{
	char v[32];

	return xm_field(line, "seq", v, sizeof(v)) ? ~0ULL : strtoull(v, NULL, 10);
}

struct tally {
	unsigned long long next;
	long events, lost;
	int gaps, first;
};

static void tally_read(int fd, struct tally *ta)
{
	static char buf[4 << 20];
	char *l, v[32];

	xm_events_read(fd, buf, sizeof(buf));
	for (l = buf; *l; l = strchr(l, '\n') + 1) {
		unsigned long long seq = seq_of(l);

		if (ta->first) {
			ta->first = 0;
			ta->next = seq;
		}
		if (seq != ta->next && !ta->gaps++)
			fprintf(stderr, "# seq gap: want %llu: %.80s\n", ta->next, l);
		if (!xm_field(l, "lost", v, sizeof(v))) {
			ta->lost += atoll(v);
			ta->next = seq + atoll(v);
		} else {
			ta->events++;
			ta->next = seq + 1;
		}
	}
}

TEST_F_TIMEOUT(reader, denial_flood_small_allocations, 110)
{
	const int total = 20000;
	char path[4096];
	struct tally ta = { .first = 1 };
	long long lost0 = xm_stat("events_lost"), pg0, pg1;
	int i, len, klen;
	char *kbuf;

	/* A path of about 2000 bytes: directories of 200 characters. */
	len = snprintf(path, sizeof(path), DIR);
	for (i = 0; i < 10; i++) {
		len += snprintf(path + len, sizeof(path) - len, "/%0200d", i);
		ASSERT_EQ(0, mkdir(path, 0755));
	}
	snprintf(path + len, sizeof(path) - len, "/true");
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, path, 0755));

	pg0 = pgalloc();
	for (i = 0; i < total; i++) {
		ASSERT_EQ(-EACCES, xm_mmap_exec(path));
		if (i % 1000 == 999)
			tally_read(self->fd, &ta);
	}
	pg1 = pgalloc();
	tally_read(self->fd, &ta);

	TH_LOG("%ld events read, %ld lost", ta.events, ta.lost);
	EXPECT_EQ(0, ta.gaps);
	EXPECT_EQ(total, ta.events + ta.lost);
	EXPECT_EQ(ta.lost, xm_stat("events_lost") - lost0);

	/* No allocation failure, no OOM killer. */
	kbuf = malloc(1 << 20);
	ASSERT_NE(NULL, kbuf);
	klen = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, kbuf, (1 << 20) - 1);
	ASSERT_LE(0, klen);
	kbuf[klen] = '\0';
	EXPECT_EQ(NULL, strstr(kbuf, "page allocation failure"));
	EXPECT_EQ(NULL, strstr(kbuf, "invoked oom-killer"));
	free(kbuf);

	if (pg0 < 0) {
		TH_LOG("no pgalloc counters in /proc/vmstat (CONFIG_VM_EVENT_COUNTERS): allocation sizes not measured");
	} else {
		TH_LOG("%.2f pages allocated per denial", (double)(pg1 - pg0) / total);
		/* An order-3 line buffer per denial is 8 pages. */
		EXPECT_GT(2LL * total, pg1 - pg0);
	}
}

TEST_HARNESS_MAIN
