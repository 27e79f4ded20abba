/* strtod/strtold/strtof/sscanf round trips: musl's decimal conversion uses long double. */
#include <stdio.h>
#include <stdlib.h>

static const char *inputs[] = {
    "0", "-0", "1", "0.1", "0.2", "0.3", "1e23", "8.98846567431158e307", "1.7976931348623157e308",
    "1.7976931348623159e308", "2.2250738585072011e-308", "2.2250738585072012e-308", "4.9406564584124654e-324",
    "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400", "1e400", "9007199254740993",
    "9007199254740992.5", "123456789012345678901234567890", "0.000000000000000000000000000001",
    "3.14159265358979323846264338327950288", "2.71828182845904523536", "0x1.8p3", "0x1.fffffffffffffp1023",
    "-0x1p-1074", "inf", "-infinity", "nan", "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203124", "7.038531e-26", "3.4028235e38", "1.17549435e-38",
    "  42.5xyz", "1e", ".5", "5.", "-.125e+2",
};

int main(void) {
  const int n = sizeof inputs / sizeof inputs[0];
  for (int i = 0; i < n; i++) {
    char *end;
    double d = strtod(inputs[i], &end);
    long double ld = strtold(inputs[i], NULL);
    float f = strtof(inputs[i], NULL);
    printf("%s -> %.17g %a | %.21Lg %La | %.9g %a | rest '%s'\n", inputs[i], d, d, ld, ld, f, f, end);
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", d);
    double back = strtod(buf, NULL);
    printf("   round trip %s %s\n", buf, back == d || d != d ? "ok" : "BAD");
  }
  double x;
  long double y;
  float z;
  if (sscanf("1.25e-3 6.5e1000 0.1", "%lf %Lf %f", &x, &y, &z) == 3) printf("%g %Lg %.9g\n", x, y, z);
  double acc = 0.1;
  for (int i = 0; i < 200; i++) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", acc);
    if (strtod(buf, NULL) != acc) printf("mismatch at %d: %s\n", i, buf);
    acc = acc * 1.37 + 1e-3;
  }
  printf("done\n");
  return 0;
}
