/*
 * mmap of a file, compared with Linux: private mappings (zero past the end of the file in the
 * last page, writes kept private), shared mappings (written back at msync, munmap and exit, never
 * past the end of the file), and the refusals (unaligned offset, write-only fd, a writable shared
 * mapping of a read-only fd).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *outcome(void *p) { return p == MAP_FAILED ? strerror(errno) : "mapped"; }

static void show_file(int fd, const char *when) {
  char buf[32] = {0};
  long n = pread(fd, buf, sizeof buf - 1, 0);
  printf("file %s: %ld bytes: %s\n", when, n, buf);
}

int main(void) {
  int fd = open("small.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  write(fd, "0123456789", 10);
  char *p = mmap(0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  printf("private: %c%c, past the end in the last page: %d\n", p[0], p[9], p[10] + p[4095]);
  p[0] = 'P';
  munmap(p, 8192);
  show_file(fd, "after a private write");

  char *s = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  printf("shared: %s\n", outcome(s));
  s[1] = 'S';
  s[20] = 'X'; // past the end of the file: not written to it
  printf("msync: %d\n", msync(s, 4096, MS_SYNC));
  show_file(fd, "after msync");
  s[2] = 'U';
  printf("munmap: %d\n", munmap(s, 4096));
  show_file(fd, "after munmap");

  char *o = mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
  printf("offset past the end: %s\n", outcome(o));
  printf("unaligned offset: %s\n", outcome(mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 100)));
  int wo = open("small.txt", O_WRONLY);
  printf("write-only fd: %s\n", outcome(mmap(0, 4096, PROT_READ, MAP_PRIVATE, wo, 0)));
  int ro = open("small.txt", O_RDONLY);
  printf("shared writable, read-only fd: %s\n", outcome(mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0)));
  printf("shared read-only, read-only fd: %s\n", outcome(mmap(0, 4096, PROT_READ, MAP_SHARED, ro, 0)));
  int r = msync((char *)o + 1, 1, MS_SYNC);
  printf("msync unaligned: %d %s\n", r, strerror(errno));

  // Written at exit, with the mapping still in place and the fd closed.
  char *last = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  last[3] = 'E';
  return 0;
}
