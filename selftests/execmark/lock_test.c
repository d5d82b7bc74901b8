// SPDX-License-Identifier: GPL-2.0
/*
 * Mode changes need CAP_MAC_ADMIN, and the lock pins the mode (and keeps
 * require_signed from going down) until reboot. The lock cannot be undone: scripts/vm-check.sh runs this test
 * alone, in a boot of its own.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "common.h"

/* Root without CAP_MAC_ADMIN. */
static int without_mac_admin(const char *path, const char *s)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		if (xm_drop_cap(CAP_MAC_ADMIN))
			_exit(100);
		_exit(-xm_write(path, s));
	}
	waitpid(pid, &status, 0);
	return -WEXITSTATUS(status);
}

TEST(mode_and_lock)
{
	char buf[32];

	ASSERT_EQ(0, xm_read(XM_SECFS "lock", buf, sizeof(buf)));
	ASSERT_STREQ("0\n", buf);
	EXPECT_EQ(-EPERM, without_mac_admin(XM_SECFS "mode", "off"));
	EXPECT_EQ(-EPERM, without_mac_admin(XM_SECFS "lock", "1"));
	EXPECT_EQ(-EINVAL, xm_write(XM_SECFS "lock", "0"));
	EXPECT_EQ(-EINVAL, xm_write(XM_SECFS "lock", "2"));

	ASSERT_EQ(0, xm_set_mode("permissive"));
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "on"));
	ASSERT_EQ(0, xm_write(XM_SECFS "lock", "1\n"));
	ASSERT_EQ(0, xm_read(XM_SECFS "lock", buf, sizeof(buf)));
	EXPECT_STREQ("1\n", buf);
	EXPECT_EQ(-EPERM, xm_set_mode("enforce"));
	EXPECT_EQ(-EPERM, xm_set_mode("off"));
	EXPECT_EQ(0, xm_set_mode("permissive"));	/* no change: allowed */
	EXPECT_EQ(0, xm_write(XM_SECFS "lock", "1"));	/* again: no-op */
	/* The mode lock pins require_signed too: it only goes up. */
	EXPECT_EQ(-EPERM, xm_write(XM_SECFS "require_signed", "off"));
	ASSERT_EQ(0, xm_read(XM_SECFS "require_signed", buf, sizeof(buf)));
	EXPECT_STREQ("on\n", buf);
	EXPECT_EQ(0, xm_write(XM_SECFS "require_signed", "locked"));
	EXPECT_EQ(-EPERM, xm_write(XM_SECFS "require_signed", "on"));
	ASSERT_EQ(0, xm_read(XM_SECFS "mode", buf, sizeof(buf)));
	EXPECT_STREQ("permissive\n", buf);
}

TEST_HARNESS_MAIN
