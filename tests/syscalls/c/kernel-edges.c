/*
 * Kernel edge cases, compared with Linux: /dev/stdin /dev/stdout /dev/stderr, pread and pwrite
 * (negative offsets, past the end, holes, O_APPEND, pipes, devices, directories, access modes),
 * kill of this process with signals that are ignored by default or set to SIG_IGN, sigaction's
 * refusals. Run with "hello world" on stdin.
 */
#define _GNU_SOURCE
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
  fflush(stdout);
}

int main(void) {
  char buf[64];
  int in = open("/dev/stdin", O_RDONLY);
  show("open /dev/stdin", in);
  show("read /dev/stdin", read(in, buf, 5));
  int out = open("/dev/stdout", O_WRONLY);
  show("open /dev/stdout", out);
  show("write /dev/stdout", write(out, "via /dev/stdout\n", 16));
  int err = open("/dev/stderr", O_WRONLY);
  show("open /dev/stderr", err);
  show("write /dev/stderr", write(err, "via /dev/stderr\n", 16));
  struct stat sst;
  show("stat /dev/stdout", stat("/dev/stdout", &sst));
  show("access /dev/stdin R_OK", access("/dev/stdin", R_OK));
  show("close 0", close(0));
  show("stat /dev/stdin after close(0)", stat("/dev/stdin", &sst));
  show("open /dev/stdin after close(0)", open("/dev/stdin", O_RDONLY));

  int fd = open("data.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  show("write data", write(fd, "0123456789", 10));
  show("pread at -1", pread(fd, buf, 4, -1));
  show("pwrite at -1", pwrite(fd, "x", 1, -1));
  show("pread past EOF", pread(fd, buf, 4, 100));
  show("pread across EOF", pread(fd, buf, 8, 6));
  show("pwrite past EOF", pwrite(fd, "END", 3, 20));
  struct stat st;
  fstat(fd, &st);
  show("size after pwrite past EOF", st.st_size);
  show("pread the hole", pread(fd, buf, 4, 12));
  printf("hole bytes: %d %d %d %d\n", buf[0], buf[1], buf[2], buf[3]);
  show("lseek position unchanged", lseek(fd, 0, SEEK_CUR));
  show("pread on stdout", pread(1, buf, 1, 0));
  show("pwrite on stdout", pwrite(1, "x", 1, 0));
  show("pread on the /dev/stdin fd", pread(in, buf, 1, 0));
  int dir = open(".", O_RDONLY | O_DIRECTORY);
  show("pread on a directory", pread(dir, buf, 1, 0));
  int null = open("/dev/null", O_RDWR);
  show("pread /dev/null", pread(null, buf, 4, 0));
  show("pwrite /dev/null", pwrite(null, "abc", 3, 0));
  int zero = open("/dev/zero", O_RDONLY);
  buf[0] = 7;
  show("pread /dev/zero", pread(zero, buf, 4, 0));
  printf("zero byte: %d\n", buf[0]);
  int ro = open("data.txt", O_RDONLY);
  show("pwrite read-only fd", pwrite(ro, "x", 1, 0));
  int wo = open("data.txt", O_WRONLY);
  show("pread write-only fd", pread(wo, buf, 1, 0));
  int ap = open("data.txt", O_WRONLY | O_APPEND);
  show("pwrite O_APPEND at 0", pwrite(ap, "APP", 3, 0));
  fstat(fd, &st);
  show("size after O_APPEND pwrite", st.st_size);
  show("pread closed fd", pread(99, buf, 1, 0));
  show("pread closed fd at -1", pread(99, buf, 1, -1));
  int null_ro = open("/dev/null", O_RDONLY);
  show("write /dev/null opened O_RDONLY", write(null_ro, "x", 1));
  show("pwrite on a directory", pwrite(dir, "x", 1, 0));

  show("kill(0, 0)", kill(0, 0));
  show("kill(getpid(), 0)", kill(getpid(), 0));
  show("kill(getpid(), SIGCHLD)", kill(getpid(), SIGCHLD));
  show("kill(0, SIGWINCH)", kill(0, SIGWINCH));
  show("kill(getpid(), SIGURG)", kill(getpid(), SIGURG));
  show("kill(getpid(), SIGCONT)", kill(getpid(), SIGCONT));
  show("kill(getpid(), 65)", kill(getpid(), 65));
  signal(SIGTERM, SIG_IGN);
  show("raise(SIGTERM) ignored", raise(SIGTERM));
  show("kill(getpid(), SIGUSR1 ignored)", (signal(SIGUSR1, SIG_IGN), kill(getpid(), SIGUSR1)));
  printf("SIGTERM was ignored: %d\n", signal(SIGTERM, SIG_DFL) == SIG_IGN);
  struct sigaction sa = {0};
  sa.sa_handler = SIG_IGN;
  show("sigaction(SIGKILL, SIG_IGN)", sigaction(SIGKILL, &sa, 0));
  show("sigaction(SIGSTOP, SIG_IGN)", sigaction(SIGSTOP, &sa, 0));
  show("sigaction(SIGKILL, query)", sigaction(SIGKILL, 0, &sa));
  show("sigaction(0, query)", sigaction(0, 0, &sa));
  printf("still running\n");
  return 0;
}
