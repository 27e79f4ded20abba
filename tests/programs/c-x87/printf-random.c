/* Random doubles and long doubles (xorshift bit patterns, fixed seed) through printf and strtod. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9e3779b97f4a7c15u;

static uint64_t next(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

int main(void) {
  int bad = 0;
  for (int i = 0; i < 600; i++) {
    uint64_t bits = next();
    if (i % 3 == 0) bits = (bits & 0x800fffffffffffffu) | ((uint64_t)(1023 + (int)(next() % 120) - 60) << 52);
    double d;
    memcpy(&d, &bits, 8);
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", d);
    double back = strtod(buf, NULL);
    if (memcmp(&back, &d, 8) != 0 && d == d) bad++;
    printf("%s %.3e %a %g %.10f\n", buf, d, d, d, d > -1e20 && d < 1e20 ? d : 0.0);
    long double l = (long double)d * (long double)(int64_t)(next() >> 40) + 0.1L;
    printf("  %.21Lg %La %.5Lf\n", l, l, l > -1e20L && l < 1e20L ? l : 0.0L);
  }
  printf("round-trip failures: %d\n", bad);
  return 0;
}
