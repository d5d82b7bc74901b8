// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for execmark.
 */

#include <kunit/test.h>

#include "execmark.h"

static void mode_parse_test(struct kunit *test)
{
	int m;

	for (m = EXECMARK_MODE_OFF; m <= EXECMARK_MODE_ENFORCE; m++) {
		const char *name = execmark_mode_name(m);
		char buf[16];

		KUNIT_EXPECT_EQ(test, execmark_mode_parse(name, strlen(name)), m);
		snprintf(buf, sizeof(buf), "%s\n", name);
		KUNIT_EXPECT_EQ(test, execmark_mode_parse(buf, strlen(buf)), m);
	}
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("", 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("\n", 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("enforc", 6), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("enforced", 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("Enforce", 7), -EINVAL);
	KUNIT_EXPECT_EQ(test, execmark_mode_parse("off\n\n", 5), -EINVAL);
	KUNIT_EXPECT_STREQ(test, execmark_mode_name(3), "invalid");
	KUNIT_EXPECT_STREQ(test, execmark_mode_name(-1), "invalid");
}

static struct kunit_case execmark_mode_cases[] = {
	KUNIT_CASE(mode_parse_test),
	{}
};

static struct kunit_suite execmark_mode_suite = {
	.name = "execmark_mode",
	.test_cases = execmark_mode_cases,
};

kunit_test_suites(&execmark_mode_suite);
