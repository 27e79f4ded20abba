/* Conversions and non-local exits: strtol/strtoul/strtod/atof with bases and errors, setjmp/longjmp. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

static jmp_buf env;
static int depth_reached;

static void dive(int depth) {
  volatile char pad[64];
  pad[0] = (char)depth;
  depth_reached = depth + pad[0] - depth;
  if (depth == 50) longjmp(env, depth);
  dive(depth + 1);
}

int main(void) {
  const char *ints[] = {"42", "-17", "0x1f", "0777", "z", "  +99rest", "9223372036854775807", "9223372036854775808",
                        "-9223372036854775809", "101010"};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    char *end;
    errno = 0;
    long v = strtol(ints[i], &end, 0);
    int e = errno;
    printf("strtol(\"%s\", 0) = %ld, rest \"%s\", errno %d\n", ints[i], v, end, e);
  }
  printf("base 2: %ld, base 36: %ld, strtoul(-1): %lu, atoi: %d, atol: %ld\n", strtol("101010", NULL, 2),
         strtol("zz", NULL, 36), strtoul("-1", NULL, 10), atoi("1234xyz"), atol("-98765"));
  const char *reals[] = {"3.14159", "-2.5e-3", "1e308", "1e309", "0x1.8p1", "inf", "nan", "  .5", "4.9e-324",
                         "123456789012345678901234567890", "0.1", "2.2250738585072011e-308"};
  for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
    char *end;
    errno = 0;
    double d = strtod(reals[i], &end);
    printf("strtod(\"%s\") = %.17g (%a), errno %d, used %td\n", reals[i], d, d, errno, end - reals[i]);
  }
  printf("strtof: %.9g, atof: %g, strtold: %.21Lg\n", strtof("0.1", NULL), atof("2.75"), strtold("0.1", NULL));
  int v = setjmp(env);
  if (v == 0) {
    printf("setjmp returned 0, diving\n");
    dive(0);
    printf("not reached\n");
  } else {
    printf("longjmp brought back %d (depth %d)\n", v, depth_reached);
  }
  return 0;
}
