// SPDX-License-Identifier: GPL-2.0
/*
 * The per-inode hashing lock held hostage (issue 11, finding 4).
 * Regression test for the fix; enforce mode.
 *
 * idle_hasher_hostage: an unprivileged process at SCHED_IDLE starts the
 * first hash of a marked 4 MiB file on a CPU busy with two CPU hogs; root
 * (normal priority, same CPU) then maps the same file executable. Root's
 * latency must stay within twice the control (the same mmap of a twin
 * file, with the hogs, without the idle hasher) plus 0.2 s. On the unfixed kernel root
 * waited for the idle hasher: 22.7 s against 0.28 s.
 */
#define _GNU_SOURCE

#include <grp.h>
#include <time.h>

#include "kselftest_harness.h"
#include "common.h"

#define DIR	"/tmp/xhash"
#define SIZE	(4 << 20)
#define ROOT_WAIT_MAX	20.0	/* seconds: longer counts as a failure */

FIXTURE(hasher) {
	int fd;
	pid_t hogs[2];
	pid_t hasher;
	int hog_go;		/* write end: closing it releases the hogs */
};

static int pin(pid_t pid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(pid, sizeof(set), &set) ? -errno : 0;
}

static int make_file(const char *path, unsigned char seed)
{
	unsigned char *buf = malloc(SIZE);
	int fd, ret = -EIO;
	size_t i;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < SIZE; i++)
		buf[i] = (unsigned char)(i * 131 + seed + (i >> 12));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd >= 0) {
		if (write(fd, buf, SIZE) == SIZE)
			ret = 0;
		close(fd);
	}
	free(buf);
	return ret ? ret : xm_mark(path);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Two CPU hogs on CPU 0, waiting for @self->hog_go to close. */
static int start_hogs(pid_t *hogs, int *go_w)
{
	int go[2], i;

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	for (i = 0; i < 2; i++) {
		hogs[i] = fork();
		if (hogs[i] < 0)
			return -errno;
		if (!hogs[i]) {
			volatile unsigned long spin = 0;
			char c;

			close(go[1]);
			if (pin(0, 0) || read(go[0], &c, 1) != 0)
				_exit(1);
			for (;;)
				spin++;
		}
	}
	close(go[0]);
	*go_w = go[1];
	return 0;
}

static void stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

FIXTURE_SETUP(hasher)
{
	struct sched_param sp = { .sched_priority = 10 };

	self->hog_go = -1;
	umount2(DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", DIR, "tmpfs", 0, "mode=0755"));
	self->fd = xm_events_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, xm_set_mode("enforce"));
	/*
	 * Everything on CPU 0 (the VM may have only one). The conductor is
	 * real-time so that the hogs cannot delay it; its children are not.
	 */
	ASSERT_EQ(0, pin(0, 0));
	ASSERT_EQ(0, sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp));
}

FIXTURE_TEARDOWN(hasher)
{
	if (self->hog_go >= 0)
		close(self->hog_go);
	stop(&self->hogs[0]);
	stop(&self->hogs[1]);
	stop(&self->hasher);
	xm_set_mode("permissive");
	close(self->fd);
	umount2(DIR, MNT_DETACH);
}

/*
 * Root (normal priority, CPU 0) maps @path executable.
 * Return: seconds, or -1 after ROOT_WAIT_MAX (*pid is then still running);
 * *err: mmap's result.
 */
static double root_mmap_exec(const char *path, pid_t *pid, int *err)
{
	struct pollfd pfd;
	int p[2], res[1];
	double t;

	if (pipe2(p, O_CLOEXEC))
		return -2;
	*pid = fork();
	if (*pid < 0)
		return -2;
	if (!*pid) {
		double t0, t1;
		int r;

		close(p[0]);
		if (pin(0, 0))
			_exit(1);
		t0 = now();
		r = xm_mmap_exec(path);
		t1 = now();
		if (write(p[1], &r, sizeof(r)) < 0 || write(p[1], &t0, sizeof(t0)) < 0 ||
		    write(p[1], &t1, sizeof(t1)) < 0)
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ROOT_WAIT_MAX * 1000) != 1) {
		close(p[0]);
		return -1;
	}
	if (read(p[0], res, sizeof(res)) != sizeof(res)) {
		close(p[0]);
		return -2;
	}
	*err = res[0];
	{
		double t0, t1;

		if (read(p[0], &t0, sizeof(t0)) != sizeof(t0) ||
		    read(p[0], &t1, sizeof(t1)) != sizeof(t1))
			t = -2;
		else
			t = t1 - t0;
	}
	close(p[0]);
	waitpid(*pid, NULL, 0);
	*pid = 0;
	return t;
}

/*
 * The unprivileged hasher: uid 65534, SCHED_IDLE, CPU 0. It reports 'r'
 * just before its mmap(PROT_EXEC), the first hash of the file.
 */
static pid_t start_hasher(const char *path, int *rep_r, int hog_go)
{
	int rep[2];
	pid_t pid;

	if (pipe2(rep, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		struct sched_param sp = { 0 };

		close(rep[0]);
		close(hog_go);		/* or the hogs would wait for it too */
		if (pin(0, 0) || setgroups(0, NULL) || setgid(65534) || setuid(65534) ||
		    sched_setscheduler(0, SCHED_IDLE, &sp))
			_exit(1);
		if (write(rep[1], "r", 1) != 1)
			_exit(2);
		xm_mmap_exec(path);
		pause();
		_exit(0);
	}
	close(rep[1]);
	*rep_r = rep[0];
	return pid;
}

TEST_F_TIMEOUT(hasher, idle_hasher_hostage, 150)
{
	char path[64], c;
	double control, attack = -1, wait;
	pid_t root = 0;
	int err = 1, try, rep = -1;

	ASSERT_EQ(0, make_file(DIR "/control", 1));

	/* Control: root alone against the hogs. */
	ASSERT_EQ(0, start_hogs(self->hogs, &self->hog_go));
	close(self->hog_go);
	self->hog_go = -1;
	usleep(100 * 1000);
	control = root_mmap_exec(DIR "/control", &root, &err);
	stop(&root);
	stop(&self->hogs[0]);
	stop(&self->hogs[1]);
	ASSERT_LT(0, (long long)(control * 1e6)) TH_LOG("the control mmap did not finish in %.0f s", ROOT_WAIT_MAX);
	ASSERT_EQ(0, err);
	TH_LOG("control: root's mmap(PROT_EXEC) took %.3f s", control);

	/*
	 * Alone on the CPU the hasher hashes about three times as fast as
	 * root against the hogs: give it a quarter of that before the hogs
	 * take the CPU, less on each retry.
	 */
	wait = control / 3 / 4;
	for (try = 0; try < 4; try++, wait /= 2) {
		long long hashes;

		snprintf(path, sizeof(path), DIR "/attack%d", try);
		ASSERT_EQ(0, make_file(path, 2 + try));
		/* The hogs are ready but blocked; CPU 0 is free for the hasher. */
		ASSERT_EQ(0, start_hogs(self->hogs, &self->hog_go));
		hashes = xm_stat("hashes");
		self->hasher = start_hasher(path, &rep, self->hog_go);
		ASSERT_LT(0, self->hasher);
		ASSERT_EQ(1, read(rep, &c, 1));
		ASSERT_EQ('r', c) TH_LOG("hasher setup failed");
		usleep(wait * 1e6);
		close(self->hog_go);		/* the hogs take CPU 0 */
		self->hog_go = -1;
		usleep(20 * 1000);
		if (xm_stat("hashes") != hashes) {
			TH_LOG("try %d: the hasher finished within %.3f s, before root started",
			       try, wait);
			close(rep);
			stop(&self->hasher);
			stop(&self->hogs[0]);
			stop(&self->hogs[1]);
			continue;
		}
		attack = root_mmap_exec(path, &root, &err);
		TH_LOG("hashes during root's mmap: %lld", xm_stat("hashes") - hashes);
		break;
	}
	ASSERT_LT(try, 4) TH_LOG("could not start root while the idle hasher was hashing");
	/* Release everything before judging (the hasher is killable). */
	stop(&self->hogs[0]);
	stop(&self->hogs[1]);
	stop(&self->hasher);
	if (root) {
		int status;

		waitpid(root, &status, 0);
	}
	close(rep);
	ASSERT_NE(-2, (int)attack);
	EXPECT_NE(-1, (int)attack) TH_LOG("root's mmap(PROT_EXEC) waited more than %.0f s for the idle hasher (control %.3f s)",
				     ROOT_WAIT_MAX, control);
	if (attack >= 0) {
		TH_LOG("with the idle hasher: %.3f s (control %.3f s)", attack, control);
		EXPECT_EQ(0, err);
		EXPECT_GE((long long)((2 * control + 0.2) * 1000), (long long)(attack * 1000))
			TH_LOG("root waited %.3f s, more than 2 x %.3f + 0.2 s", attack, control);
	}
}

TEST_HARNESS_MAIN
