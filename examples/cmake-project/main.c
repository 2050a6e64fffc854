/* Runs the model that onnx_compile_model() compiled into mlp.o + mlp.h:
 * static buffers sized by the header's macros, one call, no allocation. */
#include <stdio.h>

#include "mlp.h"

static float features[mlp_INPUT_0_SIZE / sizeof(float)] = {5.1f, 3.5f, 1.4f,
                                                           0.2f};
static float probabilities[mlp_OUTPUT_0_SIZE / sizeof(float)];
/* 64-byte aligned scratch memory for the model's activations. */
static _Alignas(64) unsigned char workspace[mlp_WORKSPACE_SIZE + 1];

static void print(const char *role, const onnxc_tensor_info *info,
                  const float *data, int precision) {
  printf("%s %s = [", role, info->name);
  for (size_t i = 0; i < info->num_elements; ++i)
    printf("%s%.*f", i ? ", " : "", precision, data[i]);
  printf("]\n");
}

int main(void) {
  const void *inputs[mlp_NUM_INPUTS] = {features};
  void *outputs[mlp_NUM_OUTPUTS] = {probabilities};
  int status = mlp_run(inputs, outputs, workspace);
  if (status != 0) {
    fprintf(stderr, "mlp_run failed: %d\n", status);
    return 1;
  }
  print("input ", &mlp_inputs[0], features, 2);
  print("output", &mlp_outputs[0], probabilities, 6);
  return 0;
}
