/* Rounding modes and exception flags through <fenv.h> (x87 control/status word and MXCSR). */
#include <fenv.h>
#include <math.h>
#include <stdio.h>

static void show(const char *name) {
  volatile long double a = 1.0L, b = 3.0L;
  volatile double c = 2.0, d = 3.0;
  long double q = a / b;
  printf("%s: %.21Lg %.17g rintl(2.5) %Lg rintl(-2.5) %Lg lrintl(3.5) %ld nearbyintl(0.5) %Lg %.3f %.0f\n", name,
         q, (double)(c / d), rintl(2.5L), rintl(-2.5L), lrintl(3.5L), nearbyintl(0.5L), 2.0005, 0.5);
}

int main(void) {
  show("nearest");
  fesetround(FE_UPWARD);
  show("upward");
  fesetround(FE_DOWNWARD);
  show("downward");
  fesetround(FE_TOWARDZERO);
  show("towardzero");
  fesetround(FE_TONEAREST);
  feclearexcept(FE_ALL_EXCEPT);
  volatile long double z = 0.0L, one = 1.0L;
  long double r = one / z;
  printf("1/0 = %Lg, divbyzero %d inexact %d\n", r, !!fetestexcept(FE_DIVBYZERO), !!fetestexcept(FE_INEXACT));
  feclearexcept(FE_ALL_EXCEPT);
  r = one / 3;
  printf("1/3 inexact %d invalid %d\n", !!fetestexcept(FE_INEXACT), !!fetestexcept(FE_INVALID));
  feclearexcept(FE_ALL_EXCEPT);
  r = sqrtl(-one);
  printf("sqrtl(-1) = %Lg invalid %d\n", r, !!fetestexcept(FE_INVALID));
  fenv_t env;
  fegetenv(&env);
  fesetround(FE_UPWARD);
  fesetenv(&env);
  printf("round after fesetenv %d\n", fegetround() == FE_TONEAREST);
  printf("round mode %d\n", fegetround());
  return 0;
}
