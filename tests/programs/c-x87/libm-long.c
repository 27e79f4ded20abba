/* long double libm functions musl implements with x87 instructions on x86_64. */
#include <math.h>
#include <stdio.h>

static const long double xs[] = {0.0L, -0.0L, 0.5L, 1.0L, 1.5L, 2.5L, -2.5L, 3.7L, -3.7L, 10.0L, 1e10L, 123.456L,
                                 -7.25L, 1e-3L, 1e300L, 2.0L / 3};

int main(void) {
  const int n = sizeof xs / sizeof xs[0];
  for (int i = 0; i < n; i++) {
    long double x = xs[i];
    int e;
    long double ip;
    printf("%Lg: sqrtl %.21Lg floorl %Lg ceill %Lg truncl %Lg rintl %Lg roundl %Lg\n", x, sqrtl(fabsl(x)),
           floorl(x), ceill(x), truncl(x), rintl(x), roundl(x));
    long double fr = frexpl(x, &e);
    long double frac = modfl(x, &ip);
    printf("   frexpl %La %d ldexpl %La modfl %La %La fabsl %Lg\n", fr, e, ldexpl(x, 7), frac, ip, fabsl(x));
    printf("   fmodl %.21Lg remainderl %.21Lg lrintl %ld llrintl %lld\n", fmodl(x, 0.7L), remainderl(x, 0.7L),
           lrintl(x), llrintl(x));
    int q = 0;
    long double r = remquol(x, 1.3L, &q);
    printf("   remquol %.21Lg %d scalbnl %Lg logbl %Lg ilogbl %d\n", r, q, scalbnl(x, -3), logbl(x),
           x != 0 ? ilogbl(x) : 0);
    printf("   double: sqrt %.17g floor %g ceil %g fmod %.17g rint %g\n", sqrt(fabs((double)x)), floor((double)x),
           ceil((double)x), fmod((double)x, 0.7), rint((double)x));
  }
  printf("fmodl big %.21Lg %.21Lg\n", fmodl(1e300L, 3.0L), fmodl(1e4000L, 0.1L));
  printf("remainderl big %.21Lg\n", remainderl(1e300L, 7.0L));
  printf("sqrtl 2 %.21Lg %La\n", sqrtl(2.0L), sqrtl(2.0L));
  printf("fmod double %.17g %.17g\n", fmod(1e300, 3.0), fmod(-5.5, 2.0));
  return 0;
}
