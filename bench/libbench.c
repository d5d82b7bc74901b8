// SPDX-License-Identifier: GPL-2.0
/* One of the 20 shared libraries libprog loads: built as libbench0.so ..
 * libbench19.so, each with its own soname and function (-DN=0..19). */
#define CAT(a, b) a##b
#define NAME(n) CAT(bench, n)
int NAME(N)(void) { return N; }
