/* argv, the environment and stdin: arguments, getenv/environ, lines with fgets, numbers with scanf. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv) {
  printf("argc = %d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d] = \"%s\" (%zu)\n", i, argv[i], strlen(argv[i]));
  printf("argv[argc] is %s\n", argv[argc] == NULL ? "NULL" : "set");
  const char *greeting = getenv("GREETING"), *missing = getenv("NOT_SET");
  printf("GREETING=%s NOT_SET=%s\n", greeting ? greeting : "(none)", missing ? missing : "(none)");
  int n = 0;
  for (char **e = environ; *e; e++) n++;
  printf("%d environment entries\n", n);
  if (setenv("ADDED", "yes", 1) == 0) printf("ADDED=%s\n", getenv("ADDED"));

  char line[256];
  if (!fgets(line, sizeof line, stdin)) {
    puts("no input");
    return 3;
  }
  line[strcspn(line, "\n")] = 0;
  printf("first line: \"%s\"\n", line);
  int count;
  if (scanf("%d", &count) != 1) return 4;
  long total = 0;
  for (int i = 0; i < count; i++) {
    long x;
    if (scanf("%ld", &x) != 1) return 5;
    total += x;
  }
  double mean = count ? (double)total / count : 0;
  printf("%d numbers, total %ld, mean %.4f\n", count, total, mean);
  int c, rest = 0, words = 0, inword = 0;
  while ((c = getchar()) != EOF) {
    rest++;
    if (c == ' ' || c == '\n' || c == '\t')
      inword = 0;
    else if (!inword)
      inword = 1, words++;
  }
  printf("rest: %d bytes, %d words\n", rest, words);
  int status = argc > 1 ? atoi(argv[1]) : 0;
  fprintf(stderr, "exiting with %d\n", status);
  return status;
}
