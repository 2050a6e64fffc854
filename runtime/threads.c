/* threads.c - the thread pool behind onnxc_parallel_for (onnxc_runtime.h).
 *
 * One job at a time: the caller publishes it under the pool's lock, bumps
 * the generation, runs its own share, then waits until every worker has
 * finished its share. Workers spin briefly on the generation before they
 * sleep, because a model issues many short loops back to back.
 *
 * Each participant starts with an equal, contiguous range of the
 * iterations and works through it from the front, half of what is left at
 * a time. One that is done takes half of what is left from the back of
 * another's range. Two cores of one machine do not run equal shares in
 * equal time (turbo, a sibling hyperthread, a late wake-up), and without
 * this the faster one would wait for the slower at the end of every loop.
 */
#define _POSIX_C_SOURCE 200809L
#include "onnxc_runtime.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

enum { MAX_THREADS = 64, SPIN_ROUNDS = 20000 };

/* A hint to the core that this is a spin-wait loop. */
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static struct {
  pthread_mutex_t lock;     /* held by the caller while a job runs */
  pthread_mutex_t wake_lock;
  pthread_cond_t wake;
  atomic_uint generation;   /* bumped for every job */
  atomic_int pending;       /* workers still running the current job */
  int threads;              /* the caller and threads - 1 workers */
  int started;              /* workers created so far */
  onnxc_loop_body body;
  void *a, *b, *c;
  int64_t count;
  int participants;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
          PTHREAD_COND_INITIALIZER, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};

/* The iterations of a participant's range not yet claimed, [next, end),
 * packed into one word so that its owner (at the front) and a thief (at
 * the back) claim them with one compare-and-swap. On a cache line of its
 * own: the owner claims from it while the others claim from theirs. */
static struct { _Alignas(64) _Atomic uint64_t left; } ranges[MAX_THREADS];

static uint64_t pack_range(uint32_t next, uint32_t end) {
  return (uint64_t)end << 32 | next;
}

/* Claims half (rounded up) of what is left of participant `owner`'s range,
 * from its front or its back, as [*begin, *end); 0 when nothing is left. */
static int claim(int owner, int front, int64_t *begin, int64_t *end) {
  uint64_t seen = atomic_load(&ranges[owner].left);
  for (;;) {
    uint32_t next = (uint32_t)seen, last = (uint32_t)(seen >> 32);
    if (next >= last)
      return 0;
    uint32_t take = (last - next + 1) / 2;
    uint64_t rest =
        front ? pack_range(next + take, last) : pack_range(next, last - take);
    if (atomic_compare_exchange_weak(&ranges[owner].left, &seen, rest)) {
      *begin = front ? next : last - take;
      *end = front ? next + take : last;
      return 1;
    }
  }
}

/* Where participant `index`'s equal share of the iterations starts (and
 * the one before ends). */
static int64_t share_start(int index) {
  return pool.count * index / pool.participants;
}

static void run_share(int index) {
  int parts = pool.participants;
  int64_t begin, end;
  if (pool.count > UINT32_MAX) {
    /* Too many iterations for a packed range: equal static shares. */
    begin = share_start(index);
    end = share_start(index + 1);
    if (begin < end)
      pool.body(pool.a, pool.b, pool.c, begin, end);
    return;
  }
  while (claim(index, 1, &begin, &end))
    pool.body(pool.a, pool.b, pool.c, begin, end);
  for (int k = 1; k < parts; ++k)
    while (claim((index + k) % parts, 0, &begin, &end))
      pool.body(pool.a, pool.b, pool.c, begin, end);
}

static void *worker(void *arg) {
  int index = (int)(intptr_t)arg;
  unsigned seen = 0;
  for (;;) {
    unsigned now;
    int spins = 0;
    while ((now = atomic_load(&pool.generation)) == seen) {
      if (++spins < SPIN_ROUNDS) {
        cpu_relax();
        continue;
      }
      pthread_mutex_lock(&pool.wake_lock);
      while ((now = atomic_load(&pool.generation)) == seen)
        pthread_cond_wait(&pool.wake, &pool.wake_lock);
      pthread_mutex_unlock(&pool.wake_lock);
      break;
    }
    seen = now;
    if (index < pool.participants)
      run_share(index);
    atomic_fetch_sub(&pool.pending, 1);
  }
  return 0;
}

int onnxc_set_num_threads(int threads) {
  if (threads < 1)
    threads = 1;
  if (threads > MAX_THREADS)
    threads = MAX_THREADS;
  pthread_mutex_lock(&pool.lock);
  while (pool.started < threads - 1) {
    pthread_t thread;
    if (pthread_create(&thread, 0, worker,
                       (void *)(intptr_t)(pool.started + 1)) != 0)
      break;
    pthread_detach(thread);
    ++pool.started;
  }
  pool.threads = pool.started + 1 < threads ? pool.started + 1 : threads;
  pthread_mutex_unlock(&pool.lock);
  return pool.threads;
}

int onnxc_num_threads(void) { return pool.threads; }

void onnxc_parallel_for(onnxc_loop_body body, void *a, void *b, void *c,
                        int64_t count) {
  if (count <= 0)
    return;
  if (pool.threads <= 1 || count == 1 || pthread_mutex_trylock(&pool.lock)) {
    body(a, b, c, 0, count);
    return;
  }
  pool.body = body;
  pool.a = a, pool.b = b, pool.c = c;
  pool.count = count;
  pool.participants = count < pool.threads ? (int)count : pool.threads;
  if (count <= UINT32_MAX)
    for (int i = 0; i < pool.participants; ++i)
      atomic_store(&ranges[i].left, pack_range((uint32_t)share_start(i),
                                               (uint32_t)share_start(i + 1)));
  /* Every started worker acknowledges the job, even one without a share. */
  atomic_store(&pool.pending, pool.started);
  pthread_mutex_lock(&pool.wake_lock);
  atomic_fetch_add(&pool.generation, 1);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.wake_lock);
  run_share(0);
  while (atomic_load(&pool.pending) > 0)
    cpu_relax();
  pthread_mutex_unlock(&pool.lock);
}
