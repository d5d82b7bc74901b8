// SPDX-License-Identifier: GPL-2.0
/*
 * The exec-intent matrix: {valid mark, unmarked, corrupt, mismatch after
 * write, re-marked after write} x {execve of a binary, a shebang script, a
 * script whose interpreter is the file, a binary whose ELF interpreter is
 * the file (a copy of ld.so), AT_EXECVE_CHECK, mmap PROT_EXEC, mprotect
 * adding PROT_EXEC, ld.so running the file, LD_PRELOAD of the file}, in
 * enforce mode, on ext4 (a loop device). Each case asserts the errno and
 * the denial event.
 */
#define _GNU_SOURCE
#include <linux/loop.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "common.h"

#define DIR	"/tmp/xm"		/* fixed: aux/dyn-interp names DIR/ld.so */
#define IMG	"/tmp/xm.img"
#define BIN	DIR "/true"		/* a copy of static busybox: runs true */
#define SCRIPT	DIR "/script"		/* #!/bin/sh */
#define INTERP	DIR "/sh"		/* a copy of busybox: runs sh, for script2 */
#define SCRIPT2	DIR "/script2"		/* #!DIR/sh, always marked */
#define LDSO	DIR "/ld.so"		/* a copy of ld.so, aux/dyn-interp's */
#define PROG	DIR "/prog"		/* a copy of aux/hello */
#define LIB	DIR "/lib.so"		/* a copy of aux/preload.so */

static const char *const targets[] = { BIN, SCRIPT, INTERP, LDSO, PROG, LIB };

enum state { VALID, UNMARKED, CORRUPT, MISMATCH, REMARKED };

FIXTURE(mark) {
	int events;
};

FIXTURE_VARIANT(mark) {
	enum state state;
	const char *reason;	/* NULL: allowed */
};

FIXTURE_VARIANT_ADD(mark, valid) { .state = VALID };
FIXTURE_VARIANT_ADD(mark, unmarked) { .state = UNMARKED, .reason = "unmarked" };
FIXTURE_VARIANT_ADD(mark, corrupt) { .state = CORRUPT, .reason = "corrupt" };
FIXTURE_VARIANT_ADD(mark, mismatch) { .state = MISMATCH, .reason = "mismatch" };
FIXTURE_VARIANT_ADD(mark, remarked) { .state = REMARKED };

static int run(const char *cmd)
{
	char *const argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin", NULL };

	return xm_run(argv, envp, NULL, 0);
}

static void mount_ext4(struct __test_metadata *_metadata)
{
	struct loop_config cfg = { .info.lo_flags = LO_FLAGS_AUTOCLEAR };
	int ctl, nr, loop, img;
	char dev[32];

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ctl);
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	ASSERT_LE(0, nr);
	snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	loop = open(dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, loop);
	img = open(IMG, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, img);
	cfg.fd = img;
	ASSERT_EQ(0, ioctl(loop, LOOP_CONFIGURE, &cfg));
	close(img);
	ASSERT_EQ(0, mount(dev, DIR, "ext4", 0, NULL));
	close(loop);
}

/*
 * Corrupt every mark offline, as an edit of the disk image would: the
 * kernel refuses malformed marks at setxattr.
 */
static void corrupt_marks(struct __test_metadata *_metadata)
{
	enum { N = sizeof(targets) / sizeof(targets[0]) };
	unsigned char mark[N][EXECMARK_HDR_SIZE + EXECMARK_SHA256_SIZE];
	unsigned char *img;
	struct stat st;
	unsigned int i;
	int fd;

	for (i = 0; i < N; i++)
		ASSERT_EQ(0, xm_mark_value(targets[i], mark[i]));
	ASSERT_EQ(0, umount(DIR));
	fd = open(IMG, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	img = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, img);
	for (i = 0; i < N; i++) {
		unsigned char *p = memmem(img, st.st_size, mark[i], sizeof(mark[i]));

		ASSERT_NE(NULL, p) TH_LOG("mark of %s not found in the image", targets[i]);
		p[0] = 2;	/* format version 2: not a valid mark */
	}
	munmap(img, st.st_size);
	close(fd);
	mount_ext4(_metadata);
}

FIXTURE_SETUP(mark)
{
	char cmd[256];
	unsigned int i;

	umount(DIR);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, xm_set_mode("permissive"));
	snprintf(cmd, sizeof(cmd),
		 "rm -f %s && truncate -s 32M %s && /usr/sbin/mke2fs -q -F -t ext4 -O ^metadata_csum %s",
		 IMG, IMG, IMG);
	ASSERT_EQ(0, run(cmd));
	mount_ext4(_metadata);

	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, BIN, 0755));
	ASSERT_EQ(0, xm_write_file(SCRIPT, "#!/bin/sh\necho script ran\n", 0755));
	ASSERT_EQ(0, xm_copy(XM_BUSYBOX, INTERP, 0755));
	ASSERT_EQ(0, xm_write_file(SCRIPT2, "#!" INTERP "\necho script2 ran\n", 0755));
	ASSERT_EQ(0, xm_copy(XM_LDSO, LDSO, 0755));
	ASSERT_EQ(0, xm_copy(XM_AUX "hello", PROG, 0755));
	ASSERT_EQ(0, xm_copy(XM_AUX "preload.so", LIB, 0755));
	ASSERT_EQ(0, xm_mark(SCRIPT2));

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		if (variant->state == UNMARKED)
			continue;
		ASSERT_EQ(0, xm_mark(targets[i]));
		if (variant->state == MISMATCH || variant->state == REMARKED) {
			/* Trusted and cached, then written. */
			ASSERT_EQ(0, xm_check(targets[i]));
			ASSERT_EQ(0, xm_append(targets[i], "\n"));
		}
		if (variant->state == REMARKED)
			ASSERT_EQ(0, xm_mark(targets[i]));
	}
	if (variant->state == CORRUPT)
		corrupt_marks(_metadata);

	self->events = xm_events_open();
	ASSERT_LE(0, self->events);
	ASSERT_EQ(0, xm_set_mode("enforce"));
}

FIXTURE_TEARDOWN(mark)
{
	xm_set_mode("permissive");
	if (self->events >= 0)
		close(self->events);
	umount(DIR);
	unlink(IMG);
}

/* The outcome of an access to @path: allowed, or denied with an event. */
static void expect(struct __test_metadata *_metadata,
		   const FIXTURE_VARIANT(mark) *variant, int events, int ret,
		   int denied_ret, const char *op, const char *path)
{
	if (!variant->reason) {
		EXPECT_EQ(0, ret);
		EXPECT_NO_EVENTS(events);
		return;
	}
	EXPECT_EQ(denied_ret, ret);
	EXPECT_EVENTS(events, op, variant->reason, path);
}

TEST_F(mark, execve_binary)
{
	char *const argv[] = { BIN, NULL }, *const envp[] = { NULL };

	expect(_metadata, variant, self->events, xm_run(argv, envp, NULL, 0),
	       -EACCES, "exec", BIN);
}

TEST_F(mark, execve_script)
{
	char *const argv[] = { SCRIPT, NULL }, *const envp[] = { NULL };
	char out[256];
	int ret = xm_run(argv, envp, out, sizeof(out));

	expect(_metadata, variant, self->events, ret, -EACCES, "exec", SCRIPT);
	if (!variant->reason)
		EXPECT_STREQ("script ran\n", out);
}

TEST_F(mark, execve_script_interpreter)
{
	char *const argv[] = { SCRIPT2, NULL }, *const envp[] = { NULL };
	char out[256];
	int ret = xm_run(argv, envp, out, sizeof(out));

	expect(_metadata, variant, self->events, ret, -EACCES, "exec", INTERP);
	if (!variant->reason)
		EXPECT_STREQ("script2 ran\n", out);
}

TEST_F(mark, execve_elf_interpreter)
{
	char *const argv[] = { XM_AUX "dyn-interp", NULL }, *const envp[] = { NULL };
	char out[256];
	int ret = xm_run(argv, envp, out, sizeof(out));

	expect(_metadata, variant, self->events, ret, -EACCES, "exec", LDSO);
	if (!variant->reason)
		EXPECT_NE(NULL, strstr(out, "hello from"));
}

TEST_F(mark, execveat_check)
{
	expect(_metadata, variant, self->events, xm_check(BIN), -EACCES,
	       "check", BIN);
}

TEST_F(mark, mmap_exec)
{
	expect(_metadata, variant, self->events, xm_mmap_exec(LIB), -EACCES,
	       "mmap", LIB);
}

/* mprotect judges from the cache only: an earlier check fills it. */
TEST_F(mark, mprotect_exec)
{
	int ret = xm_check(LIB);

	EXPECT_EQ(variant->reason ? -EACCES : 0, ret);
	xm_events_read(self->events, (char[65536]){}, 65536);
	expect(_metadata, variant, self->events, xm_mprotect_exec(LIB), -EACCES,
	       "mprotect", LIB);
}

/* ld.so maps the program itself: its mmap is the check. */
TEST_F(mark, ldso_runs_program)
{
	char *const argv[] = { XM_LDSO, PROG, NULL }, *const envp[] = { NULL };
	char out[512];
	int ret = xm_run(argv, envp, out, sizeof(out));

	expect(_metadata, variant, self->events, ret, 127, "mmap", PROG);
	if (variant->reason)
		EXPECT_EQ(NULL, strstr(out, "hello from"));
}

/* A preloaded library is refused by its mmap; ld.so goes on without it. */
TEST_F(mark, ld_preload)
{
	char *const argv[] = { XM_AUX "hello", NULL };
	char *const envp[] = { "LD_PRELOAD=" LIB, NULL };
	char out[1024];
	int ret = xm_run(argv, envp, out, sizeof(out));

	EXPECT_EQ(0, ret);
	EXPECT_NE(NULL, strstr(out, "hello from"));
	if (variant->reason) {
		EXPECT_EQ(NULL, strstr(out, "preload constructor ran"));
		EXPECT_EVENTS(self->events, "mmap", variant->reason, LIB);
	} else {
		EXPECT_NE(NULL, strstr(out, "preload constructor ran"));
		EXPECT_NO_EVENTS(self->events);
	}
}

TEST_HARNESS_MAIN
