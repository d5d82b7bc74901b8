// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: the verify subcommand.
 */
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include "cmd.h"
#include "opts.h"
#include "securityfs.h"
#include "sign.h"
#include "util.h"
#include "verity.h"
#include "walk.h"
#include "xattr.h"

enum {
	VERIFY_FAILED,
	VERIFY_CHANGED,
	VERIFY_OK,
	VERIFY_UNMARKED,
	VERIFY_CORRUPT,
	VERIFY_MISMATCH,
	VERIFY_UNVERIFIABLE,
	VERIFY_NOT_EXECUTABLE,
	VERIFY_NOEXEC,
	VERIFY_UNSIGNED,
	VERIFY_BAD_SIGNATURE,
	VERIFY_NOT_VERITY,
	VERIFY_LISTED,
};

static const char *const verify_name[] = {
	[VERIFY_OK] = "ok",
	[VERIFY_UNMARKED] = "unmarked",
	[VERIFY_CORRUPT] = "corrupt",
	[VERIFY_MISMATCH] = "mismatch",
	[VERIFY_UNVERIFIABLE] = "unverifiable",
	[VERIFY_NOT_EXECUTABLE] = "not-executable",
	[VERIFY_NOEXEC] = "noexec",
	[VERIFY_UNSIGNED] = "unsigned",
	[VERIFY_BAD_SIGNATURE] = "bad-signature",
	[VERIFY_NOT_VERITY] = "not-verity",
	[VERIFY_LISTED] = "listed",
};

/* j->what of a job whose signed mark was not checked (no --cert). */
static const char unchecked[] = "unchecked";

/*
 * File systems whose content or marks the kernel does not trust (verdict
 * "unverifiable"): FUSE, and network file systems, which have no block
 * device nor an i_version the kernel keeps itself.
 */
static const unsigned long untrusted_fs[] = {
	0x65735546,		/* FUSE_SUPER_MAGIC */
	NFS_SUPER_MAGIC,
	0xff534d42,		/* CIFS_SUPER_MAGIC */
	SMB2_SUPER_MAGIC,
	V9FS_MAGIC,
	CEPH_SUPER_MAGIC,
	AFS_SUPER_MAGIC,
	AFS_FS_MAGIC,
	CODA_SUPER_MAGIC,
	0x19830326,		/* FHGFS/BeeGFS */
	0x47504653,		/* GPFS */
	0x0bd00bd0,		/* Lustre */
	0x6e667364,		/* NFSD */
	RAMFS_MAGIC,
	0x20030528,		/* ORANGEFS_DEVREQ_MAGIC */
};

/* The devices of the file systems mounted in our mount namespace. */
static dev_t *ns_devs;
static size_t ns_ndevs;
static pthread_once_t ns_once = PTHREAD_ONCE_INIT;

static void read_mountinfo(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0, n = 0;
	unsigned int maj, min;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%*d %*d %u:%u", &maj, &min) != 2)
			continue;
		if (ns_ndevs == n) {
			n = n ? 2 * n : 64;
			ns_devs = xrealloc(ns_devs, n * sizeof(*ns_devs));
		}
		ns_devs[ns_ndevs++] = makedev(maj, min);
	}
	free(line);
	fclose(f);
}

/*
 * Was the tmpfs of @dev mounted in another mount namespace only, e.g.
 * reached through /proc/PID/root? Then it may have been mounted in a user
 * namespace, which the kernel does not trust; we cannot tell which user
 * namespace mounted it, and say unverifiable. (tmpfs is the file system
 * with marks that a user namespace can mount; overlayfs is judged by its
 * layers; disk file systems cannot be mounted in one.)
 */
static bool foreign_tmpfs(dev_t dev)
{
	pthread_once(&ns_once, read_mountinfo);
	if (!ns_devs)
		return false;	/* no /proc: cannot tell */
	for (size_t i = 0; i < ns_ndevs; i++)
		if (ns_devs[i] == dev)
			return false;
	return true;
}

/* An ELF shared object (ET_DYN): mmap(PROT_EXEC) needs no execute permission. */
static bool elf_dyn(int fd)
{
	Elf64_Ehdr eh;

	return pread(fd, &eh, sizeof(eh), 0) >= (ssize_t)EI_NIDENT + 4 &&
	       !memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_type == ET_DYN;
}

/*
 * What the kernel decides before it looks at the mark, in its order: the
 * mount and the permission (refused before execmark is asked), then the
 * file system and the writers. VERIFY_OK if it goes on to the mark.
 */
static int exec_verdict(struct job *j)
{
	struct statvfs sv;
	struct statfs sfs;
	int ret;

	if (!fstatvfs(j->fd, &sv) && (sv.f_flag & ST_NOEXEC))
		return VERIFY_NOEXEC;
	if (!(j->st.st_mode & 0111) && !elf_dyn(j->fd))
		return VERIFY_NOT_EXECUTABLE;
	if (!fstatfs(j->fd, &sfs)) {
		unsigned long magic = (unsigned long)sfs.f_type & 0xffffffffUL;

		for (size_t i = 0; i < ARRAY_SIZE(untrusted_fs); i++)
			if (untrusted_fs[i] == magic)
				return VERIFY_UNVERIFIABLE;
		if (magic == TMPFS_MAGIC && foreign_tmpfs(j->st.st_dev))
			return VERIFY_UNVERIFIABLE;
	}
	/* Open for writing or mapped shared and writable, by anyone. */
	ret = hash_hold_still(j->fd);
	if (ret == -EAGAIN)
		return VERIFY_UNVERIFIABLE;
	j->leased = !ret;
	/*
	 * With the lease, hash_file() sees a writer that comes meanwhile;
	 * without (not our file, no CAP_LEASE) we cannot tell.
	 */
	return VERIFY_OK;
}

/* The running kernel's digest allow-list, sorted by digest. */
struct list_entry {
	unsigned char digest[EXECMARK_SHA256_SIZE];	/* first: cmp_digest() */
	bool is_signed;		/* the entry carries a signature */
};

struct kernel_list {
	struct list_entry *e;
	size_t n;
};

struct verify_ctx {
	bool quiet;
	bool require_signed;		/* --require-signed */
	struct sig_cert *cert;		/* --cert */
	struct kernel_list list;	/* empty without a kernel or access */
	unsigned long count[ARRAY_SIZE(verify_name)], errors, unchecked;
};

/*
 * What the kernel decides about a valid mark @m, in its order
 * (lsm/verify.c, compute()): the digest -- the fs-verity digest, asked of
 * the kernel in O(1), or the content's --, then the signature: an unsigned
 * mark is denied under require_signed; a signed one is checked against
 * --cert, standing for the key in the kernel's .execmark keyring
 * (unchecked without). The kernel's blacklist of digests ("revoked") is
 * not consulted.
 */
static int verify_mark(struct verify_ctx *c, struct job *j,
		       const struct mark *m, unsigned char *buf)
{
	const struct algo *a;
	int ret;

	if (m->p.kind == EXECMARK_KIND_VERITY) {
		ret = verity_measure(j->fd, &a, j->digest);
		if ((ret == -ENOTTY || ret == -EOPNOTSUPP) && verity_statx(j->fd)) {
			/*
			 * fs-verity below a file system that does not pass
			 * the ioctl on (overlayfs), which the kernel reads
			 * from the real inode: computed from the content,
			 * as a tree of 4 KiB blocks without salt.
			 */
			a = mark_algo(&m->p);
			ret = verity_compute(j->fd, a, j->digest);
			if (ret == HASH_CHANGED)
				return VERIFY_CHANGED;
			if (ret) {
				job_fail(j, "read", -ret);
				return VERIFY_FAILED;
			}
		}
		if (ret == -ENODATA || ret == -ENOTTY || ret == -EOPNOTSUPP)
			return VERIFY_NOT_VERITY;
		if (ret) {
			job_fail(j, "measuring fs-verity", -ret);
			return VERIFY_FAILED;
		}
		j->algo = a;
		if (a->id != m->p.algo || memcmp(j->digest, m->p.digest, a->size))
			return VERIFY_MISMATCH;
	} else {
		j->algo = algo_by_id(m->p.algo);
		ret = hash_file(j->fd, j->algo, j->digest, buf, j->leased);
		if (ret < 0) {
			job_fail(j, "read", -ret);
			return VERIFY_FAILED;
		}
		if (ret == HASH_CHANGED)
			return VERIFY_CHANGED;
		if (memcmp(j->digest, m->p.digest, j->algo->size))
			return VERIFY_MISMATCH;
	}
	if (!m->p.sig_len)
		return c->require_signed ? VERIFY_UNSIGNED : VERIFY_OK;
	if (!c->cert) {
		j->what = unchecked;
		return VERIFY_OK;
	}
	j->what = sig_check(c->cert, &m->p);
	return j->what ? VERIFY_BAD_SIGNATURE : VERIFY_OK;
}

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(a, b, EXECMARK_SHA256_SIZE);
}

/*
 * Read the running kernel's digest allow-list (securityfs "digests": lines
 * "sha256:HEX COUNT", and " signed" after a signed entry) into @l. Without
 * a kernel or its list, or without the right to read it (CAP_MAC_ADMIN),
 * @l stays empty: then listed files show as the kernel would judge them
 * without the list, which is said once unless @quiet.
 */
static void kernel_list_load(struct kernel_list *l, bool quiet)
{
	char *path = securityfs_path("digests"), *text, *line, *save;
	size_t cap = 0;

	if (access(path, F_OK)) {
		free(path);
		return;
	}
	if (access(path, R_OK)) {
		if (!quiet)
			warnmsg("%s: %s; files on the kernel's digest allow-list are shown as if it were empty",
				path, strerror(errno));
		free(path);
		return;
	}
	free(path);
	text = securityfs_read("digests");
	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t hex;

		if (strncmp(line, "sha256:", 7))
			continue;	/* an entry of a kind not known here */
		hex = strspn(line + 7, "0123456789abcdefABCDEF");
		if (hex != 2 * EXECMARK_SHA256_SIZE)
			continue;
		if (l->n == cap) {
			cap = cap ? 2 * cap : 256;
			l->e = xrealloc(l->e, cap * sizeof(*l->e));
		}
		hex_decode(l->e[l->n].digest, line + 7, hex);
		l->e[l->n].is_signed = strstr(line + 7 + hex, " signed") != NULL;
		l->n++;
	}
	free(text);
	qsort(l->e, l->n, sizeof(*l->e), cmp_digest);
}

/*
 * What the kernel decides about a file that no mark makes trusted, in
 * @result (lsm/verify.c, by_list()): its content's SHA-256 on the list
 * makes it "listed", under require_signed only if the entry is signed.
 */
static int verify_listed(struct verify_ctx *c, struct job *j, int result,
			 unsigned char *buf)
{
	const struct algo *sha256 = algo_by_id(HASH_ALGO_SHA256);
	unsigned char digest[EXECMARK_SHA256_SIZE];
	const unsigned char *d = digest;
	const struct list_entry *hit;
	int ret;

	if (!c->list.n)
		return result;
	if (result == VERIFY_MISMATCH && j->algo == sha256) {
		d = j->digest;		/* the content's, computed for the mark */
	} else {
		ret = hash_file(j->fd, sha256, digest, buf, j->leased);
		if (ret == HASH_CHANGED)
			return VERIFY_CHANGED;
		if (ret) {
			job_fail(j, "read", -ret);
			return VERIFY_FAILED;
		}
	}
	hit = bsearch(d, c->list.e, c->list.n, sizeof(*c->list.e), cmp_digest);
	if (!hit)
		return result;
	if (c->require_signed && !hit->is_signed)
		return VERIFY_UNSIGNED;
	return VERIFY_LISTED;
}

static void verify_work(void *ctx, struct job *j, unsigned char *buf)
{
	struct mark m;
	enum mark_state state;
	int ret = exec_verdict(j);

	if (ret != VERIFY_OK) {
		j->result = ret;
		return;
	}
	ret = mark_read(j->fd, &m, &state);
	if (ret) {
		j->result = VERIFY_FAILED;
		job_fail(j, "reading", -ret);
		return;
	}
	if (state == MARK_NONE)
		j->result = VERIFY_UNMARKED;
	else if (state == MARK_CORRUPT)
		j->result = VERIFY_CORRUPT;
	else
		j->result = verify_mark(ctx, j, &m, buf);
	if (j->result == VERIFY_UNMARKED || j->result == VERIFY_CORRUPT ||
	    j->result == VERIFY_MISMATCH)
		j->result = verify_listed(ctx, j, j->result, buf);
}

static void verify_done(void *ctx, struct job *j)
{
	struct verify_ctx *c = ctx;
	char *e;

	if (j->result == VERIFY_FAILED) {
		job_warn(j);
		c->errors++;
		return;
	}
	if (j->result == VERIFY_CHANGED) {
		warn_path(j->path, "changed while hashing, not verified");
		c->errors++;
		return;
	}
	c->count[j->result]++;
	if (j->result == VERIFY_BAD_SIGNATURE && !c->quiet)
		warn_path(j->path, "bad signature: %s", j->what);
	if (j->result == VERIFY_OK && j->what == unchecked)
		c->unchecked++;
	if (c->quiet && (j->result == VERIFY_OK || j->result == VERIFY_LISTED))
		return;
	e = esc(j->path);
	progress_clear();
	printf("%s %s\n", verify_name[j->result], e);
	free(e);
}

/*
 * Whether the running kernel denies unsigned marks: its require_signed
 * file says "on" or "locked" (a kernel without signed marks has none).
 */
static bool kernel_requires_signed(void)
{
	char *path = securityfs_path("require_signed"), *s;
	bool on = false;

	if (!access(path, R_OK)) {
		s = securityfs_read_line("require_signed");
		on = s && (!strcmp(s, "on") || !strcmp(s, "locked"));
		free(s);
	}
	free(path);
	return on;
}

static const char verify_usage[] =
"usage: execmark verify [-r] [-x] [-q|-v] [-j N] [--cert CERT] [--require-signed]\n"
"                       [--files-from FILE [-0]] PATH...\n"
"Print \"STATUS PATH\" for each regular file, STATUS being what the kernel\n"
"would decide: ok (it would run), listed (it would run: no mark, but its\n"
"content's sha256 is on the kernel's digest allow-list), noexec (noexec mount),\n"
"not-executable (no\n"
"execute permission), unverifiable (FUSE, network, user-namespace file system,\n"
"open for writing), unmarked, corrupt, unsigned (with --require-signed),\n"
"bad-signature (with --cert), not-verity (a verity mark on a file without\n"
"fs-verity) or mismatch.\n"
"Exit status: 0 all ok, 1 some not ok, 2 errors.\n"
"  -r, --recursive   descend into directories (symbolic links are not followed)\n"
"  -x, --one-file-system  do not cross into other file systems with -r\n"
"  -j, --jobs N      hash with N threads (default: online CPUs)\n"
"      --cert CERT   check signatures as the kernel would with CERT's key in\n"
"                    its .execmark keyring (without: signatures are not checked)\n"
"      --require-signed  as the kernel under require_signed (the default when\n"
"                    the running kernel has it on): unsigned marks are not ok\n"
FILES_FROM_HELP
"  -q, --quiet       print only the files that are not ok, and no summary\n"
"  -v, --verbose     also name each symbolic link skipped by -r\n"
SHARED_HELP;

int cmd_verify(int argc, char **argv)
{
	static const struct pool_ops ops = { verify_work, verify_done };
	struct verify_ctx c = { 0 };
	unsigned long *count = c.count;
	struct file_opts o;
	struct pool_counts pc;
	struct pool *p;
	int ret, i = parse_file_opts(argc, argv, verify_usage, "rxjCRF0", true, &o, &ret);
	unsigned long notok;

	if (i < 0)
		return ret;
	c.quiet = o.quiet;
	c.require_signed = o.require_signed || kernel_requires_signed();
	kernel_list_load(&c.list, c.quiet);
	if (o.cert) {
		c.cert = sig_cert_load(o.cert);
		if (!c.cert)
			return EXIT_ERROR;
	}
	hash_init();
	p = pool_start(&ops, &c, &o.walk);
	pool_add_args(p, &o, argc - i, argv + i);
	pc = pool_finish(p);
	sig_cert_free(c.cert);
	free(c.list.e);
	c.errors += pc.errors;
	if (fflush(stdout) || ferror(stdout))
		fatal("standard output: write error");
	notok = 0;
	for (size_t k = 0; k < ARRAY_SIZE(c.count); k++)
		if (k != VERIFY_OK && k != VERIFY_LISTED)
			notok += count[k];
	if (!c.quiet) {
		char *skipped = skipped_summary(&pc);

		fprintf(stderr,
			"verified %lu %s: %lu ok, %lu listed, %lu unmarked, %lu corrupt, %lu mismatch, %lu unverifiable, %lu not-executable, %lu noexec, %s, %lu %s\n",
			count[VERIFY_OK] + count[VERIFY_LISTED] + notok,
			plural(count[VERIFY_OK] + count[VERIFY_LISTED] + notok,
			       "file", "files"),
			count[VERIFY_OK], count[VERIFY_LISTED], count[VERIFY_UNMARKED],
			count[VERIFY_CORRUPT], count[VERIFY_MISMATCH],
			count[VERIFY_UNVERIFIABLE], count[VERIFY_NOT_EXECUTABLE],
			count[VERIFY_NOEXEC], skipped, c.errors,
			plural(c.errors, "error", "errors"));
		free(skipped);
	}
	if (!c.quiet && (count[VERIFY_UNSIGNED] || count[VERIFY_BAD_SIGNATURE] ||
			 count[VERIFY_NOT_VERITY] || c.unchecked))
		fprintf(stderr,
			"marks v2: %lu unsigned, %lu bad-signature, %lu not-verity, %lu %s not checked (no --cert)\n",
			count[VERIFY_UNSIGNED], count[VERIFY_BAD_SIGNATURE],
			count[VERIFY_NOT_VERITY], c.unchecked,
			plural(c.unchecked, "signature", "signatures"));
	if (c.errors)
		return EXIT_ERROR;
	return notok ? EXIT_NOTOK : EXIT_OK;
}
