/* malloc-heavy: a binary search tree, a linked list, a growing array with realloc, and frees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
  long key;
  struct node *left, *right;
};

static struct node *insert(struct node *t, long key) {
  if (!t) {
    t = malloc(sizeof *t);
    t->key = key;
    t->left = t->right = NULL;
  } else if (key < t->key)
    t->left = insert(t->left, key);
  else if (key > t->key)
    t->right = insert(t->right, key);
  return t;
}

static long height(const struct node *t) {
  if (!t) return 0;
  long l = height(t->left), r = height(t->right);
  return 1 + (l > r ? l : r);
}

static long sum_in_order(const struct node *t, long *count) {
  if (!t) return 0;
  long s = sum_in_order(t->left, count);
  ++*count;
  return s + t->key + sum_in_order(t->right, count);
}

static void free_tree(struct node *t) {
  if (!t) return;
  free_tree(t->left);
  free_tree(t->right);
  free(t);
}

struct item {
  struct item *next;
  char name[];
};

int main(void) {
  unsigned long x = 88172645463325252UL;
  struct node *root = NULL;
  for (int i = 0; i < 6000; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    root = insert(root, (long)(x % 100000));
  }
  long count = 0, sum = sum_in_order(root, &count);
  printf("tree: %ld keys, sum %ld, height %ld\n", count, sum, height(root));
  free_tree(root);

  struct item *list = NULL;
  for (int i = 0; i < 1000; i++) {
    char name[32];
    int n = snprintf(name, sizeof name, "item-%d", i * 7);
    struct item *it = malloc(sizeof *it + (size_t)n + 1);
    memcpy(it->name, name, (size_t)n + 1);
    it->next = list;
    list = it;
  }
  size_t total = 0;
  int kept = 0;
  for (struct item **p = &list; *p;) {
    if (strchr((*p)->name, '3')) {
      struct item *dead = *p;
      *p = dead->next;
      free(dead);
    } else {
      total += strlen((*p)->name);
      kept++;
      p = &(*p)->next;
    }
  }
  printf("list: kept %d, %zu name bytes, head %s\n", kept, total, list->name);
  while (list) {
    struct item *next = list->next;
    free(list);
    list = next;
  }

  size_t cap = 1, len = 0;
  long *v = malloc(cap * sizeof *v);
  int grows = 0;
  for (long i = 0; i < 30000; i++) {
    if (len == cap) {
      cap *= 2;
      v = realloc(v, cap * sizeof *v);
      grows++;
    }
    v[len++] = i * i % 1009;
  }
  long acc = 0;
  for (size_t i = 0; i < len; i++) acc += v[i];
  v = realloc(v, 10 * sizeof *v);
  printf("vector: %zu elements, %d reallocs, sum %ld, v[9] = %ld\n", len, grows, acc, v[9]);
  free(v);

  void *blocks[64];
  for (int round = 0; round < 12; round++) {
    for (int i = 0; i < 64; i++) blocks[i] = calloc((size_t)(i * 37 + round) % 5000 + 1, 1);
    for (int i = 0; i < 64; i += 2) free(blocks[i]);
    for (int i = 0; i < 64; i += 2) blocks[i] = malloc(200000 + (size_t)i);
    unsigned char *big = blocks[0];
    big[199999] = 7;
    for (int i = 0; i < 64; i++) free(blocks[i]);
  }
  char *big = malloc(1 << 22);
  memset(big, 'z', 1 << 22);
  printf("big block ok: %c%c\n", big[0], big[(1 << 22) - 1]);
  free(big);
  return 0;
}
