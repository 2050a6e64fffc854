/* Runs the MLP on 2 threads of the runtime's pool. */
#include <stdio.h>

#include "mlp.h"
#include "onnxc_runtime.h"

int main(void) {
  float x[4] = {5.1f, 3.5f, 1.4f, 0.2f}, y[3];
  const void *inputs[1] = {x};
  void *outputs[1] = {y};
  static unsigned char workspace[mlp_WORKSPACE_SIZE + 1]
      __attribute__((aligned(64)));
  printf("threads %d\n", onnxc_set_num_threads(2));
  if (mlp_run(inputs, outputs, workspace) != 0)
    return 1;
  printf("output probabilities = [%.6f, %.6f, %.6f]\n", y[0], y[1], y[2]);
  return 0;
}
