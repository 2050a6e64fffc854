/* Runs the MLP on the GPU with host buffers. */
#include <stdio.h>

#include "mlp.h"
#include "onnxc_runtime.h"

int main(void) {
  float x[4] = {5.1f, 3.5f, 1.4f, 0.2f}, y[3];
  const void *inputs[1] = {x};
  void *outputs[1] = {y};
  int status = mlp_run(inputs, outputs, NULL);
  if (status != 0) {
    const char *why;
    fprintf(stderr, "status %d, CUDA error %d: %s\n", status,
            onnxc_cuda_last_error(&why), why);
    return 1;
  }
  printf("output probabilities = [%.6f, %.6f, %.6f]\n", y[0], y[1], y[2]);
  return 0;
}
