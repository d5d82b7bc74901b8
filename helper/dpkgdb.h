/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: what the apt and dpkg verbs share (dpkgdb.c): the
 * package records under /var/lib/execmark/dpkg/, dpkg's status and
 * diversions, the kernel's digest list, and the verified apt indexes.
 */
#ifndef EXECMARK_DPKGDB_H
#define EXECMARK_DPKGDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "deb.h"

/* One file of a package record: content digest and path. */
struct rec_file {
	unsigned char digest[DEB_DIGEST_SIZE];
	char *path;		/* absolute, as installed (before diversions) */
};

/*
 * A package record: what apt-prepare read from a .deb apt verified, kept
 * as pending/<deb-sha256> until dpkg unpacked it, then as
 * info/<package>:<arch>.{sha256sums,status}.
 */
struct rec {
	char *package, *version, *arch, *multiarch;
	char *source;		/* "verified" or "local" */
	char deb_sha256[2 * DEB_DIGEST_SIZE + 1];
	char boot[64];		/* boot_id when the digests were loaded */
	bool loaded;		/* its digests were put on the kernel's list */
	bool python;		/* installed record: Python files prepared */
	struct rec_file *files;	/* data files, then the maintainer scripts */
	size_t nfiles;
	char *file;		/* the record's file name, for messages */
};

/* dpkg's view of a package (dpkg-query). */
struct pkg_status {
	char *package, *arch, *version, *state;
};

struct dpkg_view {
	struct pkg_status *pkgs;
	size_t npkgs;
	/* /var/lib/dpkg/diversions: from, to, by (package or ":" for local) */
	char **div;
	size_t ndiv;
};

const char *dpkg_root(void);
const char *dpkg_admindir(void);
char *state_path(const char *name);
char *root_path(const char *path);
int state_lock(void);
const char *boot_id(void);

int rec_from_deb(struct rec *r, const struct deb *d, const char *source);
int rec_write(const struct rec *r, const char *path, bool pending);
int rec_read(struct rec *r, const char *path, bool pending);
void rec_free(struct rec *r);
char *rec_key(const struct rec *r);
char **list_dir(const char *dir, const char *suffix, size_t *n);

int dpkg_view_read(struct dpkg_view *v);
void dpkg_view_free(struct dpkg_view *v);
const struct pkg_status *dpkg_find(const struct dpkg_view *v, const char *package,
				   const char *arch);
bool state_unpacked(const char *state);
const char *divert(const struct dpkg_view *v, const char *path, const char *package);

bool digests_available(void);
int digests_add(const struct rec *r);
int digests_remove(const struct rec *r);

int apt_find_verified(const unsigned char (*want)[DEB_DIGEST_SIZE], size_t n,
		      bool *found);

/* The input of apt's DPkg::Pre-Install-Pkgs hook (aptprepare.c). */
struct apt_hook {
	unsigned int version;	/* of the protocol: 1, 2 or 3 */
	bool trust_local;	/* Execmark::Trust-Local */
	char **debs;		/* the .deb files to be unpacked, in order */
	size_t ndebs;
};

int apt_hook_parse(char *buf, size_t len, struct apt_hook *h, char **err);
void apt_hook_free(struct apt_hook *h);

/* dpkgapply.c: records of unpacked packages installed, stale ones dropped. */
int dpkg_settle(bool in_transaction, bool verbose);
int apply_marks(const struct dpkg_view *v, const struct rec *r, unsigned long *marked,
		unsigned long *unmarked);

#endif /* EXECMARK_DPKGDB_H */
