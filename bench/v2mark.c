// SPDX-License-Identifier: GPL-2.0
/*
 * v2mark: format version 2 marks for the benchmark (vm-bench.sh, v2.sh).
 *
 *   v2mark enrol DIR             a signing key and a certificate that the
 *                                test CA issues (DIR/leaf.key, leaf.pem),
 *                                enrolled in the .execmark keyring
 *   v2mark verity FILE...        enable fs-verity (SHA-256)
 *   v2mark mark content|verity [-s DIR] FILE...
 *                                write a v2 mark (SHA-256), signed with
 *                                DIR's key with -s
 *   v2mark touch FILE...         write each file's mark again, unchanged:
 *                                a new mark generation, so the kernel
 *                                judges it afresh at the next access
 *   v2mark rsaverify DIR N       N verifications of a signature by DIR's
 *                                key with the kernel's copy of its
 *                                certificate (keyctl KEYCTL_PKEY_VERIFY,
 *                                on a process keyring): prints the
 *                                mean guest nanoseconds of one, the public
 *                                key operation alone, without PKCS#7
 *
 * It uses the selftests' helpers (selftests/execmark/sig.h) and the test
 * CA's key, which only the test initramfs holds.
 */
#define _GNU_SOURCE
#include <linux/keyctl.h>
#include <sys/ioctl.h>
#include <time.h>

#include "sig.h"

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "v2mark: %s: %s\n", what, path);
	return 1;
}

static int save(const struct xm_signer *s, const char *dir)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/leaf.key", dir);
	f = fopen(path, "we");
	if (!f)
		return fail("cannot write", path);
	ok = PEM_write_PrivateKey(f, s->key, NULL, NULL, 0, NULL, NULL);
	if (fclose(f) || !ok)
		return fail("cannot write", path);
	snprintf(path, sizeof(path), "%s/leaf.pem", dir);
	f = fopen(path, "we");
	if (!f)
		return fail("cannot write", path);
	ok = PEM_write_X509(f, s->cert);
	if (fclose(f) || !ok)
		return fail("cannot write", path);
	return 0;
}

static int load(struct xm_signer *s, const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/leaf.key", dir);
	f = fopen(path, "re");
	if (!f)
		return fail("cannot read", path);
	s->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	snprintf(path, sizeof(path), "%s/leaf.pem", dir);
	f = fopen(path, "re");
	if (!f)
		return fail("cannot read", path);
	s->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	return s->key && s->cert ? 0 : fail("not a key and certificate", dir);
}

static int enable(const char *path)
{
	struct fsverity_enable_arg arg = {
		.version = 1, .hash_algorithm = FS_VERITY_HASH_ALG_SHA256,
		.block_size = 4096,
	};
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return fail(strerror(errno), path);
	ret = ioctl(fd, FS_IOC_ENABLE_VERITY, &arg);
	close(fd);
	return ret && errno != EEXIST ? fail(strerror(errno), path) : 0;
}

static int touch(const char *path)
{
	unsigned char mark[EXECMARK_V2_MAX_SIZE];
	ssize_t n = getxattr(path, EXECMARK_XATTR_NAME, mark, sizeof(mark));

	if (n < 0 || setxattr(path, EXECMARK_XATTR_NAME, mark, n, 0))
		return fail(strerror(errno), path);
	return 0;
}

/*
 * The kernel's RSA-2048 verification alone: the share of a signed mark's
 * check that is the public key operation (bench/README).
 */
static int rsaverify(const char *dir, long n)
{
	struct keyctl_pkey_params params = { 0 };
	const char *info = "enc=pkcs1 hash=sha256";
	unsigned char dgst[32], sig[512];
	struct xm_signer leaf = { 0 };
	struct timespec a, b;
	unsigned char *der = NULL;
	long len, i, key;
	size_t slen = sizeof(sig);
	EVP_PKEY_CTX *ctx;

	if (load(&leaf, dir))
		return 1;
	memset(dgst, 0x5a, sizeof(dgst));
	ctx = EVP_PKEY_CTX_new(leaf.key, NULL);
	if (!ctx || EVP_PKEY_sign_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) <= 0 ||
	    EVP_PKEY_sign(ctx, sig, &slen, dgst, sizeof(dgst)) <= 0)
		return fail("cannot sign with", dir);
	EVP_PKEY_CTX_free(ctx);
	/*
	 * The certificate enrolled in .execmark again, on this process's
	 * keyring: a key it possesses may be searched for the verification
	 * (root has no search permission on the .execmark keyring's keys).
	 */
	len = i2d_X509(leaf.cert, &der);
	if (len <= 0)
		return fail("cannot encode the certificate of", dir);
	key = syscall(SYS_add_key, "asymmetric", "", der, len, KEY_SPEC_PROCESS_KEYRING);
	OPENSSL_free(der);
	if (key < 0)
		return fail(strerror(errno), "add_key");
	params.in_len = sizeof(dgst);
	params.in2_len = slen;
	params.key_id = key;
	if (syscall(SYS_keyctl, KEYCTL_PKEY_VERIFY, &params, info, dgst, sig))
		return fail(strerror(errno), "KEYCTL_PKEY_VERIFY");
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		if (syscall(SYS_keyctl, KEYCTL_PKEY_VERIFY, &params, info, dgst, sig))
			return fail(strerror(errno), "KEYCTL_PKEY_VERIFY");
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", ((b.tv_sec - a.tv_sec) * 1000000000LL +
			  b.tv_nsec - a.tv_nsec) / n);
	return 0;
}

int main(int argc, char **argv)
{
	struct xm_signer ca = { 0 }, leaf = { 0 };
	int i = 2, ret = 0, kind;
	const char *dir = NULL;

	if (argc < 3)
		goto usage;
	if (!strcmp(argv[1], "enrol")) {
		long kr = xm_keyring(".execmark");

		if (kr < 0)
			return fail("no keyring", ".execmark");
		if (xm_load_ca(&ca))
			return fail("cannot load the test CA from", XM_KEYS);
		if (xm_make_signer(&leaf, "execmark bench", &ca))
			return fail("cannot make a key", argv[2]);
		if (xm_enrol(&leaf, kr))
			return fail("cannot enrol the key", argv[2]);
		return save(&leaf, argv[2]);
	}
	if (!strcmp(argv[1], "verity")) {
		for (; i < argc; i++)
			ret |= enable(argv[i]);
		return ret;
	}
	if (!strcmp(argv[1], "rsaverify") && argc == 4)
		return rsaverify(argv[2], atol(argv[3]));
	if (!strcmp(argv[1], "touch")) {
		for (; i < argc; i++)
			ret |= touch(argv[i]);
		return ret;
	}
	if (strcmp(argv[1], "mark"))
		goto usage;
	if (!strcmp(argv[2], "content"))
		kind = EXECMARK_KIND_CONTENT;
	else if (!strcmp(argv[2], "verity"))
		kind = EXECMARK_KIND_VERITY;
	else
		goto usage;
	i = 3;
	if (i + 1 < argc && !strcmp(argv[i], "-s")) {
		dir = argv[i + 1];
		i += 2;
		if (load(&leaf, dir))
			return 1;
	}
	for (; i < argc; i++) {
		int algo = kind == EXECMARK_KIND_VERITY ? FS_VERITY_HASH_ALG_SHA256 :
							  HASH_ALGO_SHA256;

		if (xm_mark_signed(argv[i], kind, algo, dir ? &leaf : NULL))
			ret |= fail("cannot mark", argv[i]);
	}
	return ret;
usage:
	fprintf(stderr, "usage: v2mark enrol DIR | verity FILE... | touch FILE... |\n"
		"       rsaverify DIR N |\n"
		"       mark content|verity [-s DIR] FILE...\n");
	return 2;
}
