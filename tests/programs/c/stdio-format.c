/* stdio formatting: integer and floating-point conversions, widths, precisions and flags, sprintf/snprintf. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const double doubles[] = {
    0.0, -0.0, 1.0, -1.5, 0.1, 2.0 / 3.0, 3.141592653589793, 1e-5, 123456.789, 1e21, 1e300,
    5e-324, 2.2250738585072014e-308, DBL_MAX, 9007199254740993.0, 0.5, 1.5, 2.5, 1e100 / 3,
};

int main(void) {
  printf("[%d] [%5d] [%-5d] [%05d] [%+d] [% d] [%x] [%#X] [%o] [%#o]\n", 42, 42, 42, 42, 42, 42, 255, 255, 8,
         8);
  printf("[%d] [%u] [%ld] [%lld] [%llu] [%hhd] [%hd] [%zu]\n", INT_MIN, UINT_MAX, LONG_MIN, LLONG_MAX,
         ULLONG_MAX, (signed char)200, (short)70000, sizeof(long double));
  printf("[%s] [%10s] [%-10s|] [%.3s] [%c] [%%] [%5c]\n", "abc", "right", "left", "truncate", 'x', 'y');
  printf("[%*d] [%-*d] [%.*f] [%jd] [%" PRId64 "]\n", 6, 7, 6, 7, 2, 3.14159, (intmax_t)-9, (int64_t)1 << 40);
  for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
    double d = doubles[i];
    printf("%zu: %f | %.0f | %.10f | %e | %.3E | %g | %.15g | %.17g | %12.4f | %-12.2e| %+g | %a\n", i, d, d, d,
           d, d, d, d, d, d, d, d, d);
  }
  printf("%f %f %F %g %e\n", INFINITY, -INFINITY, NAN, -NAN, INFINITY);
  printf("%g %g %g %g %g %g\n", 100000.0, 1000000.0, 1e-4, 1e-5, 0.0001234, 123456789.0);
  printf("%#g %#.0f %#x %#o\n", 1.0, 3.0, 0, 0);
  float f = 1.1f;
  printf("%f %.9g %g\n", f, f, (double)f * 3);
  long double ld = 1.0L / 3.0L;
  printf("%Lf %.20Lg %Le\n", ld, ld, ld * 1e4000L);

  char buf[32];
  int n = snprintf(buf, sizeof buf, "%s-%d-%.2f", "snprintf", 12345, 2.0 / 7);
  printf("snprintf -> %d \"%s\"\n", n, buf);
  n = snprintf(buf, 8, "%s", "this does not fit");
  printf("truncated -> %d \"%s\" %zu\n", n, buf, strlen(buf));
  n = snprintf(NULL, 0, "%d %g", 1000000, 1e-10);
  printf("measure -> %d\n", n);
  char big[256];
  n = sprintf(big, "%08.3f|%-8x|%+.2e|%5.1s|", -3.14159, 0xbeefu, 12345.678, "xyz");
  printf("sprintf -> %d %s\n", n, big);
  fprintf(stderr, "to stderr: %d %s %.1f\n", -1, "err", 9.95);
  puts("puts adds a newline");
  fputs("fputs does not\n", stdout);
  putchar('!');
  putchar('\n');
  return 0;
}
