/* printf of doubles: musl formats every double through long double (x87) code. */
#include <float.h>
#include <math.h>
#include <stdio.h>

static const double values[] = {
    0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 0.5, 1.5, 2.5, 3.25, 0.125, 0.375, 9.995, 1.005,
    123456789.0, 1e15, 1e16, 1e17, 1e21, 1e22, 1e23, 1e300, 1e-300, 5e-324, 2.2250738585072014e-308,
    2.2250738585072009e-308, DBL_MAX, DBL_MIN, DBL_EPSILON, 4503599627370496.5, 9007199254740993.0,
    3.141592653589793, 2.718281828459045, 1e-5, 1e-4, 123.456, 0.000123456, 6.02214076e23, 1.602176634e-19,
};

int main(void) {
  const int n = sizeof values / sizeof values[0];
  for (int i = 0; i < n; i++) {
    double v = values[i];
    printf("%d: %f | %e | %g | %a\n", i, v, v, v, v);
    printf("   %.0f | %.1f | %.2f | %.3e | %.10g | %.17g | %.20e\n", v, v, v, v, v, v, v);
    printf("   [%12.4f] [%-12.3e] [%+g] [% .5g] [%#.0f] [%#g] [%012.3f] [%.3a] [%A]\n", v, v, v, v, v, v, v, v,
           v);
  }
  printf("%f %f %f %e %g %g\n", INFINITY, -INFINITY, NAN, INFINITY, -NAN, NAN);
  printf("%.0f %.0f %.0f %.0f %.0f %.0f\n", 0.5, 1.5, 2.5, 3.5, -0.5, -2.5);
  printf("%.1f %.1f %.1f %.2f %.2f\n", 0.05, 0.15, 0.25, 0.125, 0.375);
  printf("%.340f\n", 5e-324);
  printf("%.0f\n", DBL_MAX);
  double x = 1.0;
  for (int i = 0; i < 40; i++) {
    printf("%.17g %g %a\n", x, x, x);
    x = x * 7.3 + 0.1 / (i + 1);
  }
  double y = 1.0;
  for (int i = 0; i < 30; i++) {
    y /= 3.7;
    printf("%.15e %.6g\n", y, y);
  }
  return 0;
}
