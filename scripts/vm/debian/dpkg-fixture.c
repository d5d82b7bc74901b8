// SPDX-License-Identifier: GPL-2.0
/*
 * The program and shared library that the Debian system tests of the apt
 * and dpkg hooks (dpkg-tests.sh) put into packages: built by
 * scripts/mkimage.sh into /usr/lib/execmark/dpkg-fixture/, with -DLIB the
 * library libxmfix.so.1, without it xm-prog, which loads the library from
 * /usr/lib/xm-app (its run path) and prints "xm-prog <library's word>".
 */
#include <stdio.h>

const char *xm_fixture_word(void);

#ifdef LIB
const char *xm_fixture_word(void)
{
	return "libxmfix";
}
#else
int main(void)
{
	return printf("xm-prog %s\n", xm_fixture_word()) < 0;
}
#endif
