// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz harness "fwdstate": the forwarder's state file (helper/fwdstate.c),
 * which a new forwarder and `execmark status` read after a forwarder was
 * stopped or killed -- or after anyone with write access to /run changed it.
 *
 * Properties: whatever the file holds, fwd_state_read() gives a state with
 * at most FWD_RANGES ranges, each with first <= last; and that state
 * survives a round trip through fwd_state_write() and fwd_state_read()
 * unchanged.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "fwdstate.h"

/* The files live in memory (memfd), opened again by their /proc path. */
static char in_path[64], out_path[64];
static int in_fd, out_fd;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	in_fd = memfd_create("fwdstate-in", MFD_CLOEXEC);
	out_fd = memfd_create("fwdstate-out", MFD_CLOEXEC);
	fuzz_assert(in_fd >= 0 && out_fd >= 0, "memfd_create: %s", strerror(errno));
	snprintf(in_path, sizeof(in_path), "/proc/self/fd/%d", in_fd);
	snprintf(out_path, sizeof(out_path), "/proc/self/fd/%d", out_fd);
	return 0;
}

static void put(int fd, const uint8_t *data, size_t size)
{
	size_t off = 0;

	fuzz_assert(!ftruncate(fd, 0), "ftruncate: %s", strerror(errno));
	while (off < size) {
		ssize_t n = pwrite(fd, data + off, size - off, off);

		fuzz_assert(n > 0, "pwrite: %s", strerror(errno));
		off += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwd_state s, back;
	unsigned int i;

	put(in_fd, data, size);
	fuzz_assert(!fwd_state_read(in_path, &s), "the state file could not be read");
	fuzz_assert(s.fd == -1, "a read state keeps a descriptor");
	fuzz_assert(s.nunreported <= FWD_RANGES, "%u ranges", s.nunreported);
	for (i = 0; i < s.nunreported; i++)
		fuzz_assert(s.unreported[i].first <= s.unreported[i].last,
			    "range %u is %llu-%llu", i,
			    (unsigned long long)s.unreported[i].first,
			    (unsigned long long)s.unreported[i].last);
	fuzz_assert(!s.has_pending || s.pending.first <= s.pending.last,
		    "pending range %llu-%llu",
		    (unsigned long long)s.pending.first,
		    (unsigned long long)s.pending.last);

	/* What is written reads back the same. */
	put(out_fd, NULL, 0);
	s.fd = out_fd;
	s.written = 0;
	fwd_state_write(&s);
	fuzz_assert(s.fd == out_fd, "the state could not be written");
	fuzz_assert(!fwd_state_read(out_path, &back), "the written state could not be read");
	fuzz_assert(back.pid == s.pid && back.undelivered == s.undelivered &&
		    back.dropped == s.dropped && back.nunreported == s.nunreported &&
		    back.has_pending == s.has_pending,
		    "round trip changed the counts");
	for (i = 0; i < s.nunreported; i++)
		fuzz_assert(back.unreported[i].first == s.unreported[i].first &&
			    back.unreported[i].last == s.unreported[i].last,
			    "round trip changed range %u", i);
	fuzz_assert(!s.has_pending || (back.pending.first == s.pending.first &&
				       back.pending.last == s.pending.last),
		    "round trip changed the pending range");
	return 0;
}
