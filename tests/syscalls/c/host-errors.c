/*
 * Errors the host's file system gives, passed through to the guest as Linux gives them: EFBIG past
 * RLIMIT_FSIZE (SIGXFSZ ignored), and with "full" and "ro" directories present (a tiny tmpfs and a
 * read-only one), ENOSPC and EROFS.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, long r) {
  if (r < 0) printf("%s: -1 %s\n", what, strerror(errno));
  else printf("%s: %ld\n", what, r);
}

int main(void) {
  static char chunk[20000];
  memset(chunk, 'x', sizeof chunk);
  signal(SIGXFSZ, SIG_IGN);
  int fd = open("big.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  for (int i = 0; i < 3; i++) show("write past RLIMIT_FSIZE", write(fd, chunk, sizeof chunk));
  show("pwrite past RLIMIT_FSIZE", pwrite(fd, "y", 1, 1 << 20));
  struct stat st;
  if (stat("full", &st) == 0) {
    int full = open("full/file", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    for (int i = 0; i < 3; i++) show("write to a full file system", write(full, chunk, 8192));
    show("mkdir on a full file system", mkdir("full/d", 0755));
  }
  if (stat("ro", &st) == 0) {
    show("open O_CREAT on a read-only file system", open("ro/file", O_WRONLY | O_CREAT, 0644));
    show("mkdir on a read-only file system", mkdir("ro/d", 0755));
    show("rmdir on a read-only file system", rmdir("ro"));
  }
  return 0;
}
