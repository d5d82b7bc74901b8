// SPDX-License-Identifier: GPL-2.0
/*
 * Overlayfs (issue 11, findings 1 and 7). Regression tests for the fixes;
 * enforce mode.
 *
 * overlay_append_stale_size: a user who can write an approved file mounts
 * an overlay in a user namespace with the file's directory as lower layer,
 * keeps the merged file open (its inode keeps the old size), appends to the
 * real file and asks for an exec through the overlay. The check must hash
 * what the real file holds: a mismatch; and root running the file by its
 * real path afterwards must be refused too (no "trusted" left in the cache
 * of the real inode).
 *
 * overlay_mark_gen: marks set through the overlay and on its layers, with
 * exec and mprotect(PROT_EXEC) after each: no false denial, no stale trust.
 */
#define _GNU_SOURCE

#include <grp.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "common.h"

#define DIR	"/tmp/xovl"

FIXTURE(overlay) {
	int fd;
};

FIXTURE_SETUP(overlay)
{
	umount2(DIR "/merged", MNT_DETACH);
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, mkdir(DIR "/lower", 0755));
	ASSERT_EQ(0, mkdir(DIR "/upper", 0755));
	ASSERT_EQ(0, mkdir(DIR "/work", 0755));
	ASSERT_EQ(0, mkdir(DIR "/merged", 0755));
	ASSERT_EQ(0, mkdir(DIR "/empty", 0755));
	self->fd = xm_events_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, xm_set_mode("enforce"));
}

FIXTURE_TEARDOWN(overlay)
{
	xm_set_mode("permissive");
	close(self->fd);
	umount2(DIR "/merged", MNT_DETACH);
	umount2(DIR, MNT_DETACH);
}

static int write_str(const char *path, const char *s)
{
	return xm_write(path, s);
}

/* Steps of the unprivileged attacker, as exit codes. */
enum {
	A_OK, A_SETUID, A_USERNS, A_MAPS, A_MOUNT, A_OPEN, A_APPEND, A_PIPE,
};

static const char *const a_names[] = {
	"ok", "setuid(65534)", "unshare(CLONE_NEWUSER | CLONE_NEWNS)",
	"uid_map/gid_map", "mount overlay in the user namespace",
	"open the merged file", "append to the real file", "report",
};

TEST_F(overlay, overlay_append_stale_size)
{
	const char *real = DIR "/lower/tool", *merged = DIR "/merged/tool";
	char *const argv[] = { (char *)real, NULL }, *const envp[] = { "PATH=/usr/bin", NULL };
	char out[4096];
	int res[2] = { 1, 1 }, rep[2], status, ret;
	pid_t pid;

	/* The approved script belongs to the attacker (uid 65534). */
	ASSERT_EQ(0, chown(DIR "/lower", 65534, 65534));
	ASSERT_EQ(0, xm_write_file(real, "#!/bin/sh\necho approved\n", 0755));
	ASSERT_EQ(0, chown(real, 65534, 65534));
	ASSERT_EQ(0, xm_mark(real));
	ASSERT_EQ(0, xm_run(argv, envp, out, sizeof(out)));
	ASSERT_STREQ("approved\n", out);

	ASSERT_EQ(0, pipe(rep));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd, r[2];

		close(rep[0]);
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534) ||
		    prctl(PR_SET_DUMPABLE, 1))	/* its own /proc/self/uid_map */
			_exit(A_SETUID);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
			_exit(A_USERNS);
		if (write_str("/proc/self/setgroups", "deny") ||
		    write_str("/proc/self/uid_map", "0 65534 1") ||
		    write_str("/proc/self/gid_map", "0 65534 1"))
			_exit(A_MAPS);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("overlay", DIR "/merged", "overlay", 0,
			  "lowerdir=" DIR "/lower:" DIR "/empty"))
			_exit(A_MOUNT);
		fd = open(merged, O_RDONLY | O_CLOEXEC);	/* kept open */
		if (fd < 0)
			_exit(A_OPEN);
		r[0] = xm_execveat_check(fd, "", AT_EMPTY_PATH | AT_EXECVE_CHECK);
		if (xm_append(real, "echo appended\n"))
			_exit(A_APPEND);
		r[1] = xm_execveat_check(fd, "", AT_EMPTY_PATH | AT_EXECVE_CHECK);
		if (write(rep[1], r, sizeof(r)) != sizeof(r))
			_exit(A_PIPE);
		close(fd);
		_exit(A_OK);
	}
	close(rep[1]);
	ret = read(rep[0], res, sizeof(res));
	close(rep[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(A_OK, WEXITSTATUS(status)) TH_LOG("attacker failed at: %s",
		WEXITSTATUS(status) < 8 ? a_names[WEXITSTATUS(status)] : "?");
	ASSERT_EQ(sizeof(res), ret);
	/* Before the append the content was approved (or unverifiable here). */
	TH_LOG("AT_EXECVE_CHECK through the overlay before the append: %d", res[0]);
	EXPECT_EQ(-EACCES, res[1])
		TH_LOG("AT_EXECVE_CHECK through the overlay after the append: %d", res[1]);

	/* Root runs the file by its real path: it must not run the appended line. */
	ret = xm_run(argv, envp, out, sizeof(out));
	EXPECT_EQ(-EACCES, ret) TH_LOG("root ran the appended file: status %d, output: %s",
				       ret, out);
	EXPECT_EQ(-EACCES, xm_check(real));
	EXPECT_EQ(NULL, strstr(out, "appended"));
}

/* The number of events read, or -1 if one has another reason. */
static int events_with_reason(int fd, const char *reason)
{
	char buf[65536], v[64], *l;
	int n = 0;

	xm_events_read(fd, buf, sizeof(buf));
	for (l = buf; *l; l = strchr(l, '\n') + 1, n++)
		if (xm_field(l, "reason", v, sizeof(v)) || strcmp(v, reason)) {
			fprintf(stderr, "# unexpected event: %.*s\n", (int)strcspn(l, "\n"), l);
			return -1;
		}
	return n;
}

static const char *const ovl_opts[] = {
	"lowerdir=" DIR "/lower,upperdir=" DIR "/upper,workdir=" DIR "/work,metacopy=on",
	"lowerdir=" DIR "/lower,upperdir=" DIR "/upper,workdir=" DIR "/work",
};

static int mount_overlay(int *metacopy)
{
	int i;

	for (i = 0; i < 2; i++)
		if (!mount("overlay", DIR "/merged", "overlay", 0, ovl_opts[i])) {
			*metacopy = !i;
			return 0;
		}
	return -errno;
}

/*
 * Marks through the overlay, on the lower layer and on the upper layer.
 * With metacopy=on, a mark set through the overlay copies up the metadata
 * only: the mark is the upper file's, the content (and the cache) the
 * lower file's.
 */
TEST_F(overlay, overlay_mark_gen)
{
	const char *lower = DIR "/lower/true", *upper = DIR "/upper/true";
	const char *merged = DIR "/merged/true";
	char *const mrun[] = { (char *)merged, NULL }, *const envp[] = { NULL };
	char *const lrun[] = { (char *)lower, NULL };
	unsigned char mark[EXECMARK_HDR_SIZE + EXECMARK_SHA256_SIZE];
	int metacopy = 0;

	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, lower, 0755));
	ASSERT_EQ(0, xm_mark(lower));
	ASSERT_EQ(0, mount_overlay(&metacopy));
	TH_LOG("metacopy=%s", metacopy ? "on" : "off (refused by this kernel)");

	/* 1. Marked on the lower layer only. */
	EXPECT_EQ(0, xm_check(merged));
	EXPECT_EQ(0, xm_run(mrun, envp, NULL, 0));
	EXPECT_EQ(0, xm_mprotect_exec(merged));
	EXPECT_NO_EVENTS(self->fd);

	/* 2. Marked (again) through the overlay: a copy-up, then the mark. */
	ASSERT_EQ(0, xm_mark(merged));
	ASSERT_EQ(0, access(upper, F_OK));
	EXPECT_EQ(0, xm_check(merged));
	EXPECT_EQ(0, xm_run(mrun, envp, NULL, 0));
	EXPECT_EQ(0, xm_mprotect_exec(merged))
		TH_LOG("false denial: mprotect(PROT_EXEC) through the overlay after a mark set through it");
	EXPECT_EQ(0, xm_mmap_exec(merged));
	EXPECT_NO_EVENTS(self->fd);

	/* 3. The lower file's own mark removed: by its path it is unmarked. */
	ASSERT_EQ(0, removexattr(lower, EXECMARK_XATTR_NAME));
	EXPECT_EQ(-EACCES, xm_check(lower)) TH_LOG("stale trust: unmarked lower file allowed");
	EXPECT_EQ(-EACCES, xm_run(lrun, envp, NULL, 0));
	EXPECT_EQ(-EACCES, xm_mprotect_exec(lower));
	EXPECT_EQ(3, events_with_reason(self->fd, "unmarked"));

	/* The merged file carries its own (upper) mark: still approved. */
	EXPECT_EQ(0, xm_check(merged));
	EXPECT_EQ(0, xm_mprotect_exec(merged));

	/* 4. The upper file's mark removed: the merged file is unmarked. */
	ASSERT_EQ(0, removexattr(upper, EXECMARK_XATTR_NAME));
	EXPECT_EQ(-EACCES, xm_check(merged))
		TH_LOG("stale trust: merged file allowed after its mark was removed on the layer");
	EXPECT_EQ(-EACCES, xm_run(mrun, envp, NULL, 0));
	EXPECT_EQ(-EACCES, xm_mprotect_exec(merged));
	EXPECT_EQ(3, events_with_reason(self->fd, "unmarked"));

	/*
	 * 5. Marked again on the upper layer: approved again, mprotect too.
	 * (A metacopy upper file holds no data: its mark is the content's.)
	 */
	ASSERT_EQ(0, xm_mark_value(merged, mark));
	ASSERT_EQ(0, setxattr(upper, EXECMARK_XATTR_NAME, mark, sizeof(mark), 0));
	EXPECT_EQ(0, xm_check(merged));
	EXPECT_EQ(0, xm_run(mrun, envp, NULL, 0));
	EXPECT_EQ(0, xm_mprotect_exec(merged))
		TH_LOG("false denial: mprotect after the mark was set on the upper layer");

	/* 6. Marked again on the lower layer: approved by its path, mprotect too. */
	ASSERT_EQ(0, xm_mark(lower));
	EXPECT_EQ(0, xm_check(lower));
	EXPECT_EQ(0, xm_mprotect_exec(lower));
	EXPECT_EQ(0, xm_check(merged));
	EXPECT_EQ(0, xm_mprotect_exec(merged));
	EXPECT_NO_EVENTS(self->fd);
}

TEST_HARNESS_MAIN
