// SPDX-License-Identifier: GPL-2.0
/*
 * The rest of the kernel side: mark protection (user namespaces,
 * CAP_MAC_ADMIN, malformed values), unverifiable files (memfd, user
 * namespace mounts, open writers), cache invalidation (truncate, O_DIRECT
 * write, mark removal, overlayfs copy-up then write), mprotect from the
 * cache only, and concurrent first checks hashing once. Enforce mode.
 */
#define _GNU_SOURCE

#include "kselftest_harness.h"
#include "common.h"

#define DIR	"/tmp/xmisc"
#define GOOD	DIR "/true"		/* marked copy of busybox */

FIXTURE(misc) {
	int fd;
};

FIXTURE_SETUP(misc)
{
	umount2(DIR "/merged", MNT_DETACH);
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, NULL));
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, GOOD, 0755));
	ASSERT_EQ(0, xm_mark(GOOD));
	self->fd = xm_events_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, xm_set_mode("enforce"));
}

FIXTURE_TEARDOWN(misc)
{
	xm_set_mode("permissive");
	close(self->fd);
	umount2(DIR "/merged", MNT_DETACH);
	umount2(DIR, MNT_DETACH);
}

static const unsigned char valid_mark[EXECMARK_HDR_SIZE + EXECMARK_SHA256_SIZE] = {
	EXECMARK_FORMAT_V1, HASH_ALGO_SHA256,
};

TEST_F(misc, malformed_marks_are_refused)
{
	unsigned char bad[EXECMARK_HDR_SIZE + EXECMARK_SHA256_SIZE + 1] = {
		EXECMARK_FORMAT_V1, HASH_ALGO_SHA256,
	};

	EXPECT_EQ(-1, setxattr(GOOD, EXECMARK_XATTR_NAME, bad, sizeof(bad), 0));
	EXPECT_EQ(EINVAL, errno);
	bad[0] = 2;
	EXPECT_EQ(-1, setxattr(GOOD, EXECMARK_XATTR_NAME, bad, sizeof(bad) - 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setxattr(GOOD, EXECMARK_XATTR_NAME, "", 0, 0));
	EXPECT_EQ(EINVAL, errno);
	/* The old mark is still there and still right. */
	EXPECT_EQ(0, xm_check(GOOD));
}

/* CAP_SYS_ADMIN is not enough: marks need CAP_MAC_ADMIN. */
TEST_F(misc, marks_need_cap_mac_admin)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (!pid) {
		if (xm_drop_cap(CAP_MAC_ADMIN))
			_exit(10);
		if (!setxattr(GOOD, EXECMARK_XATTR_NAME, valid_mark, sizeof(valid_mark), 0) ||
		    errno != EPERM)
			_exit(1);
		if (!removexattr(GOOD, EXECMARK_XATTR_NAME) || errno != EPERM)
			_exit(2);
		/* Other security.* attributes are not ours to guard. */
		if (setxattr(GOOD, "security.execmark-test", "x", 1, 0))
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, xm_check(GOOD));
}

static int write_file_at(const char *path, const char *s)
{
	return xm_write(path, s);
}

/*
 * Root of a user namespace, on a tmpfs it mounted there (so the kernel's
 * own CAP_SYS_ADMIN check passes), may set other security.* attributes but
 * not a mark; a file there is unverifiable whatever it carries.
 */
TEST_F(misc, user_namespace)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (!pid) {
		char *const argv[] = { DIR "/u/true", NULL }, *const envp[] = { NULL };

		if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
			_exit(10);
		if (write_file_at("/proc/self/setgroups", "deny") ||
		    write_file_at("/proc/self/uid_map", "0 0 1") ||
		    write_file_at("/proc/self/gid_map", "0 0 1"))
			_exit(11);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mkdir(DIR "/u", 0755) ||
		    mount("tmpfs", DIR "/u", "tmpfs", 0, NULL))
			_exit(12);
		if (xm_copy(XM_BUSYBOX, DIR "/u/true", 0755))
			_exit(13);
		if (setxattr(DIR "/u/true", "security.execmark-test", "x", 1, 0))
			_exit(14);
		if (!setxattr(DIR "/u/true", EXECMARK_XATTR_NAME, valid_mark,
			      sizeof(valid_mark), 0) || errno != EPERM)
			_exit(1);
		if (xm_run(argv, envp, NULL, 0) != -EACCES)
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EVENTS(self->fd, "exec", "unverifiable", DIR "/u/true");
}

/* memfd: anonymous, so unverifiable. */
TEST_F(misc, memfd_exec)
{
	char *const argv[] = { "true", NULL }, *const envp[] = { NULL };
	int fd = memfd_create("xm-true", MFD_CLOEXEC);
	int src = open(XM_BUSYBOX, O_RDONLY | O_CLOEXEC);
	char buf[65536], v[256];
	ssize_t n;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, src);
	while ((n = read(src, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(fd, buf, n));
	close(src);
	EXPECT_EQ(-1, syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-EACCES, xm_execveat_check(fd, "", AT_EMPTY_PATH | AT_EXECVE_CHECK));
	close(fd);
	xm_events_read(self->fd, buf, sizeof(buf));
	ASSERT_EQ(2, xm_count_lines(buf)) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, " op=exec mode=enforce reason=unverifiable "));
	EXPECT_NE(NULL, strstr(buf, " op=check mode=enforce reason=unverifiable "));
	/* "/memfd:xm-true (deleted)" has a space: hex. */
	EXPECT_EQ(0, xm_field(buf, "path", v, sizeof(v)));
	EXPECT_STREQ("2F6D656D66643A786D2D74727565202864656C6574656429", v);
}

/* Truncation is a change: the cached verdict goes. */
TEST_F(misc, truncate)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, xm_check(GOOD));
	ASSERT_EQ(0, stat(GOOD, &st));
	ASSERT_EQ(0, truncate(GOOD, st.st_size - 1));
	EXPECT_EQ(-EACCES, xm_check(GOOD));
	EXPECT_EVENTS(self->fd, "check", "mismatch", GOOD);

	ASSERT_EQ(0, xm_mark(GOOD));
	ASSERT_EQ(0, xm_check(GOOD));
	fd = open(GOOD, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, st.st_size));
	close(fd);
	EXPECT_EQ(-EACCES, xm_check(GOOD));
	EXPECT_EVENTS(self->fd, "check", "mismatch", GOOD);
}

/* A write that bypasses the page cache changes the content as any other. */
TEST_F(misc, odirect_write)
{
	void *block;
	int fd;

	ASSERT_EQ(0, xm_check(GOOD));
	ASSERT_EQ(0, posix_memalign(&block, 4096, 4096));
	memset(block, 0xcc, 4096);
	fd = open(GOOD, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 && errno == EINVAL)
		SKIP(return, "no O_DIRECT on tmpfs here");
	ASSERT_LE(0, fd);
	ASSERT_EQ(4096, pwrite(fd, block, 4096, 4096));
	close(fd);
	free(block);
	EXPECT_EQ(-EACCES, xm_check(GOOD));
	EXPECT_EVENTS(self->fd, "check", "mismatch", GOOD);
}

TEST_F(misc, mark_removed)
{
	ASSERT_EQ(0, xm_check(GOOD));
	ASSERT_EQ(0, removexattr(GOOD, EXECMARK_XATTR_NAME));
	EXPECT_EQ(-EACCES, xm_check(GOOD));
	EXPECT_EVENTS(self->fd, "check", "unmarked", GOOD);
	ASSERT_EQ(0, xm_mark(GOOD));
	EXPECT_EQ(0, xm_check(GOOD));
}

/* While the file is open for writing it cannot be trusted. */
TEST_F(misc, open_writer)
{
	int w = open(GOOD, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, w);
	EXPECT_EQ(-EACCES, xm_mmap_exec(GOOD));
	EXPECT_EVENTS(self->fd, "mmap", "unverifiable", GOOD);
	close(w);
	EXPECT_EQ(0, xm_mmap_exec(GOOD));
	EXPECT_NO_EVENTS(self->fd);
}

/* mprotect never reads the file: without a cached verdict it is refused. */
TEST_F(misc, mprotect_needs_a_cached_verdict)
{
	EXPECT_EQ(-EACCES, xm_mprotect_exec(GOOD));
	EXPECT_EVENTS(self->fd, "mprotect", "unverifiable", GOOD);
	ASSERT_EQ(0, xm_check(GOOD));
	EXPECT_EQ(0, xm_mprotect_exec(GOOD));
	EXPECT_NO_EVENTS(self->fd);
}

/*
 * Overlayfs: the marked lower file runs; a copy-up for metadata keeps its
 * mark and content; a write after copy-up makes it a mismatch.
 */
TEST_F(misc, overlay_copy_up_then_write)
{
	char *const argv[] = { DIR "/merged/true", NULL }, *const envp[] = { NULL };

	ASSERT_EQ(0, mkdir(DIR "/lower", 0755));
	ASSERT_EQ(0, mkdir(DIR "/upper", 0755));
	ASSERT_EQ(0, mkdir(DIR "/work", 0755));
	ASSERT_EQ(0, mkdir(DIR "/merged", 0755));
	ASSERT_EQ(0, xm_copy(GOOD, DIR "/lower/true", 0755));
	ASSERT_EQ(0, xm_mark(DIR "/lower/true"));
	ASSERT_EQ(0, mount("overlay", DIR "/merged", "overlay", 0,
			   "lowerdir=" DIR "/lower,upperdir=" DIR "/upper,workdir=" DIR "/work"));
	EXPECT_EQ(0, xm_run(argv, envp, NULL, 0));
	ASSERT_EQ(0, chmod(DIR "/merged/true", 0750));		/* copy-up */
	EXPECT_EQ(0, access(DIR "/upper/true", F_OK));
	EXPECT_EQ(0, xm_run(argv, envp, NULL, 0));
	EXPECT_NO_EVENTS(self->fd);
	ASSERT_EQ(0, xm_append(DIR "/merged/true", "\n"));
	EXPECT_EQ(-EACCES, xm_run(argv, envp, NULL, 0));
	EXPECT_EVENTS(self->fd, "exec", "mismatch", DIR "/merged/true");
	/* The lower file is untouched and still trusted. */
	EXPECT_EQ(0, xm_check(DIR "/lower/true"));
}

/* Concurrent first checks of one file hash it once. */
TEST_F(misc, concurrent_first_checks_hash_once)
{
	const char *big = DIR "/big";
	char *buf = calloc(1, 16 << 20);
	int go[2], fd, i, status;
	long long hashes;
	pid_t pid[4];

	ASSERT_NE(NULL, buf);
	fd = open(big, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	ASSERT_LE(0, fd);
	ASSERT_EQ(16 << 20, write(fd, buf, 16 << 20));
	close(fd);
	free(buf);
	ASSERT_EQ(0, xm_mark(big));
	hashes = xm_stat("hashes");
	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < 4; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			char c;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)	/* released together */
				_exit(2);
			_exit(xm_check(big) ? 1 : 0);
		}
	}
	close(go[0]);
	close(go[1]);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	EXPECT_EQ(hashes + 1, xm_stat("hashes"));
}

TEST_HARNESS_MAIN
