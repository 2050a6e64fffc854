/* cuda.c - the CUDA shim of onnx-compile's optional runtime.
 *
 * A model compiled with -target=nvptx64 embeds its kernels (a fatbin with
 * cubin and PTX, or PTX) and launches them through the functions below:
 * MLIR's mgpu* launch interface, and onnxc_cuda_* for the entry points and
 * the weights. Only CUDA's driver API is used, declared here, so this file
 * builds without a CUDA toolkit:
 *
 *     cc -c runtime/cuda.c        # C99
 *     cc app.c model.o cuda.o -lcuda
 *
 * Context: the one current on the calling thread at the first run, else the
 * primary context of device 0 (made current). The kernels' module and the
 * weights' device copies live in that context until the process exits.
 *
 * Errors: the first failing CUDA call of a run is remembered on the calling
 * thread; the launches after it are skipped, and the entry point returns 3.
 * onnxc_cuda_last_error says which call failed and why.
 */
#include "onnxc_runtime.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* --- CUDA driver API (cuda.h), the few declarations we need ------------- */

typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef unsigned long long CUdeviceptr;

#define CUDA_SUCCESS 0

CUresult cuInit(unsigned int flags);
CUresult cuDeviceGetCount(int *count);
CUresult cuDeviceGet(CUdevice *device, int ordinal);
CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device);
CUresult cuCtxGetCurrent(CUcontext *context);
CUresult cuCtxSetCurrent(CUcontext context);
CUresult cuModuleLoadData(CUmodule *module, const void *image);
CUresult cuModuleGetFunction(CUfunction *function, CUmodule module,
                             const char *name);
CUresult cuLaunchKernel(CUfunction function, unsigned int gridX,
                        unsigned int gridY, unsigned int gridZ,
                        unsigned int blockX, unsigned int blockY,
                        unsigned int blockZ, unsigned int sharedBytes,
                        CUstream stream, void **params, void **extra);
CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes);
CUresult cuMemFree_v2(CUdeviceptr pointer);
CUresult cuMemcpyHtoD_v2(CUdeviceptr device, const void *host, size_t bytes);
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr device, const void *host,
                              size_t bytes, CUstream stream);
CUresult cuMemcpyDtoHAsync_v2(void *host, CUdeviceptr device, size_t bytes,
                              CUstream stream);
CUresult cuMemcpyDtoH_v2(void *host, CUdeviceptr device, size_t bytes);
CUresult cuStreamCreate(CUstream *stream, unsigned int flags);
CUresult cuStreamSynchronize(CUstream stream);
CUresult cuStreamDestroy_v2(CUstream stream);
CUresult cuGetErrorString(CUresult error, const char **message);

/* --- State -------------------------------------------------------------- */

/* One lazily loaded module per gpu.binary of a linked object. */
typedef struct onnxc_module {
  const void *image;
  CUmodule module;
  struct onnxc_module *next;
} onnxc_module;

/* A weight's device copy. */
typedef struct onnxc_constant {
  const void *host;
  CUdeviceptr device;
  struct onnxc_constant *next;
} onnxc_constant;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static CUcontext context;
static onnxc_constant *constants;

/* The run in progress on this thread (GCC/Clang thread-local storage). */
static __thread CUstream current_stream;
static __thread CUresult run_error;
static __thread CUresult last_error;

/* Records the first failure of the run; returns whether `result` is
 * success. */
static int check(CUresult result) {
  if (result == CUDA_SUCCESS)
    return 1;
  if (run_error == CUDA_SUCCESS)
    run_error = result;
  last_error = result;
  return 0;
}

/* Makes the shim's context current on this thread (creating it on first
 * use). Called with `lock` held. */
static int enter_context(void) {
  if (!context) {
    CUcontext current = NULL;
    CUdevice device;
    if (!check(cuInit(0)) || !check(cuCtxGetCurrent(&current)))
      return 0;
    if (!current && (!check(cuDeviceGet(&device, 0)) ||
                     !check(cuDevicePrimaryCtxRetain(&current, device))))
      return 0;
    context = current;
  }
  return check(cuCtxSetCurrent(context));
}

/* --- onnxc_cuda_*: entry points and weights ----------------------------- */

int onnxc_cuda_available(void) {
  int count = 0;
  return cuInit(0) == CUDA_SUCCESS &&
         cuDeviceGetCount(&count) == CUDA_SUCCESS && count > 0;
}

int onnxc_cuda_last_error(const char **message) {
  if (message) {
    *message = "no error";
    if (last_error != CUDA_SUCCESS &&
        cuGetErrorString(last_error, message) != CUDA_SUCCESS)
      *message = "unknown CUDA error";
  }
  return last_error;
}

int onnxc_cuda_begin(void *stream) {
  int ok;
  run_error = CUDA_SUCCESS;
  current_stream = (CUstream)stream;
  pthread_mutex_lock(&lock);
  ok = enter_context();
  pthread_mutex_unlock(&lock);
  return ok ? 0 : 3;
}

int onnxc_cuda_end(void) {
  CUresult error = run_error;
  run_error = CUDA_SUCCESS;
  current_stream = NULL;
  return error == CUDA_SUCCESS ? 0 : 3;
}

void *onnxc_cuda_constant(const void *host, uint64_t bytes) {
  onnxc_constant *entry;
  CUdeviceptr device = 0;
  if (run_error != CUDA_SUCCESS)
    return NULL;
  pthread_mutex_lock(&lock);
  for (entry = constants; entry; entry = entry->next)
    if (entry->host == host)
      break;
  if (entry) {
    device = entry->device;
  } else if (check(cuMemAlloc_v2(&device, bytes ? bytes : 1))) {
    if (check(cuMemcpyHtoD_v2(device, host, bytes))) {
      entry = (onnxc_constant *)malloc(sizeof *entry);
      if (entry) {
        entry->host = host;
        entry->device = device;
        entry->next = constants;
        constants = entry;
      }
    }
    if (!entry) {
      cuMemFree_v2(device);
      device = 0;
      /* The copy failed (recorded), or malloc did. */
      if (run_error == CUDA_SUCCESS)
        check(2 /* CUDA_ERROR_OUT_OF_MEMORY */);
    }
  }
  pthread_mutex_unlock(&lock);
  return (void *)(uintptr_t)device;
}

/* Device copies of host buffers for onnxc_cuda_run_host. */
static int allocate_all(CUdeviceptr *device, int64_t count,
                        const int64_t *bytes) {
  int64_t i;
  for (i = 0; i < count; ++i)
    if (!check(cuMemAlloc_v2(&device[i], bytes[i] ? (size_t)bytes[i] : 1)))
      return 0;
  return 1;
}

static void free_all(CUdeviceptr *device, int64_t count) {
  int64_t i;
  for (i = 0; i < count; ++i)
    if (device[i])
      cuMemFree_v2(device[i]);
}

int onnxc_cuda_run_host(onnxc_device_entry run_device, int64_t num_inputs,
                        const int64_t *input_bytes, int64_t num_outputs,
                        const int64_t *output_bytes, int64_t workspace_bytes,
                        int64_t status_offset, const void *const *inputs,
                        void *const *outputs, void *workspace) {
  int64_t count = num_inputs + num_outputs + 1, i;
  CUdeviceptr *device = (CUdeviceptr *)calloc((size_t)count, sizeof *device);
  void **pointers = (void **)calloc((size_t)count, sizeof *pointers);
  CUstream stream = NULL;
  int status = 3, ok;
  run_error = CUDA_SUCCESS;
  if (!device || !pointers) {
    free(device);
    free(pointers);
    return 3;
  }
  pthread_mutex_lock(&lock);
  ok = enter_context();
  pthread_mutex_unlock(&lock);
  ok = ok && check(cuStreamCreate(&stream, 0)) &&
       allocate_all(device, num_inputs, input_bytes) &&
       allocate_all(device + num_inputs, num_outputs, output_bytes);
  if (ok && !workspace && workspace_bytes > 0)
    ok = allocate_all(device + count - 1, 1, &workspace_bytes);
  for (i = 0; ok && i < num_inputs; ++i)
    ok = check(cuMemcpyHtoDAsync_v2(device[i], inputs[i],
                                    (size_t)input_bytes[i], stream));
  if (ok) {
    for (i = 0; i < count - 1; ++i)
      pointers[i] = (void *)(uintptr_t)device[i];
    pointers[count - 1] =
        workspace ? workspace : (void *)(uintptr_t)device[count - 1];
    status = run_device((const void *const *)pointers, pointers + num_inputs,
                        pointers[count - 1], stream);
    ok = status == 0;
  }
  for (i = 0; ok && i < num_outputs; ++i)
    ok = check(cuMemcpyDtoHAsync_v2(outputs[i], device[num_inputs + i],
                                    (size_t)output_bytes[i], stream));
  if (stream) {
    ok = check(cuStreamSynchronize(stream)) && ok;
    cuStreamDestroy_v2(stream);
  }
  /* The run-time data checks' status word, in the workspace. */
  if (ok && status_offset >= 0) {
    int32_t data_status = 0;
    CUdeviceptr word = (CUdeviceptr)(uintptr_t)pointers[count - 1] +
                       (CUdeviceptr)status_offset;
    ok = check(cuMemcpyDtoH_v2(&data_status, word, sizeof data_status));
    if (ok && data_status != 0)
      status = data_status;
  }
  free_all(device, count);
  free(device);
  free(pointers);
  if (status == 1)
    return 1;
  if (!ok)
    return 3;
  return status;
}

/* --- mgpu*: MLIR's launch interface (gpu-to-llvm) ----------------------- */

/* Called from the object's static constructor: only records the image, so
 * that linking a GPU model never starts CUDA before its first run. */
void *mgpuModuleLoad(void *image, size_t bytes) {
  onnxc_module *module = (onnxc_module *)calloc(1, sizeof *module);
  (void)bytes;
  if (module)
    module->image = image;
  return module;
}

/* The module stays loaded until the process exits: at exit the driver may
 * already be gone. */
void mgpuModuleUnload(void *module) { (void)module; }

void *mgpuModuleGetFunction(void *handle, const char *name) {
  onnxc_module *module = (onnxc_module *)handle;
  CUfunction function = NULL;
  if (run_error != CUDA_SUCCESS)
    return NULL;
  if (!module) {
    check(2 /* CUDA_ERROR_OUT_OF_MEMORY */);
    return NULL;
  }
  pthread_mutex_lock(&lock);
  if (!module->module)
    check(cuModuleLoadData(&module->module, module->image));
  pthread_mutex_unlock(&lock);
  if (module->module)
    check(cuModuleGetFunction(&function, module->module, name));
  return function;
}

/* Launches go to the run's stream (NAME_run_device's argument). */
void *mgpuStreamCreate(void) { return current_stream; }

/* The caller owns the stream and waits on it; NAME_run waits itself. */
void mgpuStreamSynchronize(void *stream) { (void)stream; }

void mgpuStreamDestroy(void *stream) { (void)stream; }

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedBytes, void *stream,
                      void **params, void **extra, size_t paramCount) {
  (void)paramCount;
  if (run_error != CUDA_SUCCESS || !function)
    return;
  check(cuLaunchKernel((CUfunction)function, (unsigned)gridX, (unsigned)gridY,
                       (unsigned)gridZ, (unsigned)blockX, (unsigned)blockY,
                       (unsigned)blockZ, (unsigned)sharedBytes,
                       (CUstream)stream, params, extra));
}
