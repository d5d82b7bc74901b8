// SPDX-License-Identifier: GPL-2.0
/*
 * execmark plumbing: the LSM is active and its mode is what the boot asked.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "common.h"

/* The mode the kernel was booted with: execmark.mode=, else the default. */
static const char *boot_mode(char *cmdline, size_t size)
{
	char *p, *end;

	if (xm_read("/proc/cmdline", cmdline, size))
		return NULL;
	p = strstr(cmdline, "execmark.mode=");
	if (!p)
		return "permissive";	/* CONFIG_SECURITY_EXECMARK_BOOT_PERMISSIVE */
	p += strlen("execmark.mode=");
	end = p + strcspn(p, " \n");
	*end = '\0';
	return p;
}

TEST(lsm_is_listed)
{
	char buf[4096];

	ASSERT_EQ(0, xm_read("/sys/kernel/security/lsm", buf, sizeof(buf)));
	TH_LOG("active LSMs: %s", buf);
	ASSERT_NE(NULL, strstr(buf, "execmark"));
}

TEST(boot_mode_reads_back)
{
	char cmdline[4096], mode[32], want[40];
	const char *bm = boot_mode(cmdline, sizeof(cmdline));

	ASSERT_NE(NULL, bm);
	ASSERT_EQ(0, xm_read(XM_SECFS "mode", mode, sizeof(mode)));
	snprintf(want, sizeof(want), "%s\n", bm);
	ASSERT_STREQ(want, mode);
}

TEST(mode_round_trip)
{
	static const char *const modes[] = { "off", "enforce", "permissive" };
	char orig[32], now[32], want[40];
	unsigned int i;

	ASSERT_EQ(0, xm_read(XM_SECFS "mode", orig, sizeof(orig)));
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ASSERT_EQ(0, xm_write(XM_SECFS "mode", modes[i]));
		ASSERT_EQ(0, xm_read(XM_SECFS "mode", now, sizeof(now)));
		snprintf(want, sizeof(want), "%s\n", modes[i]);
		EXPECT_STREQ(want, now);
	}
	EXPECT_EQ(-EINVAL, xm_write(XM_SECFS "mode", "enforcing"));
	EXPECT_EQ(-EINVAL, xm_write(XM_SECFS "mode", ""));
	ASSERT_EQ(0, xm_write(XM_SECFS "mode", orig));
}

TEST_HARNESS_MAIN
