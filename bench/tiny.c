// SPDX-License-Identifier: GPL-2.0
/* tiny: a static program of a few KiB that exits at once; vm-bench.sh makes
 * 1,000 distinct files of it (a different trailing number on each). */
void _start(void)
{
	__asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
}
