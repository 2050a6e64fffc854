/* A firmware-style program around a compiled model: static buffers sized by
 * the header's macros, one call, no allocation. */
#include <stdio.h>

#include "mlp.h"

static float features[4] = {5.1f, 3.5f, 1.4f, 0.2f};
static float probabilities[3];
/* 64-byte aligned scratch memory for the model's activations. */
static _Alignas(64) unsigned char workspace[mlp_WORKSPACE_SIZE + 1];

int main(void) {
  const void *inputs[mlp_NUM_INPUTS] = {features};
  void *outputs[mlp_NUM_OUTPUTS] = {probabilities};
  int status = mlp_run(inputs, outputs, workspace);
  if (status != 0) {
    fprintf(stderr, "mlp_run failed: %d\n", status);
    return 1;
  }
  printf("input  %s = [%.2f, %.2f, %.2f, %.2f]\n", mlp_inputs[0].name,
         features[0], features[1], features[2], features[3]);
  printf("output %s = [%.6f, %.6f, %.6f]\n", mlp_outputs[0].name,
         probabilities[0], probabilities[1], probabilities[2]);
  return 0;
}
