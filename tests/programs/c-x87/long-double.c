/* long double (x87 80-bit) arithmetic and printing. */
#include <float.h>
#include <stdint.h>
#include <stdio.h>

static long double horner(long double x) { return ((x * 0.5L + 1.25L) * x - 3.0L) * x + 0.1L; }

int main(void) {
  long double third = 1.0L / 3;
  printf("%Lf %Le %Lg %La\n", third, third, third, third);
  printf("%.25Lf %.21Lg %.30Le\n", third, third, third);
  printf("%Lg %Lg %Lg %La\n", LDBL_MAX, LDBL_MIN, LDBL_EPSILON, LDBL_MAX);
  printf("%Lg %La %.30Lg\n", LDBL_TRUE_MIN, LDBL_TRUE_MIN, LDBL_MIN / 3);
  long double s = 0;
  for (int i = 1; i <= 1000; i++) s += 1.0L / ((long double)i * i);
  printf("zeta2 %.21Lg\n", s);
  long double f = 1;
  for (int i = 1; i <= 30; i++) {
    f *= i;
    printf("%d! = %.0Lf %La\n", i, f, f);
  }
  long double h = 0.1L;
  for (int i = 0; i < 20; i++) {
    h = horner(h) / 7;
    printf("h %.20Lg\n", h);
  }
  int64_t big = INT64_MAX;
  long double lb = (long double)big;
  printf("%.0Lf %lld %llu\n", lb, (long long)(lb - 1), (unsigned long long)(lb * 1.5L));
  uint64_t u = UINT64_MAX;
  long double lu = (long double)u;
  printf("%.0Lf %llu\n", lu, (unsigned long long)(lu / 3));
  double d = (double)third;
  float fl = (float)third;
  printf("%.20g %.10g %d %d %d\n", d, fl, third > d, third < (long double)fl, (long double)d == third);
  long double a = 1e4000L, b = 1e-4000L;
  printf("%Lg %Lg %Lg %Lg\n", a, b, a * b, a / b);
  printf("%Lg %Lg\n", a * a, b * b);
  long double neg = -2.5L;
  printf("%lld %lld %Lg\n", (long long)neg, (long long)(neg * 3), -neg);
  return 0;
}
