// SPDX-License-Identifier: GPL-2.0
/*
 * Verity marks (format version 2, kind EXECMARK_KIND_VERITY) in enforce
 * mode, on ext4 with the verity feature on a loop device: a verity file
 * with a matching mark runs without its content being hashed by execmark,
 * signed or not; it cannot be written; a verity mark on a file without
 * fs-verity is "not-verity"; a wrong digest or the other algorithm is a
 * mismatch; under overlayfs the lower file's fs-verity digest counts.
 */
#define _GNU_SOURCE
#include <linux/loop.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "sig.h"

#define DIR	"/tmp/xver"
#define IMG	"/tmp/xver.img"
#define MNT	DIR "/ext4"
#define OVL	DIR "/ovl"

static struct xm_signer ca, leaf;
static int keys_ready = -1;

__attribute__((constructor)) static void make_keys(void)
{
	long kr = xm_keyring(".execmark");

	if (kr < 0 || xm_load_ca(&ca) ||
	    xm_make_signer(&leaf, "execmark verity leaf", &ca))
		return;
	keys_ready = xm_enrol(&leaf, kr);
}

static int run(const char *cmd)
{
	char *const argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin", NULL };

	return xm_run(argv, envp, NULL, 0);
}

static void mount_ext4(struct __test_metadata *_metadata)
{
	struct loop_config cfg = { .info.lo_flags = LO_FLAGS_AUTOCLEAR };
	int ctl, nr, loop, img;
	char dev[32];

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ctl);
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	ASSERT_LE(0, nr);
	snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	loop = open(dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, loop);
	img = open(IMG, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, img);
	cfg.fd = img;
	ASSERT_EQ(0, ioctl(loop, LOOP_CONFIGURE, &cfg));
	close(img);
	ASSERT_EQ(0, mount(dev, MNT, "ext4", 0, NULL));
	close(loop);
}

/* Enable fs-verity on @path with @algo. Return: 0 or -errno. */
static int enable_verity(const char *path, int algo)
{
	struct fsverity_enable_arg arg = {
		.version = 1, .hash_algorithm = algo, .block_size = 4096,
	};
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, FS_IOC_ENABLE_VERITY, &arg) ? -errno : 0;
	close(fd);
	return ret;
}

FIXTURE(verity) {
	int events;
};

FIXTURE_SETUP(verity)
{
	char cmd[256];

	ASSERT_EQ(0, keys_ready) TH_LOG("test CA, leaf key or .execmark missing");
	umount2(OVL, MNT_DETACH);
	umount2(MNT, MNT_DETACH);
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, mkdir(MNT, 0755));
	snprintf(cmd, sizeof(cmd),
		 "rm -f %s && truncate -s 32M %s && /usr/sbin/mke2fs -q -F -t ext4 -b 4096 -O verity,^metadata_csum %s",
		 IMG, IMG, IMG);
	ASSERT_EQ(0, run(cmd));
	mount_ext4(_metadata);
	ASSERT_EQ(0, mkdir(MNT "/v", 0755));
	ASSERT_EQ(0, mkdir(MNT "/plain", 0755));
	ASSERT_EQ(0, mkdir(MNT "/v512", 0755));
	ASSERT_EQ(0, xm_unique_true(MNT "/v/true"));
	ASSERT_EQ(0, xm_unique_true(MNT "/plain/true"));
	ASSERT_EQ(0, xm_unique_true(MNT "/v512/true"));
	ASSERT_EQ(0, enable_verity(MNT "/v/true", FS_VERITY_HASH_ALG_SHA256));
	ASSERT_EQ(0, enable_verity(MNT "/v512/true", FS_VERITY_HASH_ALG_SHA512));
	self->events = xm_events_open();
	ASSERT_LE(0, self->events);
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "off"));
	ASSERT_EQ(0, xm_set_mode("enforce"));
}

FIXTURE_TEARDOWN(verity)
{
	xm_set_mode("permissive");
	xm_write(XM_SECFS "require_signed", "off");
	close(self->events);
	umount2(OVL, MNT_DETACH);
	umount2(MNT, MNT_DETACH);
	umount2(DIR, MNT_DETACH);
	unlink(IMG);
}

FIXTURE_VARIANT(verity) {
	bool signed_mark;
};

FIXTURE_VARIANT_ADD(verity, unsigned_mark) { .signed_mark = false };
FIXTURE_VARIANT_ADD(verity, signed_mark) { .signed_mark = true };

/* A verity mark runs, and nothing is hashed: not the first time either. */
TEST_F(verity, runs_without_hashing)
{
	const struct xm_signer *by = variant->signed_mark ? &leaf : NULL;
	long long hashes, bytes, vchecks;

	ASSERT_EQ(0, xm_mark_signed(MNT "/v/true", EXECMARK_KIND_VERITY,
				    FS_VERITY_HASH_ALG_SHA256, by));
	ASSERT_EQ(0, xm_mark_signed(MNT "/v512/true", EXECMARK_KIND_VERITY,
				    FS_VERITY_HASH_ALG_SHA512, by));
	hashes = xm_stat("hashes");
	bytes = xm_stat("hash_bytes");
	vchecks = xm_stat("verity_checks");
	EXPECT_EQ(0, xm_exec(MNT "/v/true"));
	EXPECT_EQ(0, xm_exec(MNT "/v512/true"));
	EXPECT_EQ(0, xm_mmap_exec(MNT "/v/true"));
	EXPECT_EQ(0, xm_mprotect_exec(MNT "/v/true"));
	EXPECT_NO_EVENTS(self->events);
	EXPECT_EQ(hashes, xm_stat("hashes"));
	EXPECT_EQ(bytes, xm_stat("hash_bytes"));
	EXPECT_EQ(vchecks + 2, xm_stat("verity_checks"));	/* then cached */

	/* require_signed: only the signed verity marks run. */
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "on"));
	if (variant->signed_mark) {
		EXPECT_EQ(0, xm_exec(MNT "/v/true"));
		EXPECT_NO_EVENTS(self->events);
	} else {
		EXPECT_EQ(-EACCES, xm_exec(MNT "/v/true"));
		EXPECT_EVENTS(self->events, "exec", "unsigned", MNT "/v/true");
	}
}

/* fs-verity files are read-only: the marked content cannot change. */
TEST_F(verity, not_writable)
{
	ASSERT_EQ(0, xm_mark_signed(MNT "/v/true", EXECMARK_KIND_VERITY,
				    FS_VERITY_HASH_ALG_SHA256,
				    variant->signed_mark ? &leaf : NULL));
	EXPECT_EQ(0, xm_exec(MNT "/v/true"));
	EXPECT_EQ(-EPERM, xm_append(MNT "/v/true", "x"));
	EXPECT_EQ(-1, truncate(MNT "/v/true", 1));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(0, xm_exec(MNT "/v/true"));
}

/* A verity mark on a file without fs-verity: its own reason. */
TEST_F(verity, not_verity)
{
	unsigned char d[64], sig[EXECMARK_MAX_SIG], mark[EXECMARK_V2_MAX_SIZE];
	size_t len;
	int n = 0;

	/* The digest it would have, had verity been enabled: from another copy. */
	ASSERT_EQ(0, xm_digest(MNT "/v/true", EXECMARK_KIND_VERITY,
			       FS_VERITY_HASH_ALG_SHA256, d));
	if (variant->signed_mark)
		n = xm_sign_mark(&leaf, EXECMARK_KIND_VERITY, FS_VERITY_HASH_ALG_SHA256,
				 d, 32, sig, sizeof(sig));
	ASSERT_LE(0, n);
	len = xm_mark_v2(mark, EXECMARK_KIND_VERITY, FS_VERITY_HASH_ALG_SHA256, d, sig, n);
	ASSERT_EQ(0, setxattr(MNT "/plain/true", EXECMARK_XATTR_NAME, mark, len, 0));
	EXPECT_EQ(-EACCES, xm_exec(MNT "/plain/true"));
	EXPECT_EVENTS(self->events, "exec", "not-verity", MNT "/plain/true");
	EXPECT_EQ(-EACCES, xm_mmap_exec(MNT "/plain/true"));
	EXPECT_EVENTS(self->events, "mmap", "not-verity", MNT "/plain/true");
}

/* Another file's verity digest, or the other algorithm's: mismatch. */
TEST_F(verity, mismatch)
{
	unsigned char d[64], sig[EXECMARK_MAX_SIG], mark[EXECMARK_V2_MAX_SIZE];
	size_t len;
	int n = 0;

	ASSERT_EQ(0, xm_digest(MNT "/v512/true", EXECMARK_KIND_VERITY,
			       FS_VERITY_HASH_ALG_SHA512, d));
	/* The SHA-512 digest's first half under a SHA-256 mark. */
	if (variant->signed_mark)
		n = xm_sign_mark(&leaf, EXECMARK_KIND_VERITY, FS_VERITY_HASH_ALG_SHA256,
				 d, 32, sig, sizeof(sig));
	ASSERT_LE(0, n);
	len = xm_mark_v2(mark, EXECMARK_KIND_VERITY, FS_VERITY_HASH_ALG_SHA256, d, sig, n);
	ASSERT_EQ(0, setxattr(MNT "/v/true", EXECMARK_XATTR_NAME, mark, len, 0));
	EXPECT_EQ(-EACCES, xm_exec(MNT "/v/true"));
	EXPECT_EVENTS(self->events, "exec", "mismatch", MNT "/v/true");
	/* The right digest, announced as SHA-512: mismatch. */
	ASSERT_EQ(0, xm_digest(MNT "/v/true", EXECMARK_KIND_VERITY,
			       FS_VERITY_HASH_ALG_SHA256, d));
	memset(d + 32, 0, 32);
	len = xm_mark_v2(mark, EXECMARK_KIND_VERITY, FS_VERITY_HASH_ALG_SHA512, d, NULL, 0);
	ASSERT_EQ(0, setxattr(MNT "/v/true", EXECMARK_XATTR_NAME, mark, len, 0));
	EXPECT_EQ(-EACCES, xm_exec(MNT "/v/true"));
	EXPECT_EVENTS(self->events, "exec", "mismatch", MNT "/v/true");
	/* A content mark on a verity file is hashed as before. */
	ASSERT_EQ(0, xm_mark_signed(MNT "/v/true", EXECMARK_KIND_CONTENT,
				    HASH_ALGO_SHA256, variant->signed_mark ? &leaf : NULL));
	EXPECT_EQ(0, xm_exec(MNT "/v/true"));
}

/* Overlayfs: the mark is copied up with the lower verity file's digest. */
TEST_F(verity, overlay_lower)
{
	long long hashes;

	ASSERT_EQ(0, xm_mark_signed(MNT "/v/true", EXECMARK_KIND_VERITY,
				    FS_VERITY_HASH_ALG_SHA256,
				    variant->signed_mark ? &leaf : NULL));
	ASSERT_EQ(0, mkdir(DIR "/upper", 0755));
	ASSERT_EQ(0, mkdir(DIR "/work", 0755));
	ASSERT_EQ(0, mkdir(OVL, 0755));
	ASSERT_EQ(0, mount("overlay", OVL, "overlay", 0,
			   "lowerdir=" MNT "/v,upperdir=" DIR "/upper,workdir=" DIR "/work"));
	hashes = xm_stat("hashes");
	EXPECT_EQ(0, xm_exec(OVL "/true"));
	EXPECT_EQ(0, xm_mmap_exec(OVL "/true"));
	EXPECT_NO_EVENTS(self->events);
	EXPECT_EQ(hashes, xm_stat("hashes"));
	/* A write copies the file up: no fs-verity on tmpfs. */
	ASSERT_EQ(0, xm_append(OVL "/true", ""));
	EXPECT_EQ(-EACCES, xm_exec(OVL "/true"));
	EXPECT_EVENTS(self->events, "exec", "not-verity", OVL "/true");
}

TEST_HARNESS_MAIN
