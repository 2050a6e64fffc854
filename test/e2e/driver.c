/*
 * Generic end-to-end driver for models compiled by onnx-compile.
 *
 * Uses only the documented C ABI of the generated header (see
 * docs / CONTRACT: NAME_run, NAME_workspace_size, NAME_inputs, NAME_outputs,
 * NAME_NUM_INPUTS, NAME_NUM_OUTPUTS).
 *
 * Build (per model):
 *   cc -O1 -DONNXC_NAME=model -include path/to/model.h driver.c model.o -lm -o run
 *
 * Usage:
 *   run [-threads N] [-repeat N] in0.bin in1.bin ... -- out0.bin out1.bin ...
 *   run -info
 *
 * Input files hold raw little-endian row-major bytes; each must be exactly
 * NAME_inputs[i].size_bytes long.  Outputs are written the same way.
 * "-info" prints one line per tensor:
 *   input|output INDEX NAME DTYPE RANK DIM0xDIM1x... SIZE_BYTES
 * (a scalar prints "-" for its dims).
 * "-repeat N" calls NAME_run N times (after N/10 untimed warm-up calls,
 * for at least 50 ms)
 * and prints the mean time per call (milliseconds) on stderr as
 * "time_ms: X".
 * "-threads N" runs the model on N threads: the driver must be linked with
 * the runtime's thread pool (runtime/threads.c -lpthread).
 *
 * Exit codes: 0 ok, 2 usage / io error, 3 NAME_run returned nonzero.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef ONNXC_NAME
#error "compile with -DONNXC_NAME=<model name> -include <model>.h"
#endif

/* Defined when the runtime's thread pool is linked (runtime/threads.c). */
int onnxc_set_num_threads(int threads) __attribute__((weak));

/* -DONNXC_GPU: a model compiled for nvptx64, linked with runtime/cuda.c
 * and -lcuda. NAME_run then takes host buffers and a NULL workspace (the
 * shim allocates it on the device). */
#ifdef ONNXC_GPU
int onnxc_cuda_last_error(const char **message);
#endif

#define ONNXC_CAT2_(a, b) a##b
#define ONNXC_CAT2(a, b) ONNXC_CAT2_(a, b)
#define ONNXC_SYM(suffix) ONNXC_CAT2(ONNXC_NAME, suffix)
#define ONNXC_STR_(x) #x
#define ONNXC_STR(x) ONNXC_STR_(x)

#define D_NUM_INPUTS ONNXC_SYM(_NUM_INPUTS)
#define D_NUM_OUTPUTS ONNXC_SYM(_NUM_OUTPUTS)
#define D_RUN ONNXC_SYM(_run)
#define D_WORKSPACE_SIZE ONNXC_SYM(_workspace_size)
#define D_INPUTS ONNXC_SYM(_inputs)
#define D_OUTPUTS ONNXC_SYM(_outputs)

/* Arrays must have at least one element even for 0 inputs/outputs. */
#define D_NIN_ALLOC ((D_NUM_INPUTS) > 0 ? (D_NUM_INPUTS) : 1)
#define D_NOUT_ALLOC ((D_NUM_OUTPUTS) > 0 ? (D_NUM_OUTPUTS) : 1)

#define ALIGNMENT 64

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define HAVE_C11 1
#else
#define HAVE_C11 0
#endif

/* 64-byte aligned allocation; always returns a non-NULL pointer (unless out
 * of memory), even for empty tensors.  Release with free_aligned. */
static void *alloc_aligned(size_t n) {
  size_t rounded = (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  if (rounded == 0)
    rounded = ALIGNMENT;
#if HAVE_C11
  /* aligned_alloc needs a size that is a multiple of the alignment. */
  return aligned_alloc(ALIGNMENT, rounded);
#else
  {
    /* Strict C99: over-allocate, keep the raw pointer just below. */
    unsigned char *raw = (unsigned char *)malloc(rounded + ALIGNMENT +
                                                 sizeof(void *));
    uintptr_t a;
    if (!raw)
      return NULL;
    a = ((uintptr_t)(raw + sizeof(void *)) + ALIGNMENT - 1) &
        ~(uintptr_t)(ALIGNMENT - 1);
    ((void **)a)[-1] = raw;
    return (void *)a;
  }
#endif
}

static void free_aligned(void *p) {
#if HAVE_C11
  free(p);
#else
  if (p)
    free(((void **)p)[-1]);
#endif
}

static int read_file_exact(const char *path, void *buf, size_t expected,
                           size_t index) {
  FILE *f = fopen(path, "rb");
  long len;
  if (!f) {
    fprintf(stderr, "error: cannot open input %zu '%s': %s\n", index, path,
            strerror(errno));
    return 0;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) != 0) {
    fprintf(stderr, "error: cannot size input %zu '%s'\n", index, path);
    fclose(f);
    return 0;
  }
  if ((size_t)len != expected) {
    fprintf(stderr,
            "error: input %zu '%s' has %ld bytes, expected %zu\n", index, path,
            len, expected);
    fclose(f);
    return 0;
  }
  if (expected > 0 && fread(buf, 1, expected, f) != expected) {
    fprintf(stderr, "error: short read on input %zu '%s'\n", index, path);
    fclose(f);
    return 0;
  }
  fclose(f);
  return 1;
}

static int write_file(const char *path, const void *buf, size_t n,
                      size_t index) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    fprintf(stderr, "error: cannot open output %zu '%s': %s\n", index, path,
            strerror(errno));
    return 0;
  }
  if (n > 0 && fwrite(buf, 1, n, f) != n) {
    fprintf(stderr, "error: short write on output %zu '%s'\n", index, path);
    fclose(f);
    return 0;
  }
  if (fclose(f) != 0) {
    fprintf(stderr, "error: cannot close output %zu '%s'\n", index, path);
    return 0;
  }
  return 1;
}

static void print_info(const char *kind, size_t i,
                       const onnxc_tensor_info *t) {
  int32_t d;
  printf("%s %zu %s %d %d ", kind, i, t->name ? t->name : "?", (int)t->dtype,
         (int)t->rank);
  if (t->rank == 0)
    printf("-");
  for (d = 0; d < t->rank; ++d)
    printf("%s%lld", d ? "x" : "", (long long)t->shape[d]);
  printf(" %zu\n", t->size_bytes);
}

static double now_sec(void) {
#if HAVE_C11 && defined(TIME_UTC)
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
#else
  return (double)clock() / (double)CLOCKS_PER_SEC;
#endif
}

static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s [-repeat N] in0.bin ... -- out0.bin ...   "
          "(%d inputs, %d outputs)\n"
          "       %s -info\n",
          argv0, (int)D_NUM_INPUTS, (int)D_NUM_OUTPUTS, argv0);
}

int main(int argc, char **argv) {
  const void *inputs[D_NIN_ALLOC] = {0};
  void *outputs[D_NOUT_ALLOC] = {0};
  const char *in_paths[D_NIN_ALLOC] = {0};
  const char *out_paths[D_NOUT_ALLOC] = {0};
  size_t n_in = 0, n_out = 0, i;
  long repeat = 0;
  int argi = 1, seen_sep = 0, rc, status = 0;
  size_t ws_size;
  void *workspace = NULL;

  if (argc == 2 && strcmp(argv[1], "-info") == 0) {
    for (i = 0; i < (size_t)D_NUM_INPUTS; ++i)
      print_info("input", i, &D_INPUTS[i]);
    for (i = 0; i < (size_t)D_NUM_OUTPUTS; ++i)
      print_info("output", i, &D_OUTPUTS[i]);
    printf("workspace %zu\n", (size_t)D_WORKSPACE_SIZE());
    return 0;
  }

  if (argi + 1 < argc && strcmp(argv[argi], "-threads") == 0) {
    char *end = NULL;
    long threads = strtol(argv[argi + 1], &end, 10);
    if (!end || *end != '\0' || threads < 1) {
      fprintf(stderr, "error: bad -threads value '%s'\n", argv[argi + 1]);
      return 2;
    }
    if (!onnxc_set_num_threads) {
      if (threads > 1) {
        fprintf(stderr, "error: -threads needs the runtime's thread pool "
                        "(link runtime/threads.c)\n");
        return 2;
      }
    } else if (onnxc_set_num_threads((int)threads) != threads) {
      fprintf(stderr, "error: cannot start %ld threads\n", threads);
      return 2;
    }
    argi += 2;
  }
  if (argi + 1 < argc && strcmp(argv[argi], "-repeat") == 0) {
    char *end = NULL;
    repeat = strtol(argv[argi + 1], &end, 10);
    if (!end || *end != '\0' || repeat < 1) {
      fprintf(stderr, "error: bad -repeat value '%s'\n", argv[argi + 1]);
      return 2;
    }
    argi += 2;
  }

  for (; argi < argc; ++argi) {
    if (!seen_sep && strcmp(argv[argi], "--") == 0) {
      seen_sep = 1;
      continue;
    }
    if (!seen_sep) {
      if (n_in >= (size_t)D_NUM_INPUTS) {
        fprintf(stderr, "error: too many input files (model has %d)\n",
                (int)D_NUM_INPUTS);
        usage(argv[0]);
        return 2;
      }
      in_paths[n_in++] = argv[argi];
    } else {
      if (n_out >= (size_t)D_NUM_OUTPUTS) {
        fprintf(stderr, "error: too many output files (model has %d)\n",
                (int)D_NUM_OUTPUTS);
        usage(argv[0]);
        return 2;
      }
      out_paths[n_out++] = argv[argi];
    }
  }
  if (!seen_sep || n_in != (size_t)D_NUM_INPUTS ||
      n_out != (size_t)D_NUM_OUTPUTS) {
    fprintf(stderr, "error: expected %d input files, '--', %d output files\n",
            (int)D_NUM_INPUTS, (int)D_NUM_OUTPUTS);
    usage(argv[0]);
    return 2;
  }

  for (i = 0; i < n_in; ++i) {
    size_t sz = D_INPUTS[i].size_bytes;
    void *buf = alloc_aligned(sz);
    if (!buf) {
      fprintf(stderr, "error: out of memory for input %zu (%zu bytes)\n", i,
              sz);
      return 2;
    }
    if (!read_file_exact(in_paths[i], buf, sz, i))
      return 2;
    inputs[i] = buf;
  }
  for (i = 0; i < n_out; ++i) {
    size_t sz = D_OUTPUTS[i].size_bytes;
    void *buf = alloc_aligned(sz);
    if (!buf) {
      fprintf(stderr, "error: out of memory for output %zu (%zu bytes)\n", i,
              sz);
      return 2;
    }
    /* Poison so that outputs never written by the model show up. */
    memset(buf, 0xA5, sz);
    outputs[i] = buf;
  }

  ws_size = D_WORKSPACE_SIZE();
#ifdef ONNXC_GPU
  ws_size = 0;
#endif
  if (ws_size > 0) {
    workspace = alloc_aligned(ws_size);
    if (!workspace) {
      fprintf(stderr, "error: out of memory for workspace (%zu bytes)\n",
              ws_size);
      return 2;
    }
  }

  rc = D_RUN(inputs, outputs, workspace);
  if (rc != 0) {
    fprintf(stderr, "error: %s_run returned %d\n", ONNXC_STR(ONNXC_NAME), rc);
#ifdef ONNXC_GPU
    {
      const char *message;
      int error = onnxc_cuda_last_error(&message);
      fprintf(stderr, "error: CUDA error %d: %s\n", error, message);
    }
#endif
    return 3;
  }
  if (repeat > 0) {
    long r;
    double t0, t1;
    /* Warm-up: a tenth of the calls more, and at least 50 ms, so that
       every core the model uses is running before the clock starts (as
       utils/ort/run.js does): the scheduler can take milliseconds to give
       a new or woken worker thread a core of its own. */
    t0 = now_sec();
    for (r = 0; r < repeat / 10 || now_sec() - t0 < 0.05; ++r)
      if (D_RUN(inputs, outputs, workspace) != 0)
        break;
    t0 = now_sec();
    for (r = 0; r < repeat; ++r) {
      rc = D_RUN(inputs, outputs, workspace);
      if (rc != 0) {
        fprintf(stderr, "error: run returned %d on repeat %ld\n", rc, r);
        return 3;
      }
    }
    t1 = now_sec();
    fprintf(stderr, "time_ms: %.6f\n", (t1 - t0) * 1e3 / (double)repeat);
  }

  for (i = 0; i < n_out; ++i)
    if (!write_file(out_paths[i], outputs[i], D_OUTPUTS[i].size_bytes, i))
      status = 2;

  for (i = 0; i < n_in; ++i)
    free_aligned((void *)inputs[i]);
  for (i = 0; i < n_out; ++i)
    free_aligned(outputs[i]);
  free_aligned(workspace);
  return status;
}
