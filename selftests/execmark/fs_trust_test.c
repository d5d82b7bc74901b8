// SPDX-License-Identifier: GPL-2.0
/*
 * Which file systems are verifiable (issue 11, finding 8). Regression test
 * for the fix; enforce mode.
 *
 * iversion_mount_option: SB_I_VERSION is a mount flag (MS_I_VERSION,
 * "-o iversion") that any mounter can set on any file system; it does not
 * make the file system maintain i_version. ramfs (always built in) mounted
 * with it must stay "unverifiable", as it is without it: the kernel must
 * not even look for a mark there. (The unfixed kernel treats it as
 * verifiable and reports the file "unmarked": ramfs stores no xattrs.)
 * (A malformed mark found on disk is "corrupt": exec_test, variant
 * mark.corrupt, edits an ext4 image behind the hooks.)
 */
#define _GNU_SOURCE

#include "kselftest_harness.h"
#include "common.h"

#define DIR	"/tmp/xfst"
#define BIN	DIR "/true"

#ifndef MS_I_VERSION
#define MS_I_VERSION	(1 << 23)
#endif

FIXTURE(fstrust) {
	int fd;
};

FIXTURE_SETUP(fstrust)
{
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	self->fd = xm_events_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, xm_set_mode("enforce"));
}

FIXTURE_TEARDOWN(fstrust)
{
	xm_set_mode("permissive");
	close(self->fd);
	umount2(DIR, MNT_DETACH);
}

/* The reason of the denials read now: all the same, or "" / "mixed". */
static void reasons(int fd, char *out, size_t size)
{
	char buf[65536], v[64], *l;

	out[0] = '\0';
	xm_events_read(fd, buf, sizeof(buf));
	for (l = buf; *l; l = strchr(l, '\n') + 1) {
		if (xm_field(l, "reason", v, sizeof(v)))
			snprintf(v, sizeof(v), "?");
		if (!out[0])
			snprintf(out, size, "%s", v);
		else if (strcmp(out, v))
			snprintf(out, size, "mixed");
	}
}

static void ramfs_case(struct __test_metadata *_metadata, int fd, unsigned long flags)
{
	char *const argv[] = { BIN, NULL }, *const envp[] = { NULL };
	unsigned char mark[EXECMARK_HDR_SIZE + EXECMARK_SHA256_SIZE];
	char why[64];

	ASSERT_EQ(0, mount("ramfs", DIR, "ramfs", flags, "mode=0755"));
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, BIN, 0755));
	/* Whatever the mark would be, it cannot make this file trusted. */
	ASSERT_EQ(0, xm_mark_value(BIN, mark));
	if (setxattr(BIN, EXECMARK_XATTR_NAME, mark, sizeof(mark), 0))
		TH_LOG("setxattr on ramfs: %s", strerror(errno));
	EXPECT_EQ(-EACCES, xm_check(BIN));
	EXPECT_EQ(-EACCES, xm_run(argv, envp, NULL, 0));
	EXPECT_EQ(-EACCES, xm_mmap_exec(BIN));
	reasons(fd, why, sizeof(why));
	EXPECT_STREQ("unverifiable", why)
		TH_LOG("ramfs%s: files judged by their mark", flags ? " -o iversion" : "");
	ASSERT_EQ(0, umount(DIR));
}

TEST_F(fstrust, iversion_mount_option)
{
	/* The control: ramfs as it is mounted usually. */
	ramfs_case(_metadata, self->fd, 0);
	/* The mounter's "iversion" changes nothing. */
	ramfs_case(_metadata, self->fd, MS_I_VERSION);
}

TEST_HARNESS_MAIN
