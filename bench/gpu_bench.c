/* gpu_bench.c - times a GPU model's NAME_run_device on device buffers.
 *
 *     cc -O2 -DONNXC_NAME=model -include model.h bench/gpu_bench.c model.o \
 *        runtime/cuda.c -Iruntime -lcuda -lpthread -o gpu_bench
 *     gpu_bench REPEAT
 *
 * Inputs are filled with fixed pseudo-random floats (float inputs; other
 * types get zeros), copied to the device once; REPEAT runs are enqueued on
 * one stream after three warm-up runs, and the time until the stream is
 * done is divided by REPEAT. Prints
 *     time_ms: T
 *     device: NAME
 *     fp32_peak_gflops: P   (SMs x FP32 lanes per SM x 2 x clock)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "onnxc_runtime.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define SYM(suffix) CAT(ONNXC_NAME, suffix)

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
CUresult cuInit(unsigned int flags);
CUresult cuDeviceGet(int *device, int ordinal);
CUresult cuDeviceGetName(char *name, int length, int device);
CUresult cuDeviceGetAttribute(int *value, int attribute, int device);
CUresult cuDevicePrimaryCtxRetain(void **context, int device);
CUresult cuCtxSetCurrent(void *context);
CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes);
CUresult cuMemcpyHtoD_v2(CUdeviceptr device, const void *host, size_t bytes);
CUresult cuStreamCreate(void **stream, unsigned int flags);
CUresult cuStreamSynchronize(void *stream);

enum {
  kClockRateKHz = 13,
  kMultiprocessors = 16,
  kComputeMajor = 75,
  kComputeMinor = 76
};

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* FP32 lanes per SM: 64 on Volta, Turing and the A100 (sm_80), 128 on
 * later GPUs (sm_86, sm_89, sm_90 and up). */
static int fp32_lanes(int major, int minor) {
  if (major < 8 || (major == 8 && minor == 0))
    return 64;
  return 128;
}

static void *device_buffer(size_t bytes) {
  CUdeviceptr pointer = 0;
  if (cuMemAlloc_v2(&pointer, bytes ? bytes : 1) != 0) {
    fprintf(stderr, "error: cuMemAlloc of %zu bytes failed\n", bytes);
    exit(2);
  }
  return (void *)(uintptr_t)pointer;
}

int main(int argc, char **argv) {
  long repeat = argc > 1 ? strtol(argv[1], NULL, 10) : 10, r;
  void *inputs[SYM(_NUM_INPUTS) + 1], *outputs[SYM(_NUM_OUTPUTS) + 1];
  void *context, *stream, *workspace;
  int device, clock, sms, major, minor, i, status = 0;
  char name[256];
  unsigned seed = 12345;
  double start, elapsed;

  if (cuInit(0) != 0 || cuDeviceGet(&device, 0) != 0 ||
      cuDevicePrimaryCtxRetain(&context, device) != 0 ||
      cuCtxSetCurrent(context) != 0 || cuStreamCreate(&stream, 0) != 0) {
    fprintf(stderr, "error: no CUDA device\n");
    return 2;
  }
  for (i = 0; i < SYM(_NUM_INPUTS); ++i) {
    const onnxc_tensor_info *info = &SYM(_inputs)[i];
    unsigned char *host = calloc(1, info->size_bytes + 1);
    size_t k;
    if (info->dtype == 1)
      for (k = 0; k < info->num_elements; ++k) {
        seed = seed * 1103515245u + 12345u;
        ((float *)host)[k] = (float)((seed >> 8) & 0xffff) / 65536.0f - 0.5f;
      }
    inputs[i] = device_buffer(info->size_bytes);
    cuMemcpyHtoD_v2((CUdeviceptr)(uintptr_t)inputs[i], host, info->size_bytes);
    free(host);
  }
  for (i = 0; i < SYM(_NUM_OUTPUTS); ++i)
    outputs[i] = device_buffer(SYM(_outputs)[i].size_bytes);
  workspace = device_buffer(SYM(_WORKSPACE_SIZE));

  for (r = 0; r < 3 && status == 0; ++r)
    status = SYM(_run_device)((const void *const *)inputs, outputs, workspace,
                              stream);
  cuStreamSynchronize(stream);
  start = now_ms();
  for (r = 0; r < repeat && status == 0; ++r)
    status = SYM(_run_device)((const void *const *)inputs, outputs, workspace,
                              stream);
  if (cuStreamSynchronize(stream) != 0 && status == 0)
    status = 3;
  elapsed = now_ms() - start;
  if (status != 0) {
    const char *message;
    int error = onnxc_cuda_last_error(&message);
    fprintf(stderr, "error: run returned %d (CUDA error %d: %s)\n", status,
            error, message);
    return 3;
  }
  cuDeviceGetName(name, sizeof name, device);
  cuDeviceGetAttribute(&clock, kClockRateKHz, device);
  cuDeviceGetAttribute(&sms, kMultiprocessors, device);
  cuDeviceGetAttribute(&major, kComputeMajor, device);
  cuDeviceGetAttribute(&minor, kComputeMinor, device);
  printf("time_ms: %.6f\n", elapsed / (double)repeat);
  printf("device: %s (sm_%d%d, %d SMs, %d MHz)\n", name, major, minor, sms,
         clock / 1000);
  printf("fp32_peak_gflops: %.1f\n",
         (double)sms * fp32_lanes(major, minor) * 2.0 * clock / 1e6);
  return 0;
}
