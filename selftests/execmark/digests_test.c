// SPDX-License-Identifier: GPL-2.0
/*
 * The digest allow-list (/sys/kernel/security/execmark/digests), in
 * enforce mode: unmarked content runs while its sha256 is listed and not
 * after; cached verdicts follow the list; changed content is refused; the
 * reference counts, the transactions (EINVAL, ENOENT, ENOSPC leave the list
 * as it was), CAP_MAC_ADMIN, concurrent writers, readers and execs; the
 * rule is content, not path (a user's copy, an overlay's upper copy).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pthread.h>
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "common.h"

#define DIR	"/tmp/xdig"
#define BIN	DIR "/true"		/* a copy of static busybox: runs true */
#define LIST	XM_SECFS "digests"
#define MAX	XM_SECFS "digests_max"
#define MINE	DIR "/mine/true"	/* a user's copy */
#define FLAP	DIR "/flap/true"	/* listed and unlisted */

/* "sha256:HEX" of a file's content into @out (72 bytes). */
static int digest_of(const char *path, char *out)
{
	unsigned char mark[EXECMARK_HDR_SIZE + EXECMARK_SHA256_SIZE];
	int i;

	if (xm_mark_value(path, mark))
		return -EIO;
	strcpy(out, "sha256:");
	for (i = 0; i < EXECMARK_SHA256_SIZE; i++)
		sprintf(out + 7 + 2 * i, "%02x", mark[EXECMARK_HDR_SIZE + i]);
	return 0;
}

/* Write @s to the list in one write(). Return: 0 or -errno. */
static int list_write(const char *s)
{
	int fd = open(LIST, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : n;
	close(fd);
	if (n < 0)
		return n;
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

static int list_op(char op, const char *digest)
{
	char line[128];

	snprintf(line, sizeof(line), "%c%s\n", op, digest);
	return list_write(line);
}

/* The whole list as text, into a malloc()ed string; NULL on error. */
static char *list_read(void)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int fd = open(LIST, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0) {
			if (n < 0) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		len += n;
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* The count of @digest on the list: 0 if absent, -1 on error. */
static long refs_of(const char *digest)
{
	char *list = list_read(), *p;
	long refs = 0;

	if (!list)
		return -1;
	p = strstr(list, digest);
	if (p)
		refs = atol(p + strlen(digest) + 1);
	free(list);
	return refs;
}

static int run(const char *path)
{
	char *const argv[] = { (char *)path, NULL }, *const envp[] = { NULL };

	return xm_run(argv, envp, NULL, 0);
}

FIXTURE(digests) {
	int events;
	char digest[80];
};

FIXTURE_SETUP(digests)
{
	umount2(DIR "/merged", MNT_DETACH);
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, "mode=0777"));
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, BIN, 0755));
	ASSERT_EQ(0, digest_of(BIN, self->digest));
	ASSERT_EQ(0, list_write("clear\n"));
	self->events = xm_events_open();
	ASSERT_LE(0, self->events);
	ASSERT_EQ(0, xm_set_mode("enforce"));
}

FIXTURE_TEARDOWN(digests)
{
	xm_set_mode("permissive");
	close(self->events);
	list_write("clear\n");
	xm_write(MAX, "262144");
	umount2(DIR "/merged", MNT_DETACH);
	umount2(DIR, MNT_DETACH);
}

/* Listed: runs (hashed once, then from the cache); removed: refused. */
TEST_F(digests, listed_runs_until_removed)
{
	long long hashes, allowed;

	EXPECT_EQ(-EACCES, run(BIN));
	EXPECT_EVENTS(self->events, "exec", "unmarked", BIN);
	allowed = xm_stat("digests_allowed");
	ASSERT_EQ(0, list_op('+', self->digest));
	EXPECT_EQ(1, refs_of(self->digest));
	EXPECT_EQ(0, run(BIN));
	hashes = xm_stat("hashes");
	EXPECT_EQ(0, run(BIN));
	EXPECT_EQ(0, xm_mmap_exec(BIN));
	EXPECT_EQ(0, xm_check(BIN));
	EXPECT_EQ(hashes, xm_stat("hashes")) TH_LOG("a listed file is hashed once");
	EXPECT_LE(allowed + 4, xm_stat("digests_allowed"));
	EXPECT_NO_EVENTS(self->events);

	/* The cached "listed" goes with the digest; mprotect is cache-only. */
	ASSERT_EQ(0, list_op('-', self->digest));
	EXPECT_EQ(0, refs_of(self->digest));
	EXPECT_EQ(-EACCES, run(BIN));
	EXPECT_EVENTS(self->events, "exec", "unmarked", BIN);
	EXPECT_EQ(-EACCES, xm_mmap_exec(BIN));
	EXPECT_EQ(-EACCES, xm_mprotect_exec(BIN));
	xm_events_read(self->events, (char[65536]){}, 65536);
}

/* A cached denial goes when the digest is added. */
TEST_F(digests, cached_denial_dropped_on_add)
{
	EXPECT_EQ(-EACCES, run(BIN));
	EXPECT_EQ(-EACCES, run(BIN));
	ASSERT_EQ(0, list_op('+', self->digest));
	EXPECT_EQ(0, run(BIN));
	EXPECT_EQ(0, xm_mprotect_exec(BIN));
}

/* Content changed after it was allowed is refused, in place or copied. */
TEST_F(digests, changed_content_refused)
{
	char other[80];

	ASSERT_EQ(0, list_op('+', self->digest));
	EXPECT_EQ(0, run(BIN));
	ASSERT_EQ(0, xm_append(BIN, "\n"));
	EXPECT_EQ(-EACCES, run(BIN));
	EXPECT_EVENTS(self->events, "exec", "unmarked", BIN);
	EXPECT_EQ(-EACCES, xm_mmap_exec(BIN));
	EXPECT_EVENTS(self->events, "mmap", "unmarked", BIN);
	ASSERT_EQ(0, digest_of(BIN, other));
	EXPECT_STRNE(self->digest, other);
	ASSERT_EQ(0, list_op('+', other));
	EXPECT_EQ(0, run(BIN));
}

/* A mark that does not match still lets listed content run. */
TEST_F(digests, listed_beats_stale_mark)
{
	ASSERT_EQ(0, xm_mark(BIN));
	EXPECT_EQ(0, run(BIN));
	ASSERT_EQ(0, xm_append(BIN, "x"));
	EXPECT_EQ(-EACCES, run(BIN));
	EXPECT_EVENTS(self->events, "exec", "mismatch", BIN);
	ASSERT_EQ(0, digest_of(BIN, self->digest));
	ASSERT_EQ(0, list_op('+', self->digest));
	EXPECT_EQ(0, run(BIN));
	EXPECT_NO_EVENTS(self->events);
}

/* Two packages, one file: added twice, it needs two removals. */
TEST_F(digests, refcount_needs_two_removals)
{
	char buf[256];

	ASSERT_EQ(0, list_op('+', self->digest));
	ASSERT_EQ(0, list_op('+', self->digest));
	EXPECT_EQ(2, refs_of(self->digest));
	snprintf(buf, sizeof(buf), "%s 2\n", self->digest);
	EXPECT_STREQ(buf, list_read());
	EXPECT_EQ(0, run(BIN));
	ASSERT_EQ(0, list_op('-', self->digest));
	EXPECT_EQ(1, refs_of(self->digest));
	EXPECT_EQ(0, run(BIN));
	ASSERT_EQ(0, list_op('-', self->digest));
	EXPECT_EQ(-EACCES, run(BIN));
	EXPECT_EQ(-ENOENT, list_op('-', self->digest));
	/* Both in one write, then both out in one write. */
	snprintf(buf, sizeof(buf), "+%s\n+%s\n", self->digest, self->digest);
	ASSERT_EQ(0, list_write(buf));
	EXPECT_EQ(2, refs_of(self->digest));
	buf[0] = buf[strlen(buf) / 2] = '-';
	ASSERT_EQ(0, list_write(buf));
	EXPECT_EQ(0, refs_of(self->digest));
	EXPECT_STREQ("", list_read());
}

/* Every refused write leaves the list exactly as it was. */
TEST_F(digests, refused_writes_change_nothing)
{
	static const char *const bad[] = {
		"+sha256:0123\n",
		"+sha512:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
		"+md5:00112233445566778899aabbccddeeff\n",
		"+sha256:g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
		"add sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
		"\n",
		"clear all\n",
	};
	static const char *const other =
		"sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	char before_ok[256], buf[512];
	char *before, *after;
	unsigned int i;

	ASSERT_EQ(0, list_op('+', self->digest));
	before = list_read();
	ASSERT_NE(NULL, before);
	snprintf(before_ok, sizeof(before_ok), "%s 1\n", self->digest);
	ASSERT_STREQ(before_ok, before);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* A good line before the bad one is not applied either. */
		snprintf(buf, sizeof(buf), "+%s\n-%s\n%s", other, self->digest, bad[i]);
		EXPECT_EQ(-EINVAL, list_write(buf)) TH_LOG("write: %s", buf);
		after = list_read();
		EXPECT_STREQ(before, after) TH_LOG("after: %s", bad[i]);
		free(after);
	}
	/* Removing what is not listed. */
	snprintf(buf, sizeof(buf), "+%s\n-%s\n-%s\n", other, self->digest, self->digest);
	EXPECT_EQ(-ENOENT, list_write(buf));
	after = list_read();
	EXPECT_STREQ(before, after);
	free(after);
	/* Beyond the bound: ENOSPC; the bound cannot go below the count. */
	EXPECT_EQ(-EBUSY, xm_write(MAX, "0"));
	ASSERT_EQ(0, xm_write(MAX, "1"));
	EXPECT_EQ(-ENOSPC, list_op('+', other));
	snprintf(buf, sizeof(buf), "+%s\n+%s\n", self->digest, other);
	EXPECT_EQ(-ENOSPC, list_write(buf));
	after = list_read();
	EXPECT_STREQ(before, after);
	free(after);
	EXPECT_EQ(1, xm_stat("digests_max"));
	EXPECT_EQ(1, xm_stat("digests"));
	/* Another reference needs no room; making room in the write does. */
	EXPECT_EQ(0, list_op('+', self->digest));
	snprintf(buf, sizeof(buf), "-%s\n-%s\n+%s\n", self->digest, self->digest, other);
	EXPECT_EQ(0, list_write(buf));
	EXPECT_EQ(-EACCES, run(BIN));
	EXPECT_EQ(-EINVAL, xm_write(MAX, "-1"));
	EXPECT_EQ(-EINVAL, xm_write(MAX, "lots"));
	EXPECT_EQ(-EINVAL, xm_write(MAX, "16777217"));
	EXPECT_EQ(0, xm_write(MAX, "262144"));
	EXPECT_EQ(0, list_write("clear"));
	EXPECT_STREQ("", list_read());
	free(before);
}

/* Only CAP_MAC_ADMIN opens the list and its bound, to read or to write. */
TEST_F(digests, needs_cap_mac_admin)
{
	struct stat st;
	pid_t pid;
	int status;

	ASSERT_EQ(0, stat(LIST, &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	ASSERT_EQ(0, list_op('+', self->digest));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ret = 0;

		if (xm_drop_cap(CAP_MAC_ADMIN))
			_exit(10);
		if (open(LIST, O_RDONLY) >= 0 || errno != EPERM)
			ret |= 1;
		if (open(LIST, O_WRONLY) >= 0 || errno != EPERM)
			ret |= 2;
		if (open(MAX, O_RDWR) >= 0 || errno != EPERM)
			ret |= 4;
		/* Root without CAP_MAC_ADMIN; then an ordinary user. */
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(11);
		if (open(LIST, O_RDONLY) >= 0)
			ret |= 8;
		_exit(ret);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1, refs_of(self->digest));
}

/*
 * The rule is content, not path: a user's own copy of listed content runs
 * (as a copy of a marked file would not: marks are not copied).
 */
TEST_F(digests, user_copy_of_listed_content_runs)
{
	pid_t pid;
	int status;

	ASSERT_EQ(0, list_op('+', self->digest));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		if (mkdir(DIR "/mine", 0755) || xm_copy(BIN, MINE, 0755))
			_exit(11);
		_exit(run(MINE) ? 12 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* Not once its content differs by a byte. */
	ASSERT_EQ(0, xm_append(MINE, "\n"));
	EXPECT_EQ(-EACCES, run(MINE));
}

/* Overlayfs: a copied-up listed file runs until its content changes. */
TEST_F(digests, overlay_copy_up)
{
	ASSERT_EQ(0, mkdir(DIR "/lower", 0755));
	ASSERT_EQ(0, mkdir(DIR "/upper", 0755));
	ASSERT_EQ(0, mkdir(DIR "/work", 0755));
	ASSERT_EQ(0, mkdir(DIR "/merged", 0755));
	ASSERT_EQ(0, xm_copy(BIN, DIR "/lower/true", 0755));
	ASSERT_EQ(0, mount("overlay", DIR "/merged", "overlay", 0,
			   "lowerdir=" DIR "/lower,upperdir=" DIR "/upper,workdir=" DIR "/work"));
	EXPECT_EQ(-EACCES, run(DIR "/merged/true"));
	ASSERT_EQ(0, list_op('+', self->digest));
	EXPECT_EQ(0, run(DIR "/merged/true"));
	/* Copy-up (chmod) keeps the content: still listed. */
	ASSERT_EQ(0, chmod(DIR "/merged/true", 0750));
	ASSERT_EQ(0, access(DIR "/upper/true", F_OK));
	EXPECT_EQ(0, run(DIR "/merged/true"));
	EXPECT_EQ(0, xm_mmap_exec(DIR "/merged/true"));
	ASSERT_EQ(0, xm_append(DIR "/merged/true", "\n"));
	EXPECT_EQ(-EACCES, run(DIR "/merged/true"));
	EXPECT_EQ(-EACCES, run(DIR "/upper/true"));
	EXPECT_EQ(0, run(DIR "/lower/true"));
	ASSERT_EQ(0, list_op('-', self->digest));
	EXPECT_EQ(-EACCES, run(DIR "/lower/true"));
}

/* 10,000 lines in one write, and in several; read back whole. */
TEST_F(digests, large_writes)
{
	enum { N = 10000, LINE = 73 };
	char *buf = malloc(N * LINE + 1), *list, *p;
	size_t len = 0;
	int i, lines = 0;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < N; i++)
		len += sprintf(buf + len, "+sha256:%056x%08x\n", 0x5eed, i);
	ASSERT_EQ(0, list_write(buf));
	EXPECT_EQ(N, xm_stat("digests"));
	/* The same again, in writes of 1000 lines: every count is 2. */
	for (i = 0; i < N; i += 1000) {
		char save = buf[(i + 1000) * LINE];

		buf[(i + 1000) * LINE] = '\0';
		ASSERT_EQ(0, list_write(buf + i * LINE));
		buf[(i + 1000) * LINE] = save;
	}
	EXPECT_EQ(N, xm_stat("digests"));
	list = list_read();
	ASSERT_NE(NULL, list);
	for (p = list; *p; p = strchr(p, '\n') + 1) {
		EXPECT_EQ(0, strncmp(p, "sha256:", 7));
		EXPECT_EQ(' ', p[71]);
		EXPECT_EQ('2', p[72]);
		lines++;
	}
	EXPECT_EQ(N, lines);
	free(list);
	for (i = 0; i < N; i++)
		buf[i * LINE] = '-';
	ASSERT_EQ(0, list_write(buf));
	ASSERT_EQ(0, list_write(buf));
	EXPECT_EQ(0, xm_stat("digests"));
	EXPECT_EQ(-ENOENT, list_write(buf));
	free(buf);
}

/* Memory: 100,000 entries, as stats reports them; the goal is 64 B. */
TEST_F(digests, memory_per_entry)
{
	enum { N = 100000 };
	char *buf = malloc(N * 73 + 1);
	long long bytes, per;
	size_t len = 0;
	int i;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < N; i++)
		len += sprintf(buf + len, "+sha256:%056x%08x\n", 0xbeef, i);
	ASSERT_EQ(0, list_write(buf));
	free(buf);
	ASSERT_EQ(N, xm_stat("digests"));
	bytes = xm_stat("digests_bytes");
	per = xm_stat("digests_entry_bytes");
	TH_LOG("%d entries: %lld bytes, %lld per entry", N, bytes, per);
	EXPECT_LE(per, 64);
	EXPECT_LE(bytes, 8 << 20);
	EXPECT_EQ(per, (bytes + N - 1) / N);
	/* Lookups still find the file among them. */
	EXPECT_EQ(-EACCES, run(BIN));
	ASSERT_EQ(0, list_op('+', self->digest));
	EXPECT_EQ(0, run(BIN));
	ASSERT_EQ(0, list_write("clear\n"));
	EXPECT_EQ(0, xm_stat("digests"));
	EXPECT_EQ(0, xm_stat("digests_bytes"));
	EXPECT_EQ(-EACCES, run(BIN));
}

/*
 * Writers, a reader and execs at once. The file that stays listed must
 * run every time while other threads add and remove thousands of digests
 * (the table grows and shrinks under the lookups); the file whose digest
 * comes and goes runs or is refused, and after the last removal is refused.
 */
struct race {
	const char *stay, *flap;
	atomic_int stop, stay_refused, errors, flap_ok, flap_refused;
};

static void *race_bulk(void *arg)
{
	struct race *r = arg;
	enum { N = 3000 };
	char *buf = malloc(N * 73 + 1);
	int round = 0, i;

	if (!buf)
		return NULL;
	while (!atomic_load(&r->stop)) {
		size_t len = 0;

		for (i = 0; i < N; i++)
			len += sprintf(buf + len, "+sha256:%048x%08x%08x\n", 0xace, round, i);
		if (list_write(buf))
			atomic_fetch_add(&r->errors, 1);
		for (i = 0; i < N; i++)
			buf[i * 73] = '-';
		if (list_write(buf))
			atomic_fetch_add(&r->errors, 1);
		round++;
	}
	free(buf);
	return NULL;
}

static void *race_flap(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		if (list_op('+', r->flap) || list_op('-', r->flap))
			atomic_fetch_add(&r->errors, 1);
	}
	return NULL;
}

static void *race_reader(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		char *list = list_read();

		/* The listed digest is always there, once. */
		if (!list || !strstr(list, r->stay) ||
		    strstr(strstr(list, r->stay) + 1, r->stay))
			atomic_fetch_add(&r->errors, 1);
		free(list);
	}
	return NULL;
}

static void *race_exec(void *arg)
{
	struct race *r = arg;
	int i, ret;

	for (i = 0; i < 60; i++) {
		if (run(BIN))
			atomic_fetch_add(&r->stay_refused, 1);
		ret = run(FLAP);
		if (ret == 0)
			atomic_fetch_add(&r->flap_ok, 1);
		else if (ret == -EACCES)
			atomic_fetch_add(&r->flap_refused, 1);
		else
			atomic_fetch_add(&r->errors, 1);
	}
	return NULL;
}

TEST_F_TIMEOUT(digests, concurrent_writers_readers_execs, 300)
{
	char flap[80];
	struct race r = { .stay = self->digest, .flap = flap };
	pthread_t bulk, fl, rd, ex[2];
	int i;

	ASSERT_EQ(0, mkdir(DIR "/flap", 0755));
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, FLAP, 0755));
	ASSERT_EQ(0, xm_append(FLAP, "\n"));
	ASSERT_EQ(0, digest_of(FLAP, flap));
	ASSERT_EQ(0, list_op('+', self->digest));
	ASSERT_EQ(0, pthread_create(&bulk, NULL, race_bulk, &r));
	ASSERT_EQ(0, pthread_create(&fl, NULL, race_flap, &r));
	ASSERT_EQ(0, pthread_create(&rd, NULL, race_reader, &r));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&ex[i], NULL, race_exec, &r));
	for (i = 0; i < 2; i++)
		pthread_join(ex[i], NULL);
	atomic_store(&r.stop, 1);
	pthread_join(bulk, NULL);
	pthread_join(fl, NULL);
	pthread_join(rd, NULL);
	TH_LOG("flapping file: %d runs, %d refusals", r.flap_ok, r.flap_refused);
	EXPECT_EQ(0, r.stay_refused);
	EXPECT_EQ(0, r.errors);
	EXPECT_EQ(1, xm_stat("digests"));
	EXPECT_EQ(0, refs_of(flap));
	EXPECT_EQ(-EACCES, run(FLAP));
	EXPECT_EQ(0, run(BIN));
	xm_events_read(self->events, (char[65536]){}, 65536);
}

TEST_HARNESS_MAIN
