/* onnxc_runtime.h - the optional run-time library of onnx-compile.
 *
 * A compiled model needs nothing of this library: it runs serially, and
 * firmware links it alone. Linking this library (runtime/threads.c, C11 and
 * POSIX threads) makes the model's large loops run on a thread pool:
 *
 *     cc app.c model.o runtime/threads.c -lpthread -lm
 *     onnxc_set_num_threads(2);   // before NAME_run; 1 (serial) by default
 *
 * The object calls onnxc_parallel_for for every loop worth splitting. It
 * carries a weak, serial definition of it; this library's definition
 * replaces it at link time.
 *
 * A model compiled for an NVIDIA GPU (-target=nvptx64) needs the CUDA shim,
 * runtime/cuda.c (C99, CUDA's driver API only; no CUDA headers needed to
 * build it):
 *
 *     cc app.c model.o runtime/cuda.c -lcuda
 */
#ifndef ONNXC_RUNTIME_H
#define ONNXC_RUNTIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The loop body a model hands to onnxc_parallel_for: iterations
 * [begin, end) of a loop over tiles, reading and writing the three buffers
 * it is given. */
typedef void (*onnxc_loop_body)(void *a, void *b, void *c, int64_t begin,
                                int64_t end);

/* Runs body(a, b, c, begin, end) over disjoint ranges that cover
 * [0, count), on up to onnxc_num_threads() threads, and returns when all
 * are done. Safe to call from several threads at once: a call that finds
 * the pool busy runs serially on its own thread. */
void onnxc_parallel_for(onnxc_loop_body body, void *a, void *b, void *c,
                        int64_t count);

/* Sets the number of threads models use (the caller's thread included), 1
 * to 64; returns the number set. Call it while no model runs. */
int onnxc_set_num_threads(int threads);

/* The number of threads models use. */
int onnxc_num_threads(void);

/* --- The CUDA shim (runtime/cuda.c) ------------------------------------ */

/* Whether a CUDA driver and at least one GPU are there: 1 or 0. */
int onnxc_cuda_available(void);

/* The CUresult of the last CUDA call that failed on this thread (0 if
 * none), after an entry point returned 3; *message (if not NULL) gets the
 * driver's description. */
int onnxc_cuda_last_error(const char **message);

/* Called by the compiled object. NAME_run_device brackets its launches
 * with onnxc_cuda_begin(stream) and onnxc_cuda_end(); NAME_run calls
 * onnxc_cuda_run_host, which copies host buffers to the device around
 * NAME_run_device. */
typedef int (*onnxc_device_entry)(const void *const *inputs,
                                  void *const *outputs, void *workspace,
                                  void *stream);
int onnxc_cuda_begin(void *stream);
int onnxc_cuda_end(void);
void *onnxc_cuda_constant(const void *host, uint64_t bytes);
int onnxc_cuda_run_host(onnxc_device_entry run_device, int64_t num_inputs,
                        const int64_t *input_bytes, int64_t num_outputs,
                        const int64_t *output_bytes, int64_t workspace_bytes,
                        int64_t status_offset, const void *const *inputs,
                        void *const *outputs, void *workspace);

#ifdef __cplusplus
}
#endif

#endif /* ONNXC_RUNTIME_H */
