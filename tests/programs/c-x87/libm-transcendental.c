/* long double exp/log/atan family: musl implements these with f2xm1, fyl2x, fyl2xp1 and fpatan. */
#include <math.h>
#include <stdio.h>

static const long double xs[] = {0.0L, 0.5L, 1.0L, 1.5L, 2.0L, 3.0L, 10.0L, 0.1L, 0.001L, 1e-10L, 100.0L,
                                 -0.5L, -1.0L, -2.25L, 7.389056L, 1e300L, 1e-300L};

int main(void) {
  const int n = sizeof xs / sizeof xs[0];
  for (int i = 0; i < n; i++) {
    long double x = xs[i];
    long double ax = fabsl(x);
    printf("x=%Lg\n", x);
    printf("  expl %.15Le exp2l %.15Le expm1l %.15Le\n", expl(x), exp2l(x), expm1l(x));
    printf("  logl %.15Le log2l %.15Le log10l %.15Le log1pl %.15Le\n", logl(ax), log2l(ax), log10l(ax),
           log1pl(ax));
    printf("  atanl %.15Le atan2l %.15Le %.15Le asinl %.15Le acosl %.15Le\n", atanl(x), atan2l(x, 3.0L),
           atan2l(-1.0L, x), asinl(x / (1 + ax)), acosl(x / (1 + ax)));
    printf("  powl %.15Le sqrtl %.15Le cbrtl %.15Le hypotl %.15Le\n", powl(ax, 0.75L), sqrtl(ax), cbrtl(x),
           hypotl(x, 2.0L));
  }
  printf("exp(1) %.18Lg pi %.18Lg ln2 %.18Lg\n", expl(1.0L), 4 * atanl(1.0L), logl(2.0L));
  printf("%Lg %Lg %Lg %Lg\n", expl(20000.0L), expl(-20000.0L), logl(0.0L), log2l(INFINITY));
  double d = 0.7;
  printf("double: exp %.15g log %.15g pow %.15g atan2 %.15g\n", exp(d), log(d), pow(d, 3.3), atan2(d, -d));
  return 0;
}
