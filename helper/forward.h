/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: the forwarder's encoding of an event line as the text of
 * an audit record (forward.c); the fuzz harness uses it too.
 */
#ifndef EXECMARK_FORWARD_H
#define EXECMARK_FORWARD_H

#include <stdint.h>

char *event_record(const char *line, uint64_t now_ns);

#endif /* EXECMARK_FORWARD_H */
