/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: reading a Debian binary package (.deb) with libarchive
 * (deb.c): the SHA-256 of every regular file of data.tar and of every file
 * of control.tar, the package's name, version and architecture, and the
 * SHA-256 of the .deb itself, all from one pass over its bytes.
 */
#ifndef EXECMARK_DEB_H
#define EXECMARK_DEB_H

#include <stdint.h>
#include <sys/types.h>

#define DEB_DIGEST_SIZE	32		/* SHA-256 */
/* Bounds on what a .deb may hold: anything beyond is refused, not cut. */
#define DEB_MAX_FILES	200000		/* entries of data.tar */
#define DEB_MAX_CONTROL	64		/* entries of control.tar */
#define DEB_MAX_PATH	4096		/* bytes of a name */
#define DEB_MAX_CONTROL_FILE (1u << 20)	/* bytes of the control file */

/* A file of the package: its path ("/usr/bin/x") or control member name. */
struct deb_file {
	char *path;
	unsigned char digest[DEB_DIGEST_SIZE];
	mode_t mode;
	uint64_t size;
};

struct deb {
	char *package, *version, *arch, *multiarch;	/* control's fields */
	unsigned char sha256[DEB_DIGEST_SIZE];	/* of the .deb's bytes */
	uint64_t size;
	struct deb_file *files;		/* regular files of data.tar */
	size_t nfiles;
	struct deb_file *control;	/* files of control.tar: "postinst" */
	size_t ncontrol;
};

int deb_read(int fd, const char *name, struct deb *d, char **err);
void deb_free(struct deb *d);
const char *deb_control_field(const char *control, size_t len,
			      const char *field, size_t *vlen);
int deb_normalize_path(const char *in, char *out, size_t outsize);

#endif /* EXECMARK_DEB_H */
