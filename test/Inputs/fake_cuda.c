/* fake_cuda.c - a stand-in for libcuda, for testing the CUDA shim and a GPU
 * model's host code on machines without a GPU.
 *
 * Device memory is host memory, modules are the images they were given,
 * and a launch records its kernel and sizes without running it (nothing
 * here can execute PTX). FAKE_CUDA_FAIL=init makes cuInit fail with
 * CUDA_ERROR_NO_DEVICE (100); FAKE_CUDA_FAIL=launch makes every launch
 * fail with CUDA_ERROR_LAUNCH_FAILED (719). Allocations are zeroed, or
 * filled with the int32 FAKE_CUDA_FILL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

int fake_modules_loaded, fake_launches, fake_allocations, fake_frees;
long fake_bytes_to_device, fake_bytes_to_host;
unsigned fake_last_grid, fake_last_block;
int fake_bad_params;

static int fails(const char *what) {
  const char *fail = getenv("FAKE_CUDA_FAIL");
  return fail && strcmp(fail, what) == 0;
}

CUresult cuInit(unsigned int flags) {
  (void)flags;
  return fails("init") ? 100 : 0;
}
CUresult cuDeviceGetCount(int *count) {
  *count = 1;
  return 0;
}
CUresult cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return 0;
}
static int context_storage;
CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  (void)device;
  *context = &context_storage;
  return 0;
}
CUresult cuCtxGetCurrent(void **context) {
  *context = NULL;
  return 0;
}
CUresult cuCtxSetCurrent(void *context) { return context ? 0 : 201; }
CUresult cuModuleLoadData(void **module, const void *image) {
  ++fake_modules_loaded;
  *module = (void *)image;
  return 0;
}
CUresult cuModuleGetFunction(void **function, void *module,
                             const char *name) {
  (void)module;
  *function = (void *)name;
  return 0;
}
CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned smem,
                        void *stream, void **params, void **extra) {
  (void)function, (void)gy, (void)gz, (void)by, (void)bz, (void)smem;
  (void)stream, (void)extra;
  if (fails("launch"))
    return 719;
  ++fake_launches;
  fake_last_grid = gx;
  fake_last_block = bx;
  if (!params || !params[0])
    ++fake_bad_params;
  return 0;
}
CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  /* Zeroed, or every int32 FAKE_CUDA_FILL: what kernels that never run
     would have left there (a data check's status word, say). */
  void *memory = calloc(1, bytes);
  const char *fill = getenv("FAKE_CUDA_FILL");
  size_t i;
  ++fake_allocations;
  if (memory && fill)
    for (i = 0; i + 4 <= bytes; i += 4) {
      int value = atoi(fill);
      memcpy((char *)memory + i, &value, 4);
    }
  *pointer = (CUdeviceptr)(size_t)memory;
  return memory ? 0 : 2;
}
CUresult cuMemFree_v2(CUdeviceptr pointer) {
  ++fake_frees;
  free((void *)(size_t)pointer);
  return 0;
}
CUresult cuMemcpyHtoD_v2(CUdeviceptr device, const void *host, size_t bytes) {
  fake_bytes_to_device += (long)bytes;
  memcpy((void *)(size_t)device, host, bytes);
  return 0;
}
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr device, const void *host,
                              size_t bytes, void *stream) {
  (void)stream;
  return cuMemcpyHtoD_v2(device, host, bytes);
}
CUresult cuMemcpyDtoHAsync_v2(void *host, CUdeviceptr device, size_t bytes,
                              void *stream) {
  (void)stream;
  fake_bytes_to_host += (long)bytes;
  memcpy(host, (void *)(size_t)device, bytes);
  return 0;
}
CUresult cuMemcpyDtoH_v2(void *host, CUdeviceptr device, size_t bytes) {
  return cuMemcpyDtoHAsync_v2(host, device, bytes, NULL);
}
static int stream_storage;
CUresult cuStreamCreate(void **stream, unsigned int flags) {
  (void)flags;
  *stream = &stream_storage;
  return 0;
}
CUresult cuStreamSynchronize(void *stream) {
  (void)stream;
  return 0;
}
CUresult cuStreamDestroy_v2(void *stream) {
  (void)stream;
  return 0;
}
CUresult cuGetErrorString(CUresult error, const char **message) {
  *message = error == 100 ? "no CUDA-capable device is detected"
             : error == 719 ? "unspecified launch failure"
                            : "other error";
  return 0;
}
CUresult cuDeviceGetName(char *name, int length, int device) {
  (void)device;
  snprintf(name, (size_t)length, "fake GPU");
  return 0;
}
CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
  (void)device;
  /* 13: clock rate (kHz), 16: SMs, 75/76: compute capability. */
  *value = attribute == 13 ? 1000000 : attribute == 16 ? 2
           : attribute == 75 ? 9 : 0;
  return 0;
}
