/* threads.c - the thread pool behind onnxc_parallel_for (onnxc_runtime.h).
 *
 * One job at a time: the caller publishes it under the pool's lock, opens
 * it (a new generation), runs its own share, then closes it and waits for
 * the workers that joined it. Workers spin briefly on the generation
 * before they sleep, because a model issues many short loops back to back.
 *
 * Each participant starts with an equal, contiguous range of the
 * iterations and works through it from the front, half of what is left at
 * a time. One that is done takes half of what is left from the back of
 * another's range. Two cores of one machine do not run equal shares in
 * equal time (turbo, a sibling hyperthread, a late wake-up), and without
 * this the faster one would wait for the slower at the end of every loop.
 *
 * A worker joins a job only while it is open, and the caller waits only
 * for the workers that joined: one that wakes late, or whose core another
 * process holds, does not hold the job up. The others take its share, and
 * the job may be over before it looks.
 */
#define _POSIX_C_SOURCE 200809L
#include "onnxc_runtime.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

enum { MAX_THREADS = 64, SPIN_ROUNDS = 20000 };

/* A job's state, one word so that joining is one compare-and-swap: the
 * generation in the high 32 bits, whether it is open, and the number of
 * workers that joined it and have not finished. */
#define STATE_OPEN ((uint64_t)1 << 31)
#define STATE_JOINED (STATE_OPEN - 1)
#define STATE_GENERATION(s) ((uint32_t)((s) >> 32))

/* A hint to the core that this is a spin-wait loop. */
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static struct {
  pthread_mutex_t lock; /* held by the caller while a job runs */
  pthread_mutex_t wake_lock;
  pthread_cond_t wake;
  _Atomic uint64_t state; /* see STATE_* */
  int threads;            /* the caller and threads - 1 workers */
  int started;            /* workers created so far */
  onnxc_loop_body body;
  void *a, *b, *c;
  int64_t base; /* the iteration that range offset 0 stands for */
  int64_t count;
  int participants;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER,
          .wake_lock = PTHREAD_MUTEX_INITIALIZER,
          .wake = PTHREAD_COND_INITIALIZER,
          .threads = 1};

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
      *begin = pool.base + (front ? next : last - take);
      *end = pool.base + (front ? next + take : last);
      return 1;
    }
  }
}

/* Where participant `index`'s equal share of the iterations starts (and
 * the one before ends). */
static uint32_t share_start(int index) {
  return (uint32_t)(pool.count * index / pool.participants);
}

/* Runs participant `index`'s range, then what is left of the others'. The
 * caller (0) drains every range, so a job is done once it returns and the
 * workers that joined have returned from theirs. */
static void run_share(int index) {
  int parts = pool.participants;
  int64_t begin, end;
  while (claim(index, 1, &begin, &end))
    pool.body(pool.a, pool.b, pool.c, begin, end);
  for (int k = 1; k < parts; ++k)
    while (claim((index + k) % parts, 0, &begin, &end))
      pool.body(pool.a, pool.b, pool.c, begin, end);
}

/* Joins the open job of state `seen` as one more worker; 0 when the state
 * changed first (the job closed, or a worker joined: look again). */
static int join(uint64_t seen) {
  return atomic_compare_exchange_weak(&pool.state, &seen, seen + 1);
}

static void *worker(void *arg) {
  int index = (int)(intptr_t)arg;
  uint32_t done = 0; /* the last generation this worker joined or passed */
  for (;;) {
    uint64_t state;
    int spins = 0;
    while (STATE_GENERATION(state = atomic_load(&pool.state)) == done) {
      if (++spins < SPIN_ROUNDS) {
        cpu_relax();
        continue;
      }
      pthread_mutex_lock(&pool.wake_lock);
      while (STATE_GENERATION(state = atomic_load(&pool.state)) == done)
        pthread_cond_wait(&pool.wake, &pool.wake_lock);
      pthread_mutex_unlock(&pool.wake_lock);
    }
    /* A new job; the fields of pool are its own once this worker has
     * joined it (the caller wrote them before it opened the job, and does
     * not write them again before the joined workers have finished). */
    done = STATE_GENERATION(state);
    for (; (state & STATE_OPEN) && STATE_GENERATION(state) == done;
         state = atomic_load(&pool.state)) {
      if (!join(state))
        continue;
      if (index < pool.participants)
        run_share(index);
      atomic_fetch_sub(&pool.state, 1);
      break;
    }
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

/* One job of at most UINT32_MAX iterations from `base`, under pool.lock. */
static void run_job(int64_t base, int64_t count) {
  pool.base = base;
  pool.count = count;
  pool.participants = count < pool.threads ? (int)count : pool.threads;
  for (int i = 0; i < pool.participants; ++i)
    atomic_store(&ranges[i].left,
                 pack_range(share_start(i), share_start(i + 1)));
  /* Open the job: a new generation, no worker joined yet. */
  uint32_t generation = STATE_GENERATION(atomic_load(&pool.state)) + 1;
  pthread_mutex_lock(&pool.wake_lock);
  atomic_store(&pool.state, (uint64_t)generation << 32 | STATE_OPEN);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.wake_lock);
  run_share(0);
  /* Every iteration is claimed. Close the job and wait for the workers
   * still running what they claimed. */
  uint64_t state = atomic_fetch_and(&pool.state, ~STATE_OPEN) & ~STATE_OPEN;
  while (state & STATE_JOINED) {
    cpu_relax();
    state = atomic_load(&pool.state);
  }
}

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
  /* Ranges are packed into 32 bits: a larger loop runs as several jobs. */
  for (int64_t base = 0; base < count;) {
    int64_t part = count - base < UINT32_MAX ? count - base : UINT32_MAX;
    run_job(base, part);
    base += part;
  }
  pthread_mutex_unlock(&pool.lock);
}
