// SPDX-License-Identifier: GPL-2.0
/*
 * execmark helper: reading, writing and removing security.execmark.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util.h"
#include "verity.h"
#include "xattr.h"

/*
 * mark_parse - take @len bytes of @value apart with execmark_mark_parse(),
 * the kernel's own parser, into @m (which keeps a copy of the bytes)
 *
 * Return: 0, or -1 for a corrupt mark (also one longer than any mark).
 */
int mark_parse(struct mark *m, const void *value, size_t len)
{
	if (len > sizeof(m->value))
		return -1;
	memcpy(m->value, value, len);
	m->len = len;
	return execmark_mark_parse(m->value, len, &m->p) ? -1 : 0;
}

/* Copy a valid mark; its parse points into the copy. */
void mark_copy(struct mark *dst, const struct mark *src)
{
	if (mark_parse(dst, src->value, src->len))
		fatal("internal error: copy of a corrupt mark");
}

/* Read the mark of @fd into @m; a missing or malformed mark is no error. */
int mark_read(int fd, struct mark *m, enum mark_state *state)
{
	unsigned char buf[EXECMARK_V2_MAX_SIZE + 1];
	ssize_t n;

	do
		n = fgetxattr(fd, EXECMARK_XATTR_NAME, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == ENODATA) {
			*state = MARK_NONE;
			return 0;
		}
		if (errno == ERANGE) {	/* longer than any valid mark */
			*state = MARK_CORRUPT;
			return 0;
		}
		return -errno;
	}
	*state = mark_parse(m, buf, n) ? MARK_CORRUPT : MARK_VALID;
	return 0;
}

/*
 * mark_make - build a mark: version 1 (EXECMARK_KIND_CONTENT, unsigned) or
 * version 2 of @kind; @algo in the numbering of @kind; @sig (@sig_len
 * bytes, a DER PKCS#7 signature) or NULL for an unsigned mark.
 *
 * Return: 0, or -EINVAL if execmark_mark_parse() would not accept the
 * result (an unknown algorithm, a signature too long for a mark).
 */
int mark_make(struct mark *m, unsigned int version, unsigned int kind,
	      unsigned int algo, const unsigned char *digest,
	      const unsigned char *sig, size_t sig_len)
{
	unsigned char v[EXECMARK_V2_MAX_SIZE];
	unsigned int dsize;
	size_t n = 0;

	if (version == EXECMARK_FORMAT_V1) {
		dsize = execmark_digest_size(algo);
		if (kind != EXECMARK_KIND_CONTENT || sig || !dsize)
			return -EINVAL;
		v[n++] = EXECMARK_FORMAT_V1;
		v[n++] = algo;
	} else {
		dsize = kind == EXECMARK_KIND_VERITY ?
			execmark_verity_digest_size(algo) :
			execmark_digest_size(algo);
		if (version != EXECMARK_FORMAT_V2 || !dsize ||
		    (sig && (!sig_len || sig_len > EXECMARK_MAX_SIG)))
			return -EINVAL;
		v[n++] = EXECMARK_FORMAT_V2;
		v[n++] = kind;
		v[n++] = algo;
		v[n++] = sig ? EXECMARK_FLAG_SIGNED : 0;
	}
	memcpy(v + n, digest, dsize);
	n += dsize;
	if (sig) {
		v[n++] = sig_len & 0xff;
		v[n++] = sig_len >> 8;
		memcpy(v + n, sig, sig_len);
		n += sig_len;
	}
	return mark_parse(m, v, n) ? -EINVAL : 0;
}

/* Set the mark of @fd to @m unless it already is exactly @m. */
int mark_write(int fd, const struct mark *m, bool *already)
{
	struct mark old;
	enum mark_state state;
	int ret = mark_read(fd, &old, &state);

	if (ret)
		return ret;
	*already = state == MARK_VALID && old.len == m->len &&
		   !memcmp(old.value, m->value, m->len);
	if (*already)
		return 0;
	if (fsetxattr(fd, EXECMARK_XATTR_NAME, m->value, m->len, 0))
		return -errno;
	return 0;
}

/* "content" or "verity". */
const char *mark_kind_name(unsigned int kind)
{
	return kind == EXECMARK_KIND_VERITY ? "verity" : "content";
}

/* The algorithm of a valid mark, in its kind's table (hash.c, verity.c). */
const struct algo *mark_algo(const struct execmark_parsed *p)
{
	if (p->kind == EXECMARK_KIND_VERITY)
		return verity_algo_by_id(p->algo);
	return algo_by_id(p->algo);
}

/* Remove the mark of @fd: 0, 1 if it had none, or -errno. */
int mark_remove(int fd)
{
	if (!fremovexattr(fd, EXECMARK_XATTR_NAME))
		return 0;
	return errno == ENODATA ? 1 : -errno;
}

/*
 * The immutable (chattr +i) or append-only (chattr +a) attribute of @path,
 * which make the kernel refuse any change of an extended attribute with
 * EPERM, even to root: "immutable", "append-only" or NULL.
 */
static const char *inode_flag(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int flags = 0;
	const char *what = NULL;

	if (fd < 0)
		return NULL;
	if (!ioctl(fd, FS_IOC_GETFLAGS, &flags)) {
		if (flags & FS_IMMUTABLE_FL)
			what = "immutable";
		else if (flags & FS_APPEND_FL)
			what = "append-only";
	}
	close(fd);
	return what;
}

/* Say why @action ("reading", "setting", "removing") of @path's mark failed. */
void mark_warn(const char *path, int err, const char *action)
{
	const char *flag;

	if (err == ENOTSUP || err == EOPNOTSUPP)
		warn_path(path, "file system does not support %s extended attributes",
			  EXECMARK_XATTR_NAME);
	else if (err == EPERM && strcmp(action, "reading") && (flag = inode_flag(path)))
		warn_path(path, "%s %s: the file is %s (chattr +%c); 'chattr -%c' first",
			  action, EXECMARK_XATTR_NAME, flag, *flag == 'i' ? 'i' : 'a',
			  *flag == 'i' ? 'i' : 'a');
	else if (err == EPERM && strcmp(action, "reading"))
		warn_path(path, "permission denied %s %s (needs CAP_MAC_ADMIN / root in the initial user namespace)",
			  action, EXECMARK_XATTR_NAME);
	else
		warn_path(path, "%s %s: %s", action, EXECMARK_XATTR_NAME,
			  strerror(err));
}
