/* 64-bit arithmetic: signed/unsigned division and remainders, overflow builtins, shifts, __int128, bit tricks. */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

static volatile int64_t vs[] = {0, 1, -1, 7, -7, 3, -3, INT64_MAX, INT64_MIN, 1000000007, -123456789012345LL, 255};
static volatile uint64_t vu[] = {0, 1, 2, 0xffffffffffffffffULL, 0x8000000000000000ULL, 0xdeadbeefcafebabeULL, 10, 1ULL << 32};

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) { return (uint64_t)((unsigned __int128)a * b % m); }

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m) {
  uint64_t r = 1;
  for (b %= m; e; e >>= 1, b = mulmod(b, b, m))
    if (e & 1) r = mulmod(r, b, m);
  return r;
}

int main(void) {
  size_t ns = sizeof vs / sizeof vs[0], nu = sizeof vu / sizeof vu[0];
  for (size_t i = 0; i < ns; i++)
    for (size_t j = 0; j < ns; j++) {
      int64_t a = vs[i], b = vs[j];
      if (b == 0 || (a == INT64_MIN && b == -1)) continue;
      printf("%" PRId64 "/%" PRId64 "=%" PRId64 " r%" PRId64 "\n", a, b, a / b, a % b);
    }
  for (size_t i = 0; i < nu; i++)
    for (size_t j = 0; j < nu; j++) {
      uint64_t a = vu[i], b = vu[j];
      if (b) printf("%" PRIu64 "u/%" PRIu64 "=%" PRIu64 " r%" PRIu64 "\n", a, b, a / b, a % b);
    }
  for (size_t i = 0; i < ns; i++) {
    int64_t a = vs[i], r1, r2, r3;
    int64_t b = vs[(i + 3) % ns];
    printf("add %d sub %d mul %d |", __builtin_add_overflow(a, b, &r1), __builtin_sub_overflow(a, b, &r2),
           __builtin_mul_overflow(a, b, &r3));
    printf(" %" PRId64 " >> 3 = %" PRId64 ", << 5 = %" PRIx64 "\n", a, a >> 3, (uint64_t)a << 5);
  }
  for (size_t i = 0; i < nu; i++) {
    uint64_t x = vu[i];
    int lz = x ? __builtin_clzll(x) : 64, tz = x ? __builtin_ctzll(x) : 64;
    printf("%016" PRIx64 ": popcount %d clz %d ctz %d parity %d bswap %016" PRIx64 " rotl %016" PRIx64 "\n", x,
           __builtin_popcountll(x), lz, tz, __builtin_parityll(x), __builtin_bswap64(x), (x << 13) | (x >> 51));
  }
  unsigned __int128 big = (unsigned __int128)vu[5] * vu[3];
  printf("128-bit product: %016" PRIx64 "%016" PRIx64 "\n", (uint64_t)(big >> 64), (uint64_t)big);
  __int128 sbig = (__int128)vs[8] * vs[7];
  printf("signed 128: hi %" PRId64 " lo %" PRIu64 "\n", (int64_t)(sbig >> 64), (uint64_t)sbig);
  unsigned __int128 q = big / 1000000007u;
  printf("128 / 1e9+7: %016" PRIx64 "%016" PRIx64 " r %" PRIu64 "\n", (uint64_t)(q >> 64), (uint64_t)q,
         (uint64_t)(big % 1000000007u));
  printf("powmod: %" PRIu64 " %" PRIu64 "\n", powmod(2, 1000000, 1000000007), powmod(vu[5], vu[3], 0xffffffffffffffc5ULL));
  uint64_t h = 1469598103934665603ULL;
  for (int i = 0; i < 100000; i++) h = (h ^ (uint64_t)i) * 1099511628211ULL;
  printf("fnv %016" PRIx64 "\n", h);
  int32_t i32 = INT32_MIN;
  uint32_t u32 = 0xffffffffu;
  int16_t s16 = -32768;
  int8_t s8 = -128;
  printf("narrow: %d %u %d %d %lld %llu\n", i32 / 3, u32 / 7u, s16 / 3, s8 % 5, (long long)i32 * 3, (unsigned long long)u32 * u32);
  return 0;
}
