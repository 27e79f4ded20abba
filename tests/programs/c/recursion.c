/* Recursion: Ackermann, towers of Hanoi, permutations, N-queens, and deep mutual recursion. */
#include <stdio.h>
#include <string.h>

static long ack(long m, long n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

static long moves;
static void hanoi(int n, char from, char to, char via, int print) {
  if (n == 0) return;
  hanoi(n - 1, from, via, to, print);
  moves++;
  if (print) printf("move %d %c->%c\n", n, from, to);
  hanoi(n - 1, via, to, from, print);
}

static int perms;
static void permute(char *s, int k, int n) {
  if (k == n) {
    if (++perms <= 8 || perms % 100 == 0) printf("%s ", s);
    return;
  }
  for (int i = k; i < n; i++) {
    char t = s[k]; s[k] = s[i]; s[i] = t;
    permute(s, k + 1, n);
    t = s[k]; s[k] = s[i]; s[i] = t;
  }
}

static int queens(int row, int n, unsigned cols, unsigned d1, unsigned d2) {
  if (row == n) return 1;
  int count = 0;
  for (int c = 0; c < n; c++) {
    if ((cols >> c & 1) || (d1 >> (row + c) & 1) || (d2 >> (row - c + n) & 1)) continue;
    count += queens(row + 1, n, cols | 1u << c, d1 | 1u << (row + c), d2 | 1u << (row - c + n));
  }
  return count;
}

static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
  printf("ack(2,3)=%ld ack(3,5)=%ld\n", ack(2, 3), ack(3, 5));
  hanoi(3, 'A', 'C', 'B', 1);
  moves = 0;
  hanoi(16, 'A', 'C', 'B', 0);
  printf("hanoi(16): %ld moves\n", moves);
  char s[] = "abcdef";
  permute(s, 0, (int)strlen(s));
  printf("\n%d permutations\n", perms);
  for (int n = 4; n <= 8; n++) printf("queens(%d)=%d\n", n, queens(0, n, 0, 0, 0));
  printf("even(10001)=%d odd(7777)=%d\n", is_even(10001), is_odd(7777));
  printf("fib(24)=%ld\n", fib(24));
  return 0;
}
