// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz harness "sig": signed marks as the helper checks them (sig_check(),
 * helper/sign.c, OpenSSL's CMS code) after execmark_mark_parse().
 *
 * At start a throw-away RSA key and certificate are made in memory, and
 * the helper's signer_sign() signs three reference marks with them (format
 * version 2: a content sha256, a verity sha256 and a verity sha512 mark).
 * Each input either edits one of these (its first byte even: 4-byte edits
 * that flip, truncate at, or insert a byte) or is a mark value of its own
 * (odd). Properties:
 *
 * - an unedited reference mark parses and its signature is good (the
 *   harness can tell a good signature at all);
 * - whatever the bytes, a signature sig_check() calls good is over a
 *   message this key signed: the mark's version, kind, algorithm, digest
 *   size and digest are those of a reference mark. No edit of the digest,
 *   kind, algorithm or version survives under a signature;
 * - sig_check() neither crashes nor leaks on any signature bytes (ASan).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "fuzz.h"
#include "sign.h"
#include "xattr.h"

#define NREF	3

static struct mark refs[NREF];
static struct sig_cert *cert;

/* A key and a self-signed certificate, written to @keyf and @certf. */
static void make_key(const char *keyf, const char *certf)
{
	EVP_PKEY *k = EVP_RSA_gen(1024);	/* fast enough to fuzz */
	X509 *x = X509_new();
	X509_NAME *n;
	FILE *f;

	fuzz_assert(k && x, "key generation");
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)"fuzz", -1, -1, 0);
	X509_set_issuer_name(x, n);
	fuzz_assert(X509_sign(x, k, EVP_sha256()), "self-signing");
	f = fopen(keyf, "w");
	fuzz_assert(f && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) &&
		    !fclose(f), "writing %s", keyf);
	f = fopen(certf, "w");
	fuzz_assert(f && PEM_write_X509(f, x) && !fclose(f), "writing %s", certf);
	X509_free(x);
	EVP_PKEY_free(k);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const unsigned int kinds[NREF][2] = {
		{ EXECMARK_KIND_CONTENT, HASH_ALGO_SHA256 },
		{ EXECMARK_KIND_VERITY, FS_VERITY_HASH_ALG_SHA256 },
		{ EXECMARK_KIND_VERITY, FS_VERITY_HASH_ALG_SHA512 },
	};
	char dir[] = "/tmp/execmark-fuzz-sig.XXXXXX", keyf[64], certf[64];
	unsigned char digest[EXECMARK_MAX_DIGEST], sig[EXECMARK_MAX_SIG];
	struct signer *s;
	size_t sig_len;

	(void)argc;
	(void)argv;
	fuzz_assert(mkdtemp(dir), "mkdtemp");
	snprintf(keyf, sizeof(keyf), "%s/key.pem", dir);
	snprintf(certf, sizeof(certf), "%s/cert.pem", dir);
	make_key(keyf, certf);
	s = signer_load(keyf, certf);
	cert = sig_cert_load(certf);
	fuzz_assert(s && cert, "loading the key and certificate");
	unlink(keyf);
	unlink(certf);
	rmdir(dir);
	for (unsigned int i = 0; i < NREF; i++) {
		for (unsigned int k = 0; k < sizeof(digest); k++)
			digest[k] = (unsigned char)(i * 37 + k);
		fuzz_assert(!mark_make(&refs[i], EXECMARK_FORMAT_V2, kinds[i][0],
				       kinds[i][1], digest, NULL, 0) &&
			    !signer_sign(s, &refs[i].p, sig, &sig_len) &&
			    !mark_make(&refs[i], EXECMARK_FORMAT_V2, kinds[i][0],
				       kinds[i][1], digest, sig, sig_len),
			    "signing reference mark %u", i);
	}
	signer_free(s);
	return 0;
}

/* The message of @p is that of a reference mark. */
static bool signed_by_us(const struct execmark_parsed *p)
{
	unsigned char a[EXECMARK_SIG_MSG_MAX], b[EXECMARK_SIG_MSG_MAX];
	unsigned int la = execmark_sig_message(p, a);

	for (unsigned int i = 0; i < NREF; i++)
		if (execmark_sig_message(&refs[i].p, b) == la && !memcmp(a, b, la))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char buf[EXECMARK_V2_MAX_SIZE + 64];
	struct execmark_parsed p;
	const char *why;
	size_t len;

	if (!size)
		return 0;
	if (data[0] & 1) {
		len = size - 1 < sizeof(buf) ? size - 1 : sizeof(buf);
		memcpy(buf, data + 1, len);
	} else {
		const struct mark *r = &refs[data[0] / 2 % NREF];

		memcpy(buf, r->value, r->len);
		len = r->len;
		for (size_t i = 1; i + 4 <= size; i += 4) {
			size_t off = data[i + 1] | (size_t)data[i + 2] << 8;
			uint8_t val = data[i + 3];

			switch (data[i] % 3) {
			case 0:		/* flip bits of a byte */
				if (len)
					buf[off % len] ^= val ? val : 1;
				break;
			case 1:		/* truncate */
				len = len ? off % len : 0;
				break;
			default:	/* insert a byte */
				if (len < sizeof(buf)) {
					off %= len + 1;
					memmove(buf + off + 1, buf + off, len - off);
					buf[off] = val;
					len++;
				}
				break;
			}
		}
		if (size < 5) {		/* no edit: the genuine mark */
			fuzz_assert(!execmark_mark_parse(buf, len, &p) && p.sig_len,
				    "a reference mark does not parse");
			why = sig_check(cert, &p);
			fuzz_assert(!why, "a genuine signature is refused: %s", why);
		}
	}
	if (execmark_mark_parse(buf, len, &p) || !p.sig_len)
		return 0;
	why = sig_check(cert, &p);
	if (!why)
		fuzz_assert(signed_by_us(&p),
			    "a good signature over a message never signed (kind %u algo %u)",
			    p.kind, p.algo);
	return 0;
}
