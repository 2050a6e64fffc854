/* Stress test of the thread pool (runtime/threads.c): every iteration of
 * every job runs exactly once, within [0, count), whatever the thread
 * count (more threads than cores too, so that workers join late or not at
 * all), with concurrent callers, and for loops too large for one job.
 * Prints "ok" and exits 0, or names the first failure and exits 1. */
#define _POSIX_C_SOURCE 200809L
#include "onnxc_runtime.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { MAX_COUNT = 20000 };

struct job {
  _Atomic int hits[MAX_COUNT];
  _Atomic int out_of_range;
  int64_t count;
};

/* Marks [begin, end); some iterations take longer, so that thieves run. */
static void mark(void *a, void *b, void *c, int64_t begin, int64_t end) {
  struct job *job = a;
  (void)b, (void)c;
  for (int64_t i = begin; i < end; ++i) {
    if (i < 0 || i >= job->count) {
      atomic_fetch_add(&job->out_of_range, 1);
      continue;
    }
    atomic_fetch_add(&job->hits[i], 1);
    if (i % 7 == 3)
      for (volatile int spin = 0; spin < 200; ++spin)
        ;
  }
}

/* Runs `rounds` jobs of varying counts; 0 when each ran every iteration
 * exactly once. */
static int run_jobs(struct job *job, int rounds, const char *label) {
  for (int r = 0; r < rounds; ++r) {
    job->count = r % 5 == 4 ? MAX_COUNT : 1 + (r * 37) % 131;
    memset((void *)job->hits, 0, sizeof(job->hits));
    atomic_store(&job->out_of_range, 0);
    onnxc_parallel_for(mark, job, 0, 0, job->count);
    if (atomic_load(&job->out_of_range)) {
      printf("%s: job %d (count %lld) ran out of range\n", label, r,
             (long long)job->count);
      return 1;
    }
    for (int64_t i = 0; i < job->count; ++i)
      if (atomic_load(&job->hits[i]) != 1) {
        printf("%s: job %d (count %lld) ran iteration %lld %d times\n", label,
               r, (long long)job->count, (long long)i,
               atomic_load(&job->hits[i]));
        return 1;
      }
  }
  return 0;
}

static struct job jobs[2];

static void *concurrent(void *arg) {
  (void)arg;
  return (void *)(intptr_t)run_jobs(&jobs[1], 2000, "concurrent caller");
}

/* A loop of more than UINT32_MAX iterations: the ranges' lengths and the
 * sums of their indices (mod 2^64) must be those of [0, count). */
static _Atomic uint64_t total, index_sum;
static void sum(void *a, void *b, void *c, int64_t begin, int64_t end) {
  (void)a, (void)b, (void)c;
  uint64_t n = (uint64_t)(end - begin);
  atomic_fetch_add(&total, n);
  /* begin + ... + (end - 1), with the halving done on the even factor. */
  uint64_t first = (uint64_t)begin, last = (uint64_t)end - 1;
  uint64_t s = n % 2 == 0 ? n / 2 * (first + last) : (first + last) / 2 * n;
  atomic_fetch_add(&index_sum, s);
}

int main(void) {
  static const int thread_counts[] = {2, 3, 8, 2};
  for (unsigned t = 0; t < sizeof(thread_counts) / sizeof(int); ++t) {
    char label[32];
    int threads = onnxc_set_num_threads(thread_counts[t]);
    if (threads != thread_counts[t]) {
      printf("onnxc_set_num_threads(%d) gave %d\n", thread_counts[t], threads);
      return 1;
    }
    snprintf(label, sizeof(label), "%d threads", threads);
    if (run_jobs(&jobs[0], 3000, label))
      return 1;
  }

  /* Two callers at once: one gets the pool, the other runs serially. */
  pthread_t other;
  if (pthread_create(&other, 0, concurrent, 0) != 0)
    return 1;
  int failed = run_jobs(&jobs[0], 2000, "caller");
  void *other_failed;
  pthread_join(other, &other_failed);
  if (failed || other_failed)
    return 1;

  const int64_t big = (int64_t)UINT32_MAX * 2 + 12345;
  onnxc_parallel_for(sum, 0, 0, 0, big);
  uint64_t n = (uint64_t)big;
  uint64_t expected = n % 2 == 0 ? n / 2 * (n - 1) : (n - 1) / 2 * n;
  if (atomic_load(&total) != n || atomic_load(&index_sum) != expected) {
    printf("a loop of %lld iterations ran %llu\n", (long long)big,
           (unsigned long long)atomic_load(&total));
    return 1;
  }
  printf("ok\n");
  return 0;
}
