/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzz harnesses share: the libFuzzer entry points, and how a
 * harness reports a property that does not hold (an abort, which libFuzzer
 * reports as a crash and saves the input of).
 */
#ifndef EXECMARK_FUZZ_H
#define EXECMARK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The value of a hex digit (either case), or -1 (common.c). */
int fuzz_hexval(char c);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A property does not hold: say which, and crash. */
#define fuzz_report(what, ...)						\
	do {								\
		fprintf(stderr, "%s:%d: property failed%s: ", __FILE__,	\
			__LINE__, what);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	} while (0)

#define fuzz_fail(...)		fuzz_report("", __VA_ARGS__)
#define fuzz_assert(cond, ...)						\
	do {								\
		if (!(cond))						\
			fuzz_report(" (" #cond ")", __VA_ARGS__);	\
	} while (0)

#endif /* EXECMARK_FUZZ_H */
