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
#include "xattr.h"

/* Read the mark of @fd into @m; a missing or malformed mark is no error. */
int mark_read(int fd, struct execmark_mark *m, enum mark_state *state)
{
	unsigned char buf[EXECMARK_MAX_SIZE + 1];
	ssize_t n = fgetxattr(fd, EXECMARK_XATTR_NAME, buf, sizeof(buf));

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
	if (!execmark_mark_valid(buf, n)) {
		*state = MARK_CORRUPT;
		return 0;
	}
	memcpy(m, buf, n);
	*state = MARK_VALID;
	return 0;
}

/* Set the mark of @fd unless it already says exactly this. */
int mark_write(int fd, const struct algo *a, const unsigned char *digest,
	       bool *already)
{
	struct execmark_mark m, old;
	enum mark_state state;
	int ret = mark_read(fd, &old, &state);

	if (ret)
		return ret;
	*already = state == MARK_VALID && old.algo == a->id &&
		   !memcmp(old.digest, digest, a->size);
	if (*already)
		return 0;
	m.version = EXECMARK_FORMAT_V1;
	m.algo = a->id;
	memcpy(m.digest, digest, a->size);
	if (fsetxattr(fd, EXECMARK_XATTR_NAME, &m, EXECMARK_HDR_SIZE + a->size, 0))
		return -errno;
	return 0;
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
