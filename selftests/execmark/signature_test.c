// SPDX-License-Identifier: GPL-2.0
/*
 * Signed marks (format version 2) in enforce mode: the .execmark keyring
 * takes a certificate that the built-in test CA issued and refuses a
 * self-signed one; a mark signed by an enrolled key runs; every other
 * signature is "bad-signature": another key, the CA's own key, a signature
 * over another digest, over the same digest as another kind or algorithm,
 * cut short or padded. Version 1 and version 2 marks run side by side;
 * a signature is verified once per mark generation, and once at all while
 * the keys stay the same: the same mark written again is found verified
 * (sig_cache_hits), any other signature bytes are verified on their own,
 * and failures are verified again; a digest on the
 * blacklist keyring is "revoked", cached or not, and so is a listed file
 * with it; a key unlinked from .execmark, revoked, invalidated, expired or
 * its certificate blacklisted takes its signatures' cached verdicts and
 * cached verifications with it at once; require_signed
 * (not locked here: require_signed_test locks it in a boot of its own)
 * denies unsigned marks and the digest allow-list's unsigned entries; signed
 * entries are verified when written, and a bad one fails the whole write.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "sig.h"

#define DIR	"/tmp/xsig"

/* Made once, before the harness forks the tests. */
static struct xm_signer ca, leaf, other, self_signed;
/* One for each way of withdrawing a key (keychange): each is withdrawn. */
static struct xm_signer withdrawn[6];
static int keys_ready = -1;

__attribute__((constructor)) static void make_keys(void)
{
	long kr = xm_keyring(".execmark");

	if (kr < 0 || xm_load_ca(&ca) ||
	    xm_make_signer(&leaf, "execmark test leaf", &ca) ||
	    xm_make_signer(&other, "execmark test other", &ca) ||
	    xm_make_signer(&self_signed, "execmark test self-signed", NULL))
		return;
	for (unsigned int i = 0; i < 6; i++)
		if (xm_make_signer(&withdrawn[i], "execmark test withdrawn", &ca))
			return;
	keys_ready = xm_enrol(&leaf, kr);
}

FIXTURE(sig) {
	int events;
};

/* DIR/a/true and DIR/b/true, unmarked; enforce mode; the events file. */
static void dirs_setup(struct __test_metadata *_metadata, int *events)
{
	ASSERT_EQ(0, keys_ready) TH_LOG("test CA, leaf keys or .execmark missing");
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, mkdir(DIR "/a", 0755));
	ASSERT_EQ(0, mkdir(DIR "/b", 0755));
	ASSERT_EQ(0, xm_unique_true(DIR "/a/true"));
	ASSERT_EQ(0, xm_unique_true(DIR "/b/true"));
	*events = xm_events_open();
	ASSERT_LE(0, *events);
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "off"));
	ASSERT_EQ(0, xm_set_mode("enforce"));
}

static void dirs_teardown(int events)
{
	xm_set_mode("permissive");
	xm_write(XM_SECFS "require_signed", "off");
	close(events);
	umount2(DIR, MNT_DETACH);
}

FIXTURE_SETUP(sig)
{
	dirs_setup(_metadata, &self->events);
}

FIXTURE_TEARDOWN(sig)
{
	dirs_teardown(self->events);
}

TEST(keyring_takes_only_vouched_keys)
{
	long kr = xm_keyring(".execmark");
	struct xm_signer s;

	ASSERT_EQ(0, keys_ready);
	ASSERT_LT(0, kr);
	/* Self-signed: no trusted key vouches for it. */
	EXPECT_EQ(-ENOKEY, xm_enrol(&self_signed, kr));
	/* Issued by the built-in CA: taken. */
	ASSERT_EQ(0, xm_make_signer(&s, "execmark test enrol", &ca));
	EXPECT_EQ(0, xm_enrol(&s, kr));
	/* Only the kernel names keyrings with a leading dot. */
	EXPECT_EQ(-1, syscall(SYS_add_key, "keyring", ".execmark", NULL, 0,
			      KEY_SPEC_PROCESS_KEYRING));
	EXPECT_EQ(EPERM, errno);
}

/* How the signature of the mark of DIR/a/true is made. */
enum how {
	VALID, UNSIGNED, OTHER_KEY, CA_KEY, SELF_SIGNED, OTHER_DIGEST,
	KIND_SWAPPED, ALGO_SWAPPED, TRUNCATED, PADDED, GARBAGE,
};

FIXTURE_VARIANT(sig) {
	enum how how;
	const char *reason;	/* NULL: allowed */
};

FIXTURE_VARIANT_ADD(sig, valid) { .how = VALID };
FIXTURE_VARIANT_ADD(sig, unsigned_v2) { .how = UNSIGNED };
FIXTURE_VARIANT_ADD(sig, other_key) { .how = OTHER_KEY, .reason = "bad-signature" };
FIXTURE_VARIANT_ADD(sig, ca_key) { .how = CA_KEY, .reason = "bad-signature" };
FIXTURE_VARIANT_ADD(sig, self_signed) { .how = SELF_SIGNED, .reason = "bad-signature" };
FIXTURE_VARIANT_ADD(sig, other_digest) { .how = OTHER_DIGEST, .reason = "bad-signature" };
FIXTURE_VARIANT_ADD(sig, kind_swapped) { .how = KIND_SWAPPED, .reason = "bad-signature" };
FIXTURE_VARIANT_ADD(sig, algo_swapped) { .how = ALGO_SWAPPED, .reason = "bad-signature" };
FIXTURE_VARIANT_ADD(sig, truncated) { .how = TRUNCATED, .reason = "bad-signature" };
FIXTURE_VARIANT_ADD(sig, padded) { .how = PADDED, .reason = "bad-signature" };
FIXTURE_VARIANT_ADD(sig, garbage) { .how = GARBAGE, .reason = "bad-signature" };

TEST_F(sig, exec)
{
	const int kind = EXECMARK_KIND_CONTENT, algo = HASH_ALGO_SHA256;
	unsigned char digest[64], sig[EXECMARK_MAX_SIG], mark[EXECMARK_V2_MAX_SIZE];
	const struct xm_signer *by = &leaf;
	int skind = kind, salgo = algo, n = 0;
	long long checks, fails, hits;
	size_t len;
	int ret;

	ASSERT_EQ(0, xm_digest(DIR "/a/true", kind, algo, digest));
	switch (variant->how) {
	case OTHER_KEY:
		by = &other;
		break;
	case CA_KEY:
		by = &ca;
		break;
	case SELF_SIGNED:
		by = &self_signed;
		break;
	case KIND_SWAPPED:
		skind = EXECMARK_KIND_VERITY;
		break;
	case ALGO_SWAPPED:
		salgo = FS_VERITY_HASH_ALG_SHA256;
		break;
	default:
		break;
	}
	if (variant->how == OTHER_DIGEST) {
		unsigned char d2[64];

		ASSERT_EQ(0, xm_digest(DIR "/b/true", kind, algo, d2));
		n = xm_sign_mark(by, skind, salgo, d2, 32, sig, sizeof(sig));
	} else if (variant->how == GARBAGE) {
		n = 300;
		memset(sig, 0x30, n);
	} else if (variant->how != UNSIGNED) {
		n = xm_sign_mark(by, skind, salgo, digest, 32, sig, sizeof(sig));
	}
	ASSERT_LE(0, n);
	if (variant->how == TRUNCATED)
		n -= 7;
	if (variant->how == PADDED) {
		memset(sig + n, 0, 8);
		n += 8;
	}
	len = xm_mark_v2(mark, kind, algo, digest, sig, n);
	ASSERT_EQ(0, setxattr(DIR "/a/true", EXECMARK_XATTR_NAME, mark, len, 0));

	checks = xm_stat("sig_checks");
	fails = xm_stat("sig_failures");
	ret = xm_exec(DIR "/a/true");
	if (!variant->reason) {
		EXPECT_EQ(0, ret);
		EXPECT_NO_EVENTS(self->events);
	} else {
		EXPECT_EQ(-EACCES, ret);
		EXPECT_EVENTS(self->events, "exec", variant->reason, DIR "/a/true");
	}
	EXPECT_EQ(checks + (n ? 1 : 0), xm_stat("sig_checks"));
	EXPECT_EQ(fails + (variant->reason ? 1 : 0), xm_stat("sig_failures"));
	/* Verified once per mark generation: the verdict is cached. */
	EXPECT_EQ(variant->reason ? -EACCES : 0, xm_exec(DIR "/a/true"));
	EXPECT_EQ(variant->reason ? -EACCES : 0, xm_mmap_exec(DIR "/a/true"));
	EXPECT_EQ(variant->reason ? -EACCES : 0, xm_mprotect_exec(DIR "/a/true"));
	EXPECT_EQ(checks + (n ? 1 : 0), xm_stat("sig_checks"));

	/*
	 * The same mark written again: a new mark generation, judged afresh.
	 * A signature that verified is found verified, not verified again;
	 * one that failed is verified again (failures are not cached).
	 */
	xm_events_read(self->events, (char[4096]){}, 4096);
	hits = xm_stat("sig_cache_hits");
	ASSERT_EQ(0, xm_remark(DIR "/a/true"));
	ret = xm_exec(DIR "/a/true");
	if (!variant->reason) {
		EXPECT_EQ(0, ret);
		EXPECT_NO_EVENTS(self->events);
	} else {
		EXPECT_EQ(-EACCES, ret);
		EXPECT_EVENTS(self->events, "exec", variant->reason, DIR "/a/true");
	}
	EXPECT_EQ(checks + (!n ? 0 : variant->reason ? 2 : 1), xm_stat("sig_checks"));
	EXPECT_EQ(fails + (variant->reason ? 2 : 0), xm_stat("sig_failures"));
	EXPECT_EQ(hits + (n && !variant->reason ? 1 : 0), xm_stat("sig_cache_hits"));

	/* require_signed: only the valid signature still runs. */
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "on"));
	xm_events_read(self->events, (char[4096]){}, 4096);
	ret = xm_exec(DIR "/a/true");
	if (variant->how == VALID) {
		EXPECT_EQ(0, ret);
		EXPECT_NO_EVENTS(self->events);
	} else {
		EXPECT_EQ(-EACCES, ret);
		EXPECT_EVENTS(self->events, "exec", variant->reason ?: "unsigned",
			      DIR "/a/true");
	}
}

/* Shapes the kernel refuses at setxattr: no signature fits them. */
TEST_F(sig, malformed_refused)
{
	unsigned char digest[64], sig[EXECMARK_MAX_SIG + 16], mark[EXECMARK_V2_MAX_SIZE + 64];
	size_t len;
	int n;

	ASSERT_EQ(0, xm_digest(DIR "/a/true", EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, digest));
	n = xm_sign_mark(&leaf, EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, digest, 32,
			 sig, sizeof(sig));
	ASSERT_LT(0, n);
	len = xm_mark_v2(mark, EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, digest, sig, n);
	/* The value cut short of its length field's promise. */
	EXPECT_EQ(-1, setxattr(DIR "/a/true", EXECMARK_XATTR_NAME, mark, len - 1, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Oversized: more than EXECMARK_MAX_SIG bytes of signature. */
	memset(sig, 0x30, sizeof(sig));
	len = xm_mark_v2(mark, EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, digest, sig,
			 EXECMARK_MAX_SIG + 1);
	EXPECT_EQ(-1, setxattr(DIR "/a/true", EXECMARK_XATTR_NAME, mark, len, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Unknown flags, unknown kinds, a verity algorithm on content. */
	len = xm_mark_v2(mark, EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, digest, NULL, 0);
	mark[3] = 0x02;
	EXPECT_EQ(-1, setxattr(DIR "/a/true", EXECMARK_XATTR_NAME, mark, len, 0));
	mark[3] = 0;
	mark[1] = 3;
	EXPECT_EQ(-1, setxattr(DIR "/a/true", EXECMARK_XATTR_NAME, mark, len, 0));
	mark[1] = EXECMARK_KIND_CONTENT;
	mark[2] = FS_VERITY_HASH_ALG_SHA256;
	EXPECT_EQ(-1, setxattr(DIR "/a/true", EXECMARK_XATTR_NAME, mark, len, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing was set: the file is unmarked. */
	EXPECT_EQ(-EACCES, xm_exec(DIR "/a/true"));
	EXPECT_EVENTS(self->events, "exec", "unmarked", DIR "/a/true");
}

/* Version 1 and both kinds of version 2 marks, side by side. */
TEST_F(sig, v1_and_v2)
{
	ASSERT_EQ(0, xm_mark(DIR "/a/true"));
	ASSERT_EQ(0, xm_mark_signed(DIR "/b/true", EXECMARK_KIND_CONTENT,
				    HASH_ALGO_SHA512, &leaf));
	EXPECT_EQ(0, xm_exec(DIR "/a/true"));
	EXPECT_EQ(0, xm_exec(DIR "/b/true"));
	EXPECT_NO_EVENTS(self->events);

	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "on"));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/a/true"));
	EXPECT_EVENTS(self->events, "exec", "unsigned", DIR "/a/true");
	EXPECT_EQ(0, xm_exec(DIR "/b/true"));
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "off"));
	EXPECT_EQ(0, xm_exec(DIR "/a/true"));

	/* A v2 mark whose content changed after signing: mismatch. */
	ASSERT_EQ(0, xm_append(DIR "/b/true", "x"));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/b/true"));
	EXPECT_EVENTS(self->events, "exec", "mismatch", DIR "/b/true");
}

/* A "bin:" entry of the blacklist revokes the digest, cached or not. */
TEST_F(sig, revoked)
{
	unsigned char digest[64];
	char buf[64];

	ASSERT_EQ(0, xm_mark_signed(DIR "/a/true", EXECMARK_KIND_CONTENT,
				    HASH_ALGO_SHA256, &leaf));
	ASSERT_EQ(0, xm_exec(DIR "/a/true"));	/* cached: trusted */
	ASSERT_EQ(0, xm_digest(DIR "/a/true", EXECMARK_KIND_CONTENT,
			       HASH_ALGO_SHA256, digest));
	/* Root alone cannot revoke: the CA signs blacklist entries. */
	EXPECT_NE(0, xm_revoke(&self_signed, digest, 32));
	EXPECT_EQ(0, xm_exec(DIR "/a/true"));
	ASSERT_EQ(0, xm_revoke(&ca, digest, 32));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/a/true"));
	EXPECT_EVENTS(self->events, "exec", "revoked", DIR "/a/true");
	/* The same digest under a v1 mark: revoked too. */
	ASSERT_EQ(0, xm_mark(DIR "/a/true"));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/a/true"));
	EXPECT_EVENTS(self->events, "exec", "revoked", DIR "/a/true");
	ASSERT_EQ(0, xm_read(XM_SECFS "require_signed", buf, sizeof(buf)));
	EXPECT_STREQ("off\n", buf);
}

/*
 * Verified signatures are cached by their exact bytes: after the marks of
 * DIR/a/true and DIR/b/true, signed by the enrolled leaf key, were verified,
 * another signature in the mark of DIR/a/true with the same digest is
 * verified on its own: the same key's signature carrying its certificate
 * (other bytes, valid) runs; one by a key not in .execmark, one tampered
 * with, and DIR/b/true's cached signature replayed over DIR/a/true's digest
 * are "bad-signature". Only the same mark written again is a cache hit, and
 * it still is after the others.
 */
enum resign { SAME, WITH_CERT, BY_OTHER, TAMPERED, REPLAYED };

FIXTURE(sigcache) {
	int events;
};

FIXTURE_VARIANT(sigcache) {
	enum resign how;
	const char *reason;	/* NULL: allowed */
};

FIXTURE_VARIANT_ADD(sigcache, same) { .how = SAME };
FIXTURE_VARIANT_ADD(sigcache, with_cert) { .how = WITH_CERT };
FIXTURE_VARIANT_ADD(sigcache, other_key) { .how = BY_OTHER, .reason = "bad-signature" };
FIXTURE_VARIANT_ADD(sigcache, tampered) { .how = TAMPERED, .reason = "bad-signature" };
FIXTURE_VARIANT_ADD(sigcache, replayed) { .how = REPLAYED, .reason = "bad-signature" };

FIXTURE_SETUP(sigcache)
{
	dirs_setup(_metadata, &self->events);
}

FIXTURE_TEARDOWN(sigcache)
{
	dirs_teardown(self->events);
}

TEST_F(sigcache, exact)
{
	const int kind = EXECMARK_KIND_CONTENT, algo = HASH_ALGO_SHA256;
	unsigned char first[EXECMARK_V2_MAX_SIZE], mark[EXECMARK_V2_MAX_SIZE];
	unsigned char da[64], db[64], sig[EXECMARK_MAX_SIG];
	long long checks, fails, hits;
	ssize_t flen;
	size_t len;
	int n = -1;

	ASSERT_EQ(0, xm_mark_signed(DIR "/a/true", kind, algo, &leaf));
	ASSERT_EQ(0, xm_mark_signed(DIR "/b/true", kind, algo, &leaf));
	ASSERT_EQ(0, xm_exec(DIR "/a/true"));
	ASSERT_EQ(0, xm_exec(DIR "/b/true"));
	flen = getxattr(DIR "/a/true", EXECMARK_XATTR_NAME, first, sizeof(first));
	ASSERT_LT(0, flen);
	ASSERT_EQ(0, xm_digest(DIR "/a/true", kind, algo, da));
	ASSERT_EQ(0, xm_digest(DIR "/b/true", kind, algo, db));
	switch (variant->how) {
	case SAME:
		n = xm_sign_mark(&leaf, kind, algo, da, 32, sig, sizeof(sig));
		break;
	case WITH_CERT:
		n = xm_sign_mark_cert(&leaf, kind, algo, da, 32, sig, sizeof(sig), 1);
		break;
	case BY_OTHER:
		n = xm_sign_mark(&other, kind, algo, da, 32, sig, sizeof(sig));
		break;
	case TAMPERED:
		n = xm_sign_mark(&leaf, kind, algo, da, 32, sig, sizeof(sig));
		if (n > 0)
			sig[n - 1] ^= 0x01;	/* the RSA signature's last byte */
		break;
	case REPLAYED:
		n = xm_sign_mark(&leaf, kind, algo, db, 32, sig, sizeof(sig));
		break;
	}
	ASSERT_LT(0, n);
	len = xm_mark_v2(mark, kind, algo, da, sig, n);
	if (variant->how == SAME) {
		/* The same bytes, whether or not signing is deterministic. */
		memcpy(mark, first, flen);
		len = flen;
	}

	checks = xm_stat("sig_checks");
	fails = xm_stat("sig_failures");
	hits = xm_stat("sig_cache_hits");
	ASSERT_EQ(0, setxattr(DIR "/a/true", EXECMARK_XATTR_NAME, mark, len, 0));
	if (!variant->reason) {
		EXPECT_EQ(0, xm_exec(DIR "/a/true"));
		EXPECT_NO_EVENTS(self->events);
	} else {
		EXPECT_EQ(-EACCES, xm_exec(DIR "/a/true"));
		EXPECT_EVENTS(self->events, "exec", variant->reason, DIR "/a/true");
	}
	EXPECT_EQ(checks + (variant->how == SAME ? 0 : 1), xm_stat("sig_checks"));
	EXPECT_EQ(fails + (variant->reason ? 1 : 0), xm_stat("sig_failures"));
	EXPECT_EQ(hits + (variant->how == SAME ? 1 : 0), xm_stat("sig_cache_hits"));

	/* The first mark again: still found verified. */
	checks = xm_stat("sig_checks");
	hits = xm_stat("sig_cache_hits");
	ASSERT_EQ(0, setxattr(DIR "/a/true", EXECMARK_XATTR_NAME, first, flen, 0));
	EXPECT_EQ(0, xm_exec(DIR "/a/true"));
	EXPECT_NO_EVENTS(self->events);
	EXPECT_EQ(checks, xm_stat("sig_checks"));
	EXPECT_EQ(hits + 1, xm_stat("sig_cache_hits"));
}

/*
 * A key withdrawn from .execmark takes its signatures' verdicts with it at
 * once: unlinked, revoked, invalidated, expired, or its certificate on the
 * blacklist (a "tbs:" entry; it fails signatures that carry the
 * certificate). And its cached verifications: the same mark written again
 * is verified again, and fails. A digest put on the blacklist ("bin:")
 * after its signature was cached is "revoked". The key is held in the
 * process keyring too, so that this process may revoke it (a key in
 * .execmark alone is not possessed by anyone).
 */
enum withdraw { UNLINK, REVOKE, INVALIDATE, EXPIRE, BLACKLIST_CERT, BLACKLIST_DIGEST };

FIXTURE(keychange) {
	int events;
	const struct xm_signer *s;
	long id;
};

FIXTURE_VARIANT(keychange) {
	enum withdraw how;
	const char *reason;	/* NULL: "bad-signature" */
};

FIXTURE_VARIANT_ADD(keychange, unlink) { .how = UNLINK };
FIXTURE_VARIANT_ADD(keychange, revoke) { .how = REVOKE };
FIXTURE_VARIANT_ADD(keychange, invalidate) { .how = INVALIDATE };
FIXTURE_VARIANT_ADD(keychange, expire) { .how = EXPIRE };
FIXTURE_VARIANT_ADD(keychange, blacklist_cert) { .how = BLACKLIST_CERT };
FIXTURE_VARIANT_ADD(keychange, blacklist_digest) {
	.how = BLACKLIST_DIGEST, .reason = "revoked",
};

FIXTURE_SETUP(keychange)
{
	unsigned char *der = NULL;
	int len;

	ASSERT_EQ(0, keys_ready) TH_LOG("test CA, leaf keys or .execmark missing");
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, mkdir(DIR "/a", 0755));
	ASSERT_EQ(0, mkdir(DIR "/b", 0755));
	ASSERT_EQ(0, xm_unique_true(DIR "/a/true"));
	ASSERT_EQ(0, xm_unique_true(DIR "/b/true"));
	self->s = &withdrawn[variant->how];
	len = i2d_X509(self->s->cert, &der);
	ASSERT_LT(0, len);
	self->id = syscall(SYS_add_key, "asymmetric", "", der, len,
			   KEY_SPEC_PROCESS_KEYRING);
	OPENSSL_free(der);
	ASSERT_LT(0, self->id) TH_LOG("add_key: %s", strerror(errno));
	ASSERT_EQ(0, syscall(SYS_keyctl, KEYCTL_LINK, self->id, xm_keyring(".execmark")));
	self->events = xm_events_open();
	ASSERT_LE(0, self->events);
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "off"));
	ASSERT_EQ(0, xm_set_mode("enforce"));
}

FIXTURE_TEARDOWN(keychange)
{
	xm_set_mode("permissive");
	syscall(SYS_keyctl, KEYCTL_UNLINK, self->id, xm_keyring(".execmark"));
	close(self->events);
	umount2(DIR, MNT_DETACH);
}

TEST_F(keychange, denied_at_once)
{
	const char *reason = variant->reason ?: "bad-signature";
	long kr = xm_keyring(".execmark");
	unsigned char digest[64];
	long long checks, hits;

	ASSERT_EQ(0, xm_mark_signed_cert(DIR "/a/true", EXECMARK_KIND_CONTENT,
					 HASH_ALGO_SHA256, self->s,
					 variant->how == BLACKLIST_CERT));
	ASSERT_EQ(0, xm_mark_signed(DIR "/b/true", EXECMARK_KIND_CONTENT,
				    HASH_ALGO_SHA256, &leaf));
	ASSERT_EQ(0, xm_exec(DIR "/a/true"));
	ASSERT_EQ(0, xm_exec(DIR "/b/true"));
	/* Cached: the signature is not verified again. */
	checks = xm_stat("sig_checks");
	ASSERT_EQ(0, xm_exec(DIR "/a/true"));
	ASSERT_EQ(checks, xm_stat("sig_checks"));
	/* Written again: found verified, not verified again. */
	hits = xm_stat("sig_cache_hits");
	ASSERT_EQ(0, xm_remark(DIR "/a/true"));
	ASSERT_EQ(0, xm_exec(DIR "/a/true"));
	ASSERT_EQ(checks, xm_stat("sig_checks"));
	ASSERT_EQ(hits + 1, xm_stat("sig_cache_hits"));
	EXPECT_NO_EVENTS(self->events);

	switch (variant->how) {
	case UNLINK:
		ASSERT_EQ(0, syscall(SYS_keyctl, KEYCTL_UNLINK, self->id, kr));
		break;
	case REVOKE:
		ASSERT_EQ(0, syscall(SYS_keyctl, KEYCTL_REVOKE, self->id));
		break;
	case INVALIDATE:
		ASSERT_EQ(0, syscall(SYS_keyctl, KEYCTL_INVALIDATE, self->id));
		break;
	case EXPIRE:
		ASSERT_EQ(0, syscall(SYS_keyctl, KEYCTL_SET_TIMEOUT, self->id, 2));
		/* Not yet expired: still the cached verdict. */
		EXPECT_EQ(0, xm_exec(DIR "/a/true"));
		EXPECT_NO_EVENTS(self->events);
		sleep(3);
		break;
	case BLACKLIST_CERT:
		ASSERT_EQ(0, xm_revoke_cert(&ca, self->s->cert));
		break;
	case BLACKLIST_DIGEST:
		ASSERT_EQ(0, xm_digest(DIR "/a/true", EXECMARK_KIND_CONTENT,
				       HASH_ALGO_SHA256, digest));
		ASSERT_EQ(0, xm_revoke(&ca, digest, 32));
		break;
	}
	/* No reboot, no change of the file or its mark: denied now. */
	EXPECT_EQ(-EACCES, xm_exec(DIR "/a/true"));
	EXPECT_EVENTS(self->events, "exec", reason, DIR "/a/true");
	EXPECT_EQ(-EACCES, xm_mmap_exec(DIR "/a/true"));
	EXPECT_EQ(-EACCES, xm_mprotect_exec(DIR "/a/true"));
	xm_events_read(self->events, (char[4096]){}, 4096);
	/* Signatures by another key are judged again, and still run. */
	EXPECT_EQ(0, xm_exec(DIR "/b/true"));
	EXPECT_NO_EVENTS(self->events);
	/* The next check of the same file is a cache hit again. */
	checks = xm_stat("sig_checks");
	EXPECT_EQ(-EACCES, xm_exec(DIR "/a/true"));
	EXPECT_EQ(0, xm_exec(DIR "/b/true"));
	EXPECT_EQ(checks, xm_stat("sig_checks"));
	xm_events_read(self->events, (char[4096]){}, 4096);
	/*
	 * Written again: the verification cached before the withdrawal is
	 * not used; verified again, it fails (a revoked digest is not
	 * verified at all).
	 */
	hits = xm_stat("sig_cache_hits");
	ASSERT_EQ(0, xm_remark(DIR "/a/true"));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/a/true"));
	EXPECT_EVENTS(self->events, "exec", reason, DIR "/a/true");
	EXPECT_EQ(checks + (variant->how == BLACKLIST_DIGEST ? 0 : 1),
		  xm_stat("sig_checks"));
	EXPECT_EQ(hits, xm_stat("sig_cache_hits"));
}

/* "+sha256:HEX\n" or "-sha256:HEX\n" for @d. */
static void list_line(char *line, char op, const unsigned char *d)
{
	xm_list_line(line, op, d, NULL, 0);
}

/*
 * A listed digest that the blacklist revokes ("bin:", as for marks) is
 * "revoked" at once, though the allow-list still holds it; the list takes
 * it (the blacklist may grow later anyway) and it never runs.
 */
TEST(listed_revoked)
{
	unsigned char d[64];
	char line[80];
	int events;

	ASSERT_EQ(0, keys_ready);
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, mkdir(DIR "/r", 0755));
	ASSERT_EQ(0, xm_unique_true(DIR "/r/true"));
	ASSERT_EQ(0, xm_digest(DIR "/r/true", EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, d));
	list_line(line, '+', d);
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	events = xm_events_open();
	ASSERT_LE(0, events);
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "off"));
	ASSERT_EQ(0, xm_set_mode("enforce"));
	EXPECT_EQ(0, xm_exec(DIR "/r/true"));	/* listed, cached */
	EXPECT_NO_EVENTS(events);
	ASSERT_EQ(0, xm_revoke(&ca, d, 32));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/r/true"));
	EXPECT_EVENTS(events, "exec", "revoked", DIR "/r/true");
	/* Added again while revoked: taken, and still denied. */
	EXPECT_EQ(0, xm_write(XM_SECFS "digests", line));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/r/true"));
	EXPECT_EVENTS(events, "exec", "revoked", DIR "/r/true");
	xm_set_mode("permissive");
	line[0] = '-';
	EXPECT_EQ(0, xm_write(XM_SECFS "digests", line));
	EXPECT_EQ(0, xm_write(XM_SECFS "digests", line));
	close(events);
	umount2(DIR, MNT_DETACH);
}

/*
 * Signed entries of the digest allow-list: a line that carries the
 * signature a signed v2 content mark of the digest carries. Verified when
 * written; under require_signed only signed entries make a file "listed".
 * A write with a signature that does not verify -- over another digest, by
 * a key not in .execmark, cut short, on a removal -- is refused whole.
 */
TEST(listed_signed)
{
	char line[XM_LIST_LINE_MAX], bad[XM_LIST_LINE_MAX], both[2 * XM_LIST_LINE_MAX];
	char list[65536], hex[65];
	unsigned char d[64];
	long long checks;
	unsigned int i;
	int events;

	ASSERT_EQ(0, keys_ready);
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, mkdir(DIR "/signed", 0755));
	ASSERT_EQ(0, mkdir(DIR "/plain", 0755));
	ASSERT_EQ(0, mkdir(DIR "/later", 0755));
	ASSERT_EQ(0, mkdir(DIR "/refused", 0755));
	ASSERT_EQ(0, xm_unique_true(DIR "/signed/true"));
	ASSERT_EQ(0, xm_unique_true(DIR "/plain/true"));
	ASSERT_EQ(0, xm_unique_true(DIR "/later/true"));
	ASSERT_EQ(0, xm_unique_true(DIR "/refused/true"));
	ASSERT_EQ(0, xm_digest(DIR "/refused/true", EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, d));
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);

	/* Refused at write time, with whatever else the write held. */
	ASSERT_EQ(0, xm_signed_line(line, DIR "/plain/true", NULL, NULL));
	ASSERT_EQ(0, xm_signed_line(bad, DIR "/refused/true", &leaf, DIR "/plain/true"));
	snprintf(both, sizeof(both), "%s%s", line, bad);
	EXPECT_EQ(-EKEYREJECTED, xm_write(XM_SECFS "digests", both));
	ASSERT_EQ(0, xm_signed_line(bad, DIR "/refused/true", &other, NULL));
	EXPECT_EQ(-EKEYREJECTED, xm_write(XM_SECFS "digests", bad));
	ASSERT_EQ(0, xm_signed_line(bad, DIR "/refused/true", &self_signed, NULL));
	EXPECT_EQ(-EKEYREJECTED, xm_write(XM_SECFS "digests", bad));
	ASSERT_EQ(0, xm_signed_line(bad, DIR "/refused/true", &ca, NULL));
	EXPECT_EQ(-EKEYREJECTED, xm_write(XM_SECFS "digests", bad));
	ASSERT_EQ(0, xm_signed_line(bad, DIR "/refused/true", &leaf, NULL));
	strcpy(strchr(bad, ' ') + 105, "\n");	/* cut short */
	EXPECT_EQ(-EKEYREJECTED, xm_write(XM_SECFS "digests", bad));
	strcpy(strchr(bad, ' ') + 104, "\n");	/* half a byte */
	EXPECT_EQ(-EINVAL, xm_write(XM_SECFS "digests", bad));
	strcpy(strchr(bad, ' '), " sig:\n");
	EXPECT_EQ(-EINVAL, xm_write(XM_SECFS "digests", bad));
	ASSERT_EQ(0, xm_signed_line(bad, DIR "/refused/true", &leaf, NULL));
	bad[0] = '-';
	EXPECT_EQ(-EINVAL, xm_write(XM_SECFS "digests", bad));
	ASSERT_EQ(0, xm_read(XM_SECFS "digests", list, sizeof(list)));
	EXPECT_EQ(NULL, strstr(list, hex));
	ASSERT_EQ(0, xm_digest(DIR "/plain/true", EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, d));
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	EXPECT_EQ(NULL, strstr(list, hex));

	/* Signed and unsigned entries; the list says which is which. */
	ASSERT_EQ(0, xm_signed_line(line, DIR "/signed/true", &leaf, NULL));
	checks = xm_stat("sig_checks");
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	EXPECT_EQ(checks + 1, xm_stat("sig_checks"));
	ASSERT_EQ(0, xm_signed_line(line, DIR "/plain/true", NULL, NULL));
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	ASSERT_EQ(0, xm_signed_line(line, DIR "/later/true", NULL, NULL));
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	ASSERT_EQ(0, xm_read(XM_SECFS "digests", list, sizeof(list)));
	ASSERT_NE(NULL, strstr(list, hex));
	EXPECT_EQ(0, strncmp(strstr(list, hex) + 64, " 1\n", 3));	/* plain */
	ASSERT_EQ(0, xm_digest(DIR "/signed/true", EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, d));
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	ASSERT_NE(NULL, strstr(list, hex));
	EXPECT_EQ(0, strncmp(strstr(list, hex) + 64, " 1 signed\n", 10));
	ASSERT_EQ(0, xm_digest(DIR "/plain/true", EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, d));

	events = xm_events_open();
	ASSERT_LE(0, events);
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "off"));
	ASSERT_EQ(0, xm_set_mode("enforce"));
	EXPECT_EQ(0, xm_exec(DIR "/signed/true"));
	EXPECT_EQ(0, xm_exec(DIR "/plain/true"));
	EXPECT_EQ(0, xm_exec(DIR "/later/true"));
	EXPECT_NO_EVENTS(events);
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "on"));
	EXPECT_EQ(0, xm_exec(DIR "/signed/true"));
	EXPECT_EQ(0, xm_mmap_exec(DIR "/signed/true"));
	EXPECT_NO_EVENTS(events);
	EXPECT_EQ(-EACCES, xm_exec(DIR "/plain/true"));
	EXPECT_EVENTS(events, "exec", "unsigned", DIR "/plain/true");
	EXPECT_EQ(-EACCES, xm_exec(DIR "/later/true"));
	EXPECT_EVENTS(events, "exec", "unsigned", DIR "/later/true");
	/* An unsigned entry that a signed line adds to becomes signed. */
	ASSERT_EQ(0, xm_signed_line(line, DIR "/later/true", &leaf, NULL));
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	EXPECT_EQ(0, xm_exec(DIR "/later/true"));
	EXPECT_NO_EVENTS(events);
	/* Signed until its last reference leaves the list. */
	ASSERT_EQ(0, xm_signed_line(line, DIR "/later/true", NULL, NULL));
	line[0] = '-';
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	EXPECT_EQ(0, xm_exec(DIR "/later/true"));
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/later/true"));
	EXPECT_EVENTS(events, "exec", "unmarked", DIR "/later/true");
	line[0] = '+';
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/later/true"));
	EXPECT_EVENTS(events, "exec", "unsigned", DIR "/later/true");

	xm_set_mode("permissive");
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "off"));
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", xm_list_line(line, '-', d, NULL, 0)));
	ASSERT_EQ(0, xm_signed_line(line, DIR "/signed/true", NULL, NULL));
	line[0] = '-';
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	ASSERT_EQ(0, xm_signed_line(line, DIR "/later/true", NULL, NULL));
	line[0] = '-';
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	close(events);
	umount2(DIR, MNT_DETACH);
}

/* An unsigned entry of the digest allow-list: under require_signed, no. */
TEST_F(sig, listed_unsigned)
{
	unsigned char d[64];
	char line[80];
	unsigned int i;

	ASSERT_EQ(0, xm_digest(DIR "/a/true", EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256, d));
	strcpy(line, "+sha256:");
	for (i = 0; i < 32; i++)
		sprintf(line + 8 + 2 * i, "%02x", d[i]);
	strcat(line, "\n");
	ASSERT_EQ(0, xm_write(XM_SECFS "digests", line));
	EXPECT_EQ(0, xm_exec(DIR "/a/true"));	/* unmarked, listed */
	EXPECT_NO_EVENTS(self->events);
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "on"));
	EXPECT_EQ(-EACCES, xm_exec(DIR "/a/true"));
	EXPECT_EVENTS(self->events, "exec", "unsigned", DIR "/a/true");
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "off"));
	EXPECT_EQ(0, xm_exec(DIR "/a/true"));
	line[0] = '-';
	EXPECT_EQ(0, xm_write(XM_SECFS "digests", line));
}

/* require_signed needs CAP_MAC_ADMIN; takes off, on and locked only. */
TEST_F(sig, require_signed_file)
{
	char buf[64];
	pid_t pid;
	int status;

	EXPECT_EQ(-EINVAL, xm_write(XM_SECFS "require_signed", "1"));
	EXPECT_EQ(-EINVAL, xm_write(XM_SECFS "require_signed", "yes"));
	EXPECT_EQ(-EINVAL, xm_write(XM_SECFS "require_signed", "on\n\n"));
	ASSERT_EQ(0, xm_write(XM_SECFS "require_signed", "on\n"));
	ASSERT_EQ(0, xm_read(XM_SECFS "require_signed", buf, sizeof(buf)));
	EXPECT_STREQ("on\n", buf);
	pid = fork();
	if (!pid) {
		if (xm_drop_cap(CAP_MAC_ADMIN))
			_exit(100);
		_exit(-xm_write(XM_SECFS "require_signed", "off"));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
	ASSERT_EQ(0, xm_read(XM_SECFS "require_signed", buf, sizeof(buf)));
	EXPECT_STREQ("on\n", buf);
	EXPECT_EQ(0, xm_write(XM_SECFS "require_signed", "off"));
}

TEST_HARNESS_MAIN
