/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execmark helper: the subcommands, one file each (main.c dispatches).
 */
#ifndef EXECMARK_CMD_H
#define EXECMARK_CMD_H

int cmd_mark(int argc, char **argv);
int cmd_unmark(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_manifest(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_mode(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_forward(int argc, char **argv);
int cmd_apt_prepare(int argc, char **argv);
int cmd_dpkg_apply(int argc, char **argv);
int cmd_dpkg_verify(int argc, char **argv);
int cmd_dpkg_enroll(int argc, char **argv);
int cmd_digests(int argc, char **argv);
int cmd_log(int argc, char **argv);

#endif /* EXECMARK_CMD_H */
