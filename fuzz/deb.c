// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz harness "deb": the .deb reader of apt-prepare (deb_read(),
 * helper/deb.c, on libarchive) and the parser of apt's hook input
 * (apt_hook_parse(), helper/aptprepare.c). The first byte of the input
 * chooses: 'V' (or anything but 0x00-0x0f) the hook input, else a .deb of
 * the bytes that follow.
 *
 * Properties of a .deb read without error: the SHA-256 reported is that
 * of the input; every data file's path is absolute, with no empty, "." or
 * ".." component, and no two are the same; at most DEB_MAX_FILES files and
 * DEB_MAX_CONTROL control files, whose names have no '/'; name, version and
 * architecture are there and hold no blank. An error comes with a message
 * naming the file. Of the hook input: every .deb named is absolute and
 * named once.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "deb.h"
#include "dpkgdb.h"
#include "fuzz.h"
#include "util.h"

static int fd;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd = memfd_create("deb", MFD_CLOEXEC);
	fuzz_assert(fd >= 0, "memfd_create: %s", strerror(errno));
	return 0;
}

static void check_path(const char *p)
{
	fuzz_assert(p[0] == '/', "a relative path: %s", p);
	fuzz_assert(!strstr(p, "//") && !strstr(p, "/./") && !strstr(p, "/../"),
		    "an empty, . or .. component: %s", p);
	size_t l = strlen(p);

	fuzz_assert(l == 1 || (strcmp(p + l - 2, "/.") && strcmp(p + l - 3, "/..") &&
			       p[l - 1] != '/'), "a path ending oddly: %s", p);
}

static void check_deb(const uint8_t *data, size_t size)
{
	unsigned char md[DEB_DIGEST_SIZE];
	unsigned int mdlen;
	struct deb d;
	char *err = NULL;
	size_t off = 0;

	fuzz_assert(!ftruncate(fd, 0), "ftruncate: %s", strerror(errno));
	while (off < size) {
		ssize_t n = pwrite(fd, data + off, size - off, off);

		fuzz_assert(n > 0, "pwrite: %s", strerror(errno));
		off += n;
	}
	fuzz_assert(lseek(fd, 0, SEEK_SET) == 0, "lseek");
	if (deb_read(fd, "fuzz.deb", &d, &err)) {
		fuzz_assert(err && !strncmp(err, "fuzz.deb: ", 10), "an error without a message");
		free(err);
		deb_free(&d);
		return;
	}
	fuzz_assert(!err, "a message without an error");
	fuzz_assert(EVP_Digest(data, size, md, &mdlen, EVP_sha256(), NULL), "SHA-256");
	fuzz_assert(!memcmp(md, d.sha256, sizeof(md)) && d.size == size,
		    "the .deb's SHA-256 is not that of its bytes");
	fuzz_assert(d.package && d.version && d.arch, "a field missing");
	fuzz_assert(!strpbrk(d.package, " \t\n") && !strpbrk(d.version, " \t\n") &&
		    !strpbrk(d.arch, " \t\n"), "a blank in a field");
	fuzz_assert(d.nfiles <= DEB_MAX_FILES && d.ncontrol <= DEB_MAX_CONTROL, "too many");
	for (size_t i = 0; i < d.nfiles; i++) {
		check_path(d.files[i].path);
		for (size_t k = 0; k < i; k++)
			fuzz_assert(strcmp(d.files[i].path, d.files[k].path), "a path twice");
	}
	for (size_t i = 0; i < d.ncontrol; i++)
		fuzz_assert(!strchr(d.control[i].path, '/') && *d.control[i].path,
			    "a control name with '/'");
	deb_free(&d);
}

static void check_hook(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *err = NULL;
	struct apt_hook h;

	memcpy(buf, data, size);
	buf[size] = '\0';
	if (apt_hook_parse(buf, size, &h, &err)) {
		fuzz_assert(err && !strncmp(err, "line ", 5), "an error without a message");
		free(err);
	} else {
		for (size_t i = 0; i < h.ndebs; i++) {
			fuzz_assert(h.debs[i][0] == '/', "a relative .deb name");
			for (size_t k = 0; k < i; k++)
				fuzz_assert(strcmp(h.debs[i], h.debs[k]), "a .deb twice");
		}
	}
	apt_hook_free(&h);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] < 0x10)
		check_deb(data + 1, size - 1);
	else
		check_hook(data, size);
	return 0;
}
