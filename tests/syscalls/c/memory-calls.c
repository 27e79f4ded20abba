/*
 * Memory calls compared with Linux: mmap's refusals, munmap and mprotect over holes, mremap
 * (shrink, grow in place, move with the contents), msync of anonymous memory, and realloc of a
 * large block (musl moves it with mremap).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void show(const char *what, long r) {
  if (r == -1) printf("%s: -1 %s\n", what, strerror(errno));
  else printf("%s: %s\n", what, r == 0 ? "0" : "ok");
}

static long mapped(void *p) { return p == MAP_FAILED ? -1 : 1; }

int main(void) {
  int anon = MAP_PRIVATE | MAP_ANONYMOUS;
  show("mmap length 0", mapped(mmap(0, 0, PROT_READ, anon, -1, 0)));
  show("mmap without a type", mapped(mmap(0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0)));
  show("mmap fixed, unaligned", mapped(mmap((void *)0x10000001, 4096, PROT_READ, anon | MAP_FIXED, -1, 0)));
  show("mmap a bad fd", mapped(mmap(0, 4096, PROT_READ, MAP_PRIVATE, 99, 0)));
  show("mmap 1 PiB", mapped(mmap(0, 1UL << 50, PROT_READ, anon, -1, 0)));

  char *p = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, anon, -1, 0);
  show("munmap unaligned", munmap(p + 1, 4096));
  show("munmap length 0", munmap(p, 0));
  show("munmap the middle page", munmap(p + 4096, 4096));
  show("munmap it again", munmap(p + 4096, 4096));
  show("mprotect over the hole", mprotect(p, 3 * 4096, PROT_READ));
  show("mprotect length 0", mprotect(p, 0, PROT_READ));
  show("mprotect unknown bits", mprotect(p, 4096, 0x100));
  show("msync anonymous", msync(p + 2 * 4096, 4096, MS_SYNC));
  show("msync over the hole", msync(p, 3 * 4096, MS_SYNC));

  char *q = mmap(0, 4 * 4096, PROT_READ | PROT_WRITE, anon, -1, 0);
  memset(q, 'q', 4 * 4096);
  char *s = mremap(q, 4 * 4096, 4096, 0);
  show("mremap shrink in place", s == q ? 1 : -1);
  show("the tail is gone", msync(q + 4096, 4096, MS_SYNC));
  char *g = mremap(q, 4096, 2 * 4096, 0);
  show("mremap grow in place into the freed pages", g == q ? 1 : -1);
  printf("kept: %c, new page zero: %d\n", g[0], g[4096]);
  char *block = mmap(0, 4096, PROT_READ | PROT_WRITE, anon, -1, 0);
  char *after = mmap(block + 4096, 4096, PROT_READ, anon | MAP_FIXED, -1, 0);
  block[10] = 'b';
  show("mremap grow, no room, not allowed to move", mapped(mremap(block, 4096, 8192, 0)));
  char *moved = mremap(block, 4096, 8192, MREMAP_MAYMOVE);
  show("mremap grow, moved", moved != MAP_FAILED && moved != block ? 1 : -1);
  printf("moved contents: %c\n", moved[10]);
  show("the old place is free", msync(block, 4096, MS_SYNC));
  show("mremap unaligned", mapped(mremap(moved + 1, 4096, 8192, MREMAP_MAYMOVE)));
  show("mremap unknown flags", mapped(mremap(moved, 4096, 8192, 8)));
  (void)after;

  char *big = malloc(1 << 20);
  memset(big, 7, 1 << 20);
  big = realloc(big, 4 << 20);
  long sum = 0;
  for (int i = 0; i < (1 << 20); i += 4096) sum += big[i];
  printf("realloc kept the contents: %ld\n", sum);
  free(big);
  return 0;
}
