/* File I/O in the sandbox: fopen/fprintf/fputs, fread/fwrite, fseek/ftell, append, rename, remove, mkdir. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "out";
  if (mkdir(dir, 0755) != 0) printf("mkdir failed: %s\n", strerror(errno));
  char path[256], moved[256];
  snprintf(path, sizeof path, "%s/numbers.txt", dir);
  snprintf(moved, sizeof moved, "%s/renamed.txt", dir);

  FILE *f = fopen(path, "w");
  if (!f) return 1;
  for (int i = 1; i <= 100; i++) fprintf(f, "%d squared is %d\n", i, i * i);
  fputs("end\n", f);
  printf("ftell after writing: %ld\n", ftell(f));
  fclose(f);

  f = fopen(path, "r");
  char line[64];
  int lines = 0;
  long last = 0;
  while (fgets(line, sizeof line, f)) {
    lines++;
    int a, b;
    if (sscanf(line, "%d squared is %d", &a, &b) == 2) last = b;
  }
  printf("read %d lines, last square %ld, eof %d\n", lines, last, feof(f) != 0);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, -4, SEEK_END);
  size_t got = fread(line, 1, 10, f);
  line[got] = 0;
  printf("size %ld, tail %zu bytes: %s", size, got, line);
  rewind(f);
  got = fread(line, 1, 13, f);
  line[got] = 0;
  printf("head: [%s]\n", line);
  fclose(f);

  f = fopen(path, "a");
  fprintf(f, "appended %s\n", "line");
  fclose(f);

  unsigned char block[1000];
  for (int i = 0; i < 1000; i++) block[i] = (unsigned char)(i * 13 + 1);
  char bin[256];
  snprintf(bin, sizeof bin, "%s/data.bin", dir);
  f = fopen(bin, "wb+");
  fwrite(block, 1, sizeof block, f);
  fseek(f, 500, SEEK_SET);
  fputc(0xff, f);
  fseek(f, 0, SEEK_SET);
  unsigned char back[1000];
  got = fread(back, 1, sizeof back, f);
  fclose(f);
  unsigned sum = 0;
  for (size_t i = 0; i < got; i++) sum += back[i];
  printf("binary: %zu bytes, sum %u, back[500] %d\n", got, sum, back[500]);

  if (rename(path, moved) != 0) printf("rename failed\n");
  printf("old path now: %s\n", fopen(path, "r") ? "exists" : strerror(errno));
  struct stat st;
  if (stat(moved, &st) == 0) printf("renamed file: %lld bytes, regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
  char tmp[256];
  snprintf(tmp, sizeof tmp, "%s/scratch.tmp", dir);
  f = fopen(tmp, "w");
  fputs("temporary\n", f);
  fclose(f);
  printf("remove: %d, again: %d (%s)\n", remove(tmp), remove(tmp), strerror(errno));
  printf("access: %d %d\n", access(moved, F_OK), access(tmp, F_OK));
  FILE *log = fopen("log.txt", "w");
  fprintf(log, "done with %s\n", dir);
  fclose(log);
  return 0;
}
