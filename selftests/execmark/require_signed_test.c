// SPDX-License-Identifier: GPL-2.0
/*
 * require_signed locked: unsigned marks (version 1 and unsigned version 2)
 * are denied and no one can turn it off again, not root with
 * CAP_MAC_ADMIN; signed marks still run, and so do files whose digest a
 * signed line put on the digest allow-list (unsigned entries: denied).
 * Locking cannot be undone:
 * scripts/vm-check.sh runs this test alone, in a boot of its own. (The
 * other lock, the mode's, pins require_signed too: lock_test.)
 *
 * The test ends in permissive mode: the VM's own programs carry unsigned
 * marks, and it still has to power off.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "sig.h"

#define DIR	"/tmp/xreq"

static struct xm_signer ca, leaf;
static int keys_ready = -1;

__attribute__((constructor)) static void make_keys(void)
{
	long kr = xm_keyring(".execmark");

	if (kr < 0 || xm_load_ca(&ca) ||
	    xm_make_signer(&leaf, "execmark require_signed leaf", &ca))
		return;
	keys_ready = xm_enrol(&leaf, kr);
}

static void expect_setting(struct __test_metadata *_metadata, const char *want)
{
	char buf[32];

	ASSERT_EQ(0, xm_read(XM_SECFS "require_signed", buf, sizeof(buf)));
	EXPECT_STREQ(want, buf);
}

TEST(locked)
{
	char line[XM_LIST_LINE_MAX], both[200];
	int events;

	ASSERT_EQ(0, keys_ready);
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, mkdir(DIR "/v1", 0755));
	ASSERT_EQ(0, mkdir(DIR "/v2", 0755));
	ASSERT_EQ(0, mkdir(DIR "/signed", 0755));
	ASSERT_EQ(0, xm_unique_true(DIR "/v1/true"));
	ASSERT_EQ(0, xm_unique_true(DIR "/v2/true"));
	ASSERT_EQ(0, xm_unique_true(DIR "/signed/true"));
	ASSERT_EQ(0, mkdir(DIR "/listed", 0755));
	ASSERT_EQ(0, mkdir(DIR "/plain", 0755));
	ASSERT_EQ(0, mkdir(DIR "/later", 0755));
	ASSERT_EQ(0, xm_unique_true(DIR "/listed/true"));
	ASSERT_EQ(0, xm_unique_true(DIR "/plain/true"));
	ASSERT_EQ(0, xm_unique_true(DIR "/later/true"));
	ASSERT_EQ(0, xm_signed_line(line, DIR "/listed/true", &leaf, NULL));
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	ASSERT_EQ(0, xm_signed_line(line, DIR "/plain/true", NULL, NULL));
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	ASSERT_EQ(0, xm_mark(DIR "/v1/true"));
	ASSERT_EQ(0, xm_mark_signed(DIR "/v2/true", EXECMARK_KIND_CONTENT,
				    HASH_ALGO_SHA256, NULL));
	ASSERT_EQ(0, xm_mark_signed(DIR "/signed/true", EXECMARK_KIND_CONTENT,
				    HASH_ALGO_SHA256, &leaf));
	events = xm_events_open();
	ASSERT_LE(0, events);
	ASSERT_EQ(0, xm_set_mode("enforce"));

	/* Off: all three run, and their verdicts are cached. */
	expect_setting(_metadata, "off\n");
	EXPECT_EQ(0, xm_exec(DIR "/v1/true"));
	EXPECT_EQ(0, xm_exec(DIR "/v2/true"));
	EXPECT_EQ(0, xm_exec(DIR "/signed/true"));
	EXPECT_EQ(0, xm_exec(DIR "/listed/true"));
	EXPECT_EQ(0, xm_exec(DIR "/plain/true"));
	EXPECT_NO_EVENTS(events);

	/* Locked: it only goes up, then stays. */
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "on"));
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "locked"));
	expect_setting(_metadata, "locked\n");
	EXPECT_EQ(-EPERM, xm_write(XM_SECFS "require_signed", "off"));
	EXPECT_EQ(-EPERM, xm_write(XM_SECFS "require_signed", "on"));
	EXPECT_EQ(0, xm_write(XM_SECFS "require_signed", "locked"));
	expect_setting(_metadata, "locked\n");

	/* Cached verdicts of unsigned marks no longer count. */
	EXPECT_EQ(-EACCES, xm_exec(DIR "/v1/true"));
	EXPECT_EVENTS(events, "exec", "unsigned", DIR "/v1/true");
	EXPECT_EQ(-EACCES, xm_exec(DIR "/v2/true"));
	EXPECT_EVENTS(events, "exec", "unsigned", DIR "/v2/true");
	EXPECT_EQ(-EACCES, xm_mmap_exec(DIR "/v1/true"));
	EXPECT_EVENTS(events, "mmap", "unsigned", DIR "/v1/true");
	EXPECT_EQ(-EACCES, xm_mprotect_exec(DIR "/v2/true"));
	EXPECT_EVENTS(events, "mprotect", "unsigned", DIR "/v2/true");
	EXPECT_EQ(0, xm_exec(DIR "/signed/true"));
	EXPECT_NO_EVENTS(events);

	/* The allow-list: signed entries only, old and new. */
	EXPECT_EQ(0, xm_exec(DIR "/listed/true"));
	EXPECT_NO_EVENTS(events);
	EXPECT_EQ(-EACCES, xm_exec(DIR "/plain/true"));
	EXPECT_EVENTS(events, "exec", "unsigned", DIR "/plain/true");
	ASSERT_EQ(0, xm_signed_line(line, DIR "/later/true", NULL, NULL));
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/later/true"));
	EXPECT_EVENTS(events, "exec", "unsigned", DIR "/later/true");
	ASSERT_EQ(0, xm_signed_line(line, DIR "/later/true", &leaf, NULL));
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	EXPECT_EQ(0, xm_exec(DIR "/later/true"));
	EXPECT_NO_EVENTS(events);

	/*
	 * Its only reference removed and added again unsigned, in one write:
	 * the entry is no longer signed, and the cached "listed" of its file
	 * (just made) no longer counts.
	 */
	EXPECT_EQ(0, xm_exec(DIR "/listed/true"));
	ASSERT_EQ(0, xm_signed_line(line, DIR "/listed/true", NULL, NULL));
	ASSERT_GT(sizeof(both), snprintf(both, sizeof(both), "-%s%s", line + 1, line));
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", both));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/listed/true"));
	EXPECT_EVENTS(events, "exec", "unsigned", DIR "/listed/true");

	/* Re-marking unsigned does not help; removing the mark neither. */
	ASSERT_EQ(0, xm_mark(DIR "/v1/true"));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/v1/true"));
	EXPECT_EVENTS(events, "exec", "unsigned", DIR "/v1/true");
	ASSERT_EQ(0, removexattr(DIR "/v2/true", EXECMARK_XATTR_NAME));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/v2/true"));
	EXPECT_EVENTS(events, "exec", "unmarked", DIR "/v2/true");
	close(events);
	/* Still locked in permissive mode, where unsigned marks are reported. */
	ASSERT_EQ(0, xm_set_mode("permissive"));
	EXPECT_EQ(-EPERM, xm_write(XM_SECFS "require_signed", "off"));
	expect_setting(_metadata, "locked\n");
}

TEST_HARNESS_MAIN
