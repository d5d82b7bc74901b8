/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * execmark: exec intent checked against content hashes in security.execmark.
 */
#ifndef _SECURITY_EXECMARK_H
#define _SECURITY_EXECMARK_H

#include <linux/types.h>

enum execmark_mode {
	EXECMARK_MODE_OFF,
	EXECMARK_MODE_PERMISSIVE,
	EXECMARK_MODE_ENFORCE,
};

extern int execmark_mode;	/* enum execmark_mode; read with READ_ONCE() */

int execmark_mode_parse(const char *buf, size_t len);
const char *execmark_mode_name(int mode);
int execmark_set_mode(int mode);
bool execmark_locked(void);
int execmark_lock(void);

int execmark_init_securityfs(void);

#endif /* _SECURITY_EXECMARK_H */
