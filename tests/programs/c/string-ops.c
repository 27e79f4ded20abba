/* string.h: lengths, comparisons, searches, copies (overlapping too), tokenizing and case/char classes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int main(void) {
  const char *s = "The quick brown fox jumps over the lazy dog";
  printf("strlen %zu, strnlen %zu\n", strlen(s), strnlen(s, 10));
  printf("strcmp %d %d %d, strncmp %d, strcasecmp %d\n", strcmp("abc", "abd") < 0, strcmp("b", "a") > 0,
         strcmp("same", "same"), strncmp("prefix-1", "prefix-2", 6), strcasecmp("HeLLo", "hello"));
  printf("strchr %s | strrchr %s | strstr %s | strpbrk %s\n", strchr(s, 'q'), strrchr(s, 'o'),
         strstr(s, "over"), strpbrk(s, "xyz"));
  printf("strstr miss %p, strspn %zu, strcspn %zu\n", (void *)strstr(s, "cat"), strspn("aaabbbccc", "ab"),
         strcspn(s, "aeiou"));

  char buf[128];
  strcpy(buf, "hello");
  strcat(buf, ", ");
  strncat(buf, "world!!!", 5);
  printf("%s (%zu)\n", buf, strlen(buf));
  memmove(buf + 2, buf, strlen(buf) + 1);
  printf("memmove up: %s\n", buf);
  memmove(buf, buf + 4, strlen(buf + 4) + 1);
  printf("memmove down: %s\n", buf);
  char block[300];
  for (int i = 0; i < 300; i++) block[i] = (char)(i * 7);
  memcpy(block + 1, block + 150, 133);
  unsigned sum = 0;
  for (int i = 0; i < 300; i++) sum = sum * 31 + (unsigned char)block[i];
  printf("memcpy checksum %u, memcmp %d, memchr %td\n", sum, memcmp("abcd", "abce", 4) < 0,
         (char *)memchr(s, 'z', strlen(s)) - s);
  memset(block, 'A', 17);
  block[17] = 0;
  printf("memset %s\n", block);

  char line[] = "alpha,beta;;gamma , delta,,epsilon";
  int count = 0;
  for (char *tok = strtok(line, ",; "); tok; tok = strtok(NULL, ",; ")) printf("tok[%d]=%s\n", count++, tok);
  char path[] = "/usr/local/lib/abi-lab";
  char *save, *part = strtok_r(path, "/", &save);
  while (part) {
    printf("<%s>", part);
    part = strtok_r(NULL, "/", &save);
  }
  putchar('\n');

  char *dup = strdup(s);
  for (char *p = dup; *p; p++) *p = (char)(isupper((unsigned char)*p) ? tolower(*p) : toupper(*p));
  printf("swapped: %s\n", dup);
  int alpha = 0, space = 0, digit = 0, punct = 0;
  const char *mix = "Ab 12, cd! 345?";
  for (const char *p = mix; *p; p++) {
    alpha += isalpha((unsigned char)*p) != 0;
    space += isspace((unsigned char)*p) != 0;
    digit += isdigit((unsigned char)*p) != 0;
    punct += ispunct((unsigned char)*p) != 0;
  }
  printf("alpha %d space %d digit %d punct %d\n", alpha, space, digit, punct);
  free(dup);
  char *nd = strndup("truncated string", 9);
  printf("strndup %s\n", nd);
  free(nd);

  /* long strings exercise the word-at-a-time paths */
  char *long1 = malloc(5000), *long2 = malloc(5000);
  for (int i = 0; i < 4999; i++) long1[i] = long2[i] = (char)('a' + i % 26);
  long1[4999] = long2[4999] = 0;
  long2[4321] = '#';
  printf("long: strlen %zu strcmp %d memcmp %d strchr %td strstr %td\n", strlen(long1),
         strcmp(long1, long2) > 0, memcmp(long1, long2, 4321), strchr(long2, '#') - long2,
         strstr(long1, "xyzabc") - long1);
  free(long1);
  free(long2);
  return 0;
}
