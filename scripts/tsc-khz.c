// SPDX-License-Identifier: GPL-2.0
/*
 * tsc-khz: print the host's TSC frequency in kHz, the TSC counted against
 * CLOCK_MONOTONIC_RAW over 200 ms. Both count wall time, so the result
 * holds when the process is descheduled meanwhile (a loaded host).
 *
 * scripts/vm.sh gives it to the guest kernel as tsc_early_khz=: under
 * QEMU's software emulation the guest's TSC is the host's, and the guest's
 * own calibration against the emulated PIT fails or goes wrong when the
 * host is busy (Documentation/building.rst, "Booting").
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static int now(double *t)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC_RAW, &ts))
		return -1;
	*t = ts.tv_sec + ts.tv_nsec / 1e9;
	return 0;
}

int main(void)
{
	struct timespec d = { 0, 200000000 };
	unsigned long long c0, c1;
	double t0, t1;

	if (now(&t0))
		return 1;
	c0 = __rdtsc();
	while (nanosleep(&d, &d))
		if (errno != EINTR)
			return 1;
	c1 = __rdtsc();
	if (now(&t1) || t1 <= t0 || c1 <= c0)
		return 1;
	printf("%.0f\n", (c1 - c0) / (t1 - t0) / 1000);
	return 0;
}
