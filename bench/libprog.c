// SPDX-License-Identifier: GPL-2.0
/* libprog: linked against libbench0.so .. libbench19.so (DT_NEEDED, found
 * through the run path $ORIGIN/libs), so each exec maps all 20. */
#define CAT(a, b) a##b
#define F(n) extern int CAT(bench, n)(void);
F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9)
F(10) F(11) F(12) F(13) F(14) F(15) F(16) F(17) F(18) F(19)

int main(void)
{
	return bench0() + bench1() + bench2() + bench3() + bench4() +
	       bench5() + bench6() + bench7() + bench8() + bench9() +
	       bench10() + bench11() + bench12() + bench13() + bench14() +
	       bench15() + bench16() + bench17() + bench18() + bench19() - 190;
}
