// SPDX-License-Identifier: GPL-2.0
/*
 * Content changed after it was judged (issue 11, findings 2 and 3).
 * Regression tests for the fixes; enforce mode.
 *
 * ldso_pwrite_mapped_code: an approved file mapped executable (by ld.so,
 * by a library load, directly) cannot be opened for writing or truncated
 * while the mapping exists (ETXTBSY, as for a running program); writing
 * works again once it is unmapped, and a package manager's replacement
 * (new file renamed over the mapped one) keeps working. Also through
 * overlayfs, where the mapping holds the real (lower) file.
 *
 * uffd_shmem_fill_no_iversion: UFFDIO_COPY into a hole of a tmpfs file
 * opened for writing changes the content without advancing i_version; the
 * cached "trusted" verdict must not survive the writer.
 */
#define _GNU_SOURCE

#include <pthread.h>
#include <sys/ioctl.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "common.h"

#define DIR	"/tmp/xtom"
#define TOOL	DIR "/true"		/* marked copy of busybox */

FIXTURE(tomtou) {
	int fd;
};

FIXTURE_SETUP(tomtou)
{
	umount2(DIR "/merged", MNT_DETACH);
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, TOOL, 0755));
	ASSERT_EQ(0, xm_mark(TOOL));
	self->fd = xm_events_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, xm_set_mode("enforce"));
}

FIXTURE_TEARDOWN(tomtou)
{
	xm_set_mode("permissive");
	close(self->fd);
	umount2(DIR "/merged", MNT_DETACH);
	umount2(DIR, MNT_DETACH);
}

/* mmap(PROT_READ | PROT_EXEC, MAP_PRIVATE) of a path, fd closed. */
static void *map_exec(const char *path, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0)
		return MAP_FAILED;
	p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	return p;
}

/* open(O_WRONLY) then close. Return: 0 or -errno. */
static int try_open_write(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * The attack of the issue, reduced to its syscalls: what ld.so does with
 * "ld.so ./tool" (map the approved file executable, close the fd), then
 * pwrite() the mapped code.
 */
TEST_F(tomtou, ldso_pwrite_mapped_code)
{
	const char patch[] = "\xcc\xcc\xcc\xcc";
	unsigned char before[64], after[64];
	struct stat st;
	void *p;
	int fd, intact = 1;

	ASSERT_EQ(0, stat(TOOL, &st));
	p = map_exec(TOOL, 4096);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap(PROT_EXEC) of a marked file: %s", strerror(errno));
	memcpy(before, p, sizeof(before));

	fd = open(TOOL, O_WRONLY | O_CLOEXEC);
	EXPECT_EQ(-1, fd) TH_LOG("open(O_WRONLY) of an approved file mapped executable succeeded");
	if (fd >= 0) {
		ssize_t n = pwrite(fd, patch, 4, 0);

		memcpy(after, p, sizeof(after));
		TH_LOG("pwrite returned %zd; mapped code %s", n,
		       memcmp(before, after, sizeof(before)) ? "CHANGED" : "unchanged");
		close(fd);
		intact = n < 0;
	} else {
		EXPECT_EQ(ETXTBSY, errno);
	}
	EXPECT_EQ(-ETXTBSY, try_open_write(TOOL, O_RDWR));
	if (intact) {
		EXPECT_EQ(-1, truncate(TOOL, st.st_size / 2));
		EXPECT_EQ(ETXTBSY, errno);
		EXPECT_EQ(0, memcmp(before, p, sizeof(before)));
	}

	/* Unmapped: writing works again, and the change is a mismatch. */
	ASSERT_EQ(0, munmap(p, 4096));
	EXPECT_EQ(0, try_open_write(TOOL, O_WRONLY));
	if (intact)
		EXPECT_EQ(0, xm_check(TOOL));
	ASSERT_EQ(0, xm_append(TOOL, "x"));
	EXPECT_EQ(-EACCES, xm_check(TOOL));
}

/* Two executable mappings: refused until the last goes. */
TEST_F(tomtou, ldso_pwrite_mapped_code_two_mappings)
{
	void *p = map_exec(TOOL, 4096), *q = map_exec(TOOL, 8192);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(-ETXTBSY, try_open_write(TOOL, O_WRONLY));
	ASSERT_EQ(0, munmap(p, 4096));
	EXPECT_EQ(-ETXTBSY, try_open_write(TOOL, O_WRONLY));
	ASSERT_EQ(0, munmap(q, 8192));
	EXPECT_EQ(0, try_open_write(TOOL, O_WRONLY));
}

/* A forked child keeps the executable mapping after the parent drops it. */
TEST_F(tomtou, ldso_pwrite_mapped_code_fork)
{
	int go[2], status;
	void *p;
	pid_t pid;

	ASSERT_EQ(0, pipe(go));
	p = map_exec(TOOL, 4096);
	ASSERT_NE(MAP_FAILED, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char c;

		close(go[1]);
		_exit(read(go[0], &c, 1) == 0 ? 0 : 1);	/* until EOF */
	}
	close(go[0]);
	ASSERT_EQ(0, munmap(p, 4096));
	EXPECT_EQ(-ETXTBSY, try_open_write(TOOL, O_WRONLY))
		TH_LOG("the child still maps the file executable");
	close(go[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, try_open_write(TOOL, O_WRONLY));
}

/* Does /proc/PID/maps show @path mapped executable? */
static int maps_have_exec(const char *maps, const char *path, char *buf, size_t size)
{
	char *line, *save = NULL, perms[8], name[4096];

	if (xm_read(maps, buf, size))
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%*s %7s %*s %*s %*s %4095s", perms, name) == 2 &&
		    !strcmp(name, path) && perms[2] == 'x')
			return 1;
	return 0;
}

/* "ld.so ./tool" for real: a dynamic program run by the ELF interpreter. */
TEST_F_TIMEOUT(tomtou, ldso_pwrite_mapped_code_ldso, 90)
{
	const char *py = DIR "/py";
	char maps[64], buf[65536];
	int in[2], status, i, found = 0;
	pid_t pid;

	ASSERT_EQ(0, xm_copy("/usr/bin/python3.11", py, 0755));
	ASSERT_EQ(0, xm_mark(py));
	ASSERT_EQ(0, pipe(in));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *const argv[] = { XM_LDSO, (char *)py, "-S", "-c",
				       "import sys; sys.stdin.read()", NULL };
		char *const envp[] = { "PYTHONHOME=/usr", NULL };

		dup2(in[0], 0);
		close(in[0]);
		close(in[1]);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(in[0]);
	/* Wait until ld.so has mapped the program executable. */
	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	for (i = 0; i < 600 && !(found = maps_have_exec(maps, py, buf, sizeof(buf))); i++)
		usleep(100 * 1000);
	ASSERT_TRUE(found) TH_LOG("ld.so never mapped %s executable:\n%s", py, buf);
	EXPECT_EQ(-ETXTBSY, try_open_write(py, O_WRONLY))
		TH_LOG("the program that ld.so runs can be opened for writing");
	i = truncate(py, 4096);
	EXPECT_EQ(-1, i) TH_LOG("the program that ld.so runs was truncated");
	if (i) {
		EXPECT_EQ(ETXTBSY, errno);
	}
	close(in[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (i) {	/* (truncated, it dies of SIGBUS) */
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("ld.so %s: status %#x", py, status);
	}
	EXPECT_EQ(0, try_open_write(py, O_WRONLY));
}

/* The package manager's way of replacing a mapped file keeps working. */
TEST_F(tomtou, ldso_pwrite_mapped_code_replace_by_rename)
{
	char *const argv[] = { TOOL, NULL }, *const envp[] = { NULL };
	const char *next = DIR "/.true.new";
	unsigned char before[64];
	void *p = map_exec(TOOL, 4096);

	ASSERT_NE(MAP_FAILED, p);
	memcpy(before, p, sizeof(before));
	EXPECT_EQ(-ETXTBSY, try_open_write(TOOL, O_WRONLY));
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, next, 0755));
	ASSERT_EQ(0, xm_append(next, "\n"));		/* another version */
	ASSERT_EQ(0, xm_mark(next));
	EXPECT_EQ(0, rename(next, TOOL));
	/* The old mapping keeps the old content; the new file runs. */
	EXPECT_EQ(0, memcmp(before, p, sizeof(before)));
	EXPECT_EQ(0, xm_run(argv, envp, NULL, 0));
	/* The new file is not mapped: it can be written (and then is a mismatch). */
	EXPECT_EQ(0, xm_append(TOOL, "x"));
	EXPECT_EQ(-EACCES, xm_check(TOOL));
	ASSERT_EQ(0, munmap(p, 4096));
	/* unlink of a mapped file works as well */
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, next, 0755));
	ASSERT_EQ(0, xm_mark(next));
	p = map_exec(next, 4096);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, unlink(next));
	ASSERT_EQ(0, munmap(p, 4096));
}

/*
 * Overlayfs: the executable mapping of a merged file holds the real file;
 * opening that real file for writing by its own path must fail too.
 */
TEST_F(tomtou, ldso_pwrite_mapped_code_overlay)
{
	const char *lower = DIR "/lower/true", *merged = DIR "/merged/true";
	void *p;

	ASSERT_EQ(0, mkdir(DIR "/lower", 0755));
	ASSERT_EQ(0, mkdir(DIR "/upper", 0755));
	ASSERT_EQ(0, mkdir(DIR "/work", 0755));
	ASSERT_EQ(0, mkdir(DIR "/merged", 0755));
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, lower, 0755));
	ASSERT_EQ(0, xm_mark(lower));
	ASSERT_EQ(0, mount("overlay", DIR "/merged", "overlay", 0,
			   "lowerdir=" DIR "/lower,upperdir=" DIR "/upper,workdir=" DIR "/work"));
	p = map_exec(merged, 4096);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap exec through the overlay: %s", strerror(errno));
	EXPECT_EQ(-ETXTBSY, try_open_write(lower, O_WRONLY))
		TH_LOG("the lower file mapped executable through the overlay is writable");
	if (truncate(lower, 4096)) {
		EXPECT_EQ(ETXTBSY, errno);
	} else {
		EXPECT_TRUE(0) TH_LOG("the lower file mapped executable through the overlay was truncated");
	}
	ASSERT_EQ(0, munmap(p, 4096));
	EXPECT_EQ(0, try_open_write(lower, O_WRONLY));
}

/*
 * A file whose second page is a hole; UFFDIO_COPY fills the hole through a
 * shared writable mapping. i_version, ctime and mtime do not move
 * (mm/shmem.c), yet the content differs from what was judged.
 */
TEST_F(tomtou, uffd_shmem_fill_no_iversion)
{
	const char *f = DIR "/holey";
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {};
	struct uffdio_copy copy = {};
	char page[4096], *src, *map;
	struct stat st0, st1;
	int fd, uffd;

	memset(page, 'A', sizeof(page));
	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4096, write(fd, page, 4096));
	ASSERT_EQ(0, ftruncate(fd, 2 * 4096));		/* page 1: a hole */
	close(fd);
	ASSERT_EQ(0, xm_mark(f));
	/* Warm the cache: trusted. */
	ASSERT_EQ(0, xm_check(f));
	ASSERT_EQ(0, xm_mmap_exec(f));
	ASSERT_EQ(0, stat(f, &st0));

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (uffd < 0 && errno == EINVAL)	/* kernels without the flag */
		uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	ASSERT_LE(0, uffd) TH_LOG("userfaultfd: %s (the test kernel has CONFIG_USERFAULTFD)",
				  strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));

	fd = open(f, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	map = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	reg.range.start = (unsigned long)map + 4096;
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg)) TH_LOG("UFFDIO_REGISTER: %s", strerror(errno));

	src = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, src);
	memset(src, 0xcc, 4096);			/* "code" */
	copy.dst = (unsigned long)map + 4096;
	copy.src = (unsigned long)src;
	copy.len = 4096;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_COPY, &copy)) TH_LOG("UFFDIO_COPY: %s", strerror(errno));
	ASSERT_EQ(4096, copy.copy);
	munmap(src, 4096);
	munmap(map, 2 * 4096);
	close(uffd);
	close(fd);

	/* The content did change... */
	fd = open(f, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pread(fd, page, 1, 4096));
	close(fd);
	ASSERT_EQ((char)0xcc, page[0]) TH_LOG("UFFDIO_COPY did not fill the hole");
	ASSERT_EQ(0, stat(f, &st1));
	TH_LOG("mtime %s, ctime %s by UFFDIO_COPY",
	       st0.st_mtim.tv_nsec == st1.st_mtim.tv_nsec && st0.st_mtime == st1.st_mtime ?
	       "unchanged" : "changed",
	       st0.st_ctim.tv_nsec == st1.st_ctim.tv_nsec && st0.st_ctime == st1.st_ctime ?
	       "unchanged" : "changed");
	/* ...so the verdict must be the content's, not the cached one. */
	EXPECT_EQ(-EACCES, xm_check(f)) TH_LOG("changed content trusted from the cache");
	EXPECT_EQ(-EACCES, xm_mmap_exec(f));
	EXPECT_EQ(-EACCES, xm_mprotect_exec(f));
}

TEST_HARNESS_MAIN
