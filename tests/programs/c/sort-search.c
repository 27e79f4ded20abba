/* qsort and bsearch over integers, strings and structs with several comparators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct person {
  char name[16];
  int age;
  double score;
};

static int by_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}
static int by_int_desc(const void *a, const void *b) { return by_int(b, a); }
static int by_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int by_age_then_name(const void *a, const void *b) {
  const struct person *p = a, *q = b;
  if (p->age != q->age) return p->age - q->age;
  return strcmp(p->name, q->name);
}
static int by_score(const void *a, const void *b) {
  double x = ((const struct person *)a)->score, y = ((const struct person *)b)->score;
  return (x > y) - (x < y);
}

int main(void) {
  enum { N = 1500 };
  int *v = malloc(N * sizeof *v);
  unsigned seed = 12345;
  for (int i = 0; i < N; i++) {
    seed = seed * 1103515245u + 12345u;
    v[i] = (int)(seed >> 8) % 10000 - 5000;
  }
  qsort(v, N, sizeof *v, by_int);
  int sorted = 1;
  for (int i = 1; i < N; i++) sorted &= v[i - 1] <= v[i];
  printf("sorted %d min %d max %d median %d\n", sorted, v[0], v[N - 1], v[N / 2]);
  int found = 0;
  for (int key = -5000; key < 5000; key += 11) found += bsearch(&key, v, N, sizeof *v, by_int) != NULL;
  printf("bsearch found %d keys\n", found);
  qsort(v, N, sizeof *v, by_int_desc);
  printf("desc: %d %d %d\n", v[0], v[1], v[N - 1]);
  free(v);

  const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "date", "elderberry", "grape", "kiwi", "lemon"};
  size_t nw = sizeof words / sizeof words[0];
  qsort(words, nw, sizeof words[0], by_str);
  for (size_t i = 0; i < nw; i++) printf("%s%c", words[i], i + 1 < nw ? ' ' : '\n');
  const char *want = "fig", *missing = "mango";
  const char **hit = bsearch(&want, words, nw, sizeof words[0], by_str);
  printf("fig at %td, mango %s\n", hit - words, bsearch(&missing, words, nw, sizeof words[0], by_str) ? "found" : "absent");

  struct person people[] = {{"zoe", 30, 88.5}, {"adam", 25, 92.25}, {"eve", 30, 75.0}, {"bob", 25, 60.125},
                            {"carl", 41, 99.0}, {"dina", 19, 92.0}};
  size_t np = sizeof people / sizeof people[0];
  qsort(people, np, sizeof people[0], by_age_then_name);
  for (size_t i = 0; i < np; i++) printf("%s/%d ", people[i].name, people[i].age);
  putchar('\n');
  qsort(people, np, sizeof people[0], by_score);
  for (size_t i = 0; i < np; i++) printf("%s:%.3f ", people[i].name, people[i].score);
  putchar('\n');
  return 0;
}
