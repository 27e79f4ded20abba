/*
 * File calls compared with Linux: lseek, ftruncate and truncate, fsync, dup/dup2/dup3 (a dup
 * shares the offset), fcntl (FD_CLOEXEC, F_GETFL, F_DUPFD), readv/writev, umask with open and
 * mkdir, readdir and rewinddir, chmod, names ending in "/", nanosleep, sched_yield.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r) {
  if (r < 0) printf("%s: -1 %s\n", what, strerror(errno));
  else printf("%s: %ld\n", what, r);
}

static int entries(DIR *dir) {
  int n = 0;
  while (readdir(dir)) n++;
  return n;
}

int main(void) {
  int fd = open("f.txt", O_RDWR | O_CREAT | O_TRUNC, 0666);
  show("write", write(fd, "hello world", 11));
  show("lseek SEEK_END -3", lseek(fd, -3, SEEK_END));
  show("lseek SEEK_CUR -100", lseek(fd, -100, SEEK_CUR));
  show("lseek past the end", lseek(fd, 100, SEEK_SET));
  show("lseek whence 7", lseek(fd, 0, 7));
  show("lseek on stdin (a pipe)", lseek(0, 0, SEEK_CUR));
  show("ftruncate 4", ftruncate(fd, 4));
  struct stat st;
  fstat(fd, &st);
  show("size", st.st_size);
  int ro = open("f.txt", O_RDONLY);
  show("ftruncate a read-only fd", ftruncate(ro, 0));
  show("ftruncate -1", ftruncate(fd, -1));
  show("truncate 6", truncate("f.txt", 6));
  show("truncate a directory", (mkdir("d", 0777), truncate("d", 0)));
  show("truncate a missing file", truncate("nope", 0));
  show("fsync", fsync(fd));
  show("fdatasync", fdatasync(fd));
  show("fsync stdout", fsync(1));
  show("fsync bad fd", fsync(99));

  show("dup2 same fd", dup2(fd, fd));
  show("dup3 same fd", dup3(fd, fd, 0));
  show("dup2 bad fd", dup2(99, 50));
  int twin = dup(fd);
  lseek(fd, 0, SEEK_SET);
  show("write through the dup", write(twin, "HE", 2));
  show("offset seen by the original", lseek(fd, 0, SEEK_CUR));
  show("F_GETFD", fcntl(fd, F_GETFD));
  show("F_SETFD", fcntl(fd, F_SETFD, FD_CLOEXEC));
  show("F_GETFD after", fcntl(fd, F_GETFD));
  show("F_GETFD of the dup", fcntl(twin, F_GETFD));
  show("F_GETFL", fcntl(fd, F_GETFL));
  show("F_GETFL O_APPEND|O_CLOEXEC", fcntl(open("f.txt", O_WRONLY | O_APPEND | O_CLOEXEC), F_GETFL));
  show("F_GETFD O_CLOEXEC", fcntl(open("f.txt", O_RDONLY | O_CLOEXEC), F_GETFD));
  show("F_SETFL O_APPEND", fcntl(twin, F_SETFL, O_APPEND));
  show("F_GETFL of the original", fcntl(fd, F_GETFL));
  show("F_SETFL O_APPEND|O_NONBLOCK|O_RDONLY", fcntl(twin, F_SETFL, O_APPEND | O_NONBLOCK | O_RDONLY));
  show("F_GETFL (the access mode stays)", fcntl(fd, F_GETFL));
  show("F_SETFL O_APPEND", fcntl(twin, F_SETFL, O_APPEND));
  show("F_DUPFD 50", fcntl(fd, F_DUPFD, 50));
  show("F_DUPFD_CLOEXEC", fcntl(fcntl(fd, F_DUPFD_CLOEXEC, 60), F_GETFD));
  show("dup3 O_CLOEXEC", fcntl(dup3(fd, 70, O_CLOEXEC), F_GETFD));
  show("dup3 bad flags", dup3(fd, 71, 1));

  char a[3], b[10] = {0};
  struct iovec iov[2] = {{a, 3}, {b, 10}};
  lseek(fd, 0, SEEK_SET);
  show("readv", readv(fd, iov, 2));
  struct iovec w[2] = {{"ab", 2}, {"cd", 2}};
  show("writev", writev(fd, w, 2));

  show("umask", umask(077));
  show("umask again", umask(027));
  close(open("masked.txt", O_CREAT | O_WRONLY, 0666));
  stat("masked.txt", &st);
  printf("created with umask 027: %o\n", st.st_mode & 0777);
  mkdir("masked", 0777);
  stat("masked", &st);
  printf("mkdir with umask 027: %o\n", st.st_mode & 0777);
  show("chmod", chmod("f.txt", 0600));
  stat("f.txt", &st);
  printf("mode after chmod: %o\n", st.st_mode & 0777);
  show("fchmod", fchmod(fd, 0640));
  fstat(fd, &st);
  printf("mode after fchmod: %o\n", st.st_mode & 0777);
  show("chmod a missing file", chmod("nope", 0600));

  close(open("d/x", O_CREAT | O_WRONLY, 0644));
  close(open("d/y", O_CREAT | O_WRONLY, 0644));
  mkdir("d/z", 0755);
  DIR *dir = opendir("d");
  printf("readdir: %d entries\n", entries(dir));
  rewinddir(dir);
  printf("after rewinddir: %d entries\n", entries(dir));
  closedir(dir);
  dir = opendir("d");
  int dirs = 0, files = 0;
  for (struct dirent *e; (e = readdir(dir));) {
    if (e->d_type == DT_DIR) dirs++;
    if (e->d_type == DT_REG) files++;
  }
  printf("directories (., .., z): %d, files: %d\n", dirs, files);
  closedir(dir);
  show("getdents64 on a file", (long)(opendir("f.txt") ? 0 : -1));

  show("open a file with a trailing slash", open("f.txt/", O_RDONLY));
  show("create with a trailing slash", open("new/", O_CREAT | O_WRONLY, 0644));
  show("open a missing name with a trailing slash", open("missing/", O_RDONLY));
  show("open a directory with a trailing slash", open("d/", O_RDONLY) >= 0);
  show("mkdir with a trailing slash", mkdir("e/", 0755));

  show("access F_OK", access("f.txt", F_OK));
  show("access R_OK|W_OK", access("f.txt", R_OK | W_OK));
  show("access X_OK on a file without x", access("f.txt", X_OK));
  chmod("f.txt", 0755);
  show("access X_OK after chmod 755", access("f.txt", X_OK));
  show("access X_OK on a directory", access("d", X_OK));
  show("access a missing file", access("nope", F_OK));
  show("access bad mode", access("f.txt", 8));
  show("access /dev/null R_OK|W_OK", access("/dev/null", R_OK | W_OK));
  show("faccessat", faccessat(AT_FDCWD, "d/x", R_OK, 0));
  struct timespec ts = {0, 1000};
  show("nanosleep", nanosleep(&ts, 0));
  struct timespec bad = {0, 1000000000};
  show("nanosleep bad nsec", nanosleep(&bad, 0));
  show("sched_yield", sched_yield());
  struct timespec t0, t1, wall0, wall1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  clock_gettime(CLOCK_REALTIME, &wall0);
  struct timespec fifth = {0, 200000000};
  nanosleep(&fifth, 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
  printf("200 ms asleep: at least 200 ms passed: %d\n", ms >= 200 && ms < 5000);
  struct timespec until = t1;
  until.tv_nsec += 100000000;
  if (until.tv_nsec >= 1000000000) until.tv_sec++, until.tv_nsec -= 1000000000;
  show("clock_nanosleep TIMER_ABSTIME", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, 0));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("the absolute time was reached: %d\n", t1.tv_sec > until.tv_sec || (t1.tv_sec == until.tv_sec && t1.tv_nsec >= until.tv_nsec));
  clock_gettime(CLOCK_REALTIME, &wall1);
  printf("the wall clock moved on too: %d\n", wall1.tv_sec * 1000 + wall1.tv_nsec / 1000000 - wall0.tv_sec * 1000 - wall0.tv_nsec / 1000000 >= 300);
  return 0;
}
