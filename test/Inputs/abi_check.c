/* Checks the C ABI of a compiled model (test/Target/c-abi.test): the
 * macros, the metadata tables, NULL handling and a real run. */
#include <stdio.h>
#include <string.h>

#include "abi.h"

static float input[abi_INPUT_0_SIZE / sizeof(float)];
static float output[abi_OUTPUT_0_SIZE / sizeof(float)];
static _Alignas(64) unsigned char workspace[abi_WORKSPACE_SIZE + 64];

int main(void) {
  const void *inputs[] = {input};
  void *outputs[] = {output};
  printf("inputs %d outputs %d\n", abi_NUM_INPUTS, abi_NUM_OUTPUTS);
  printf("input %s dtype %d rank %d shape %lldx%lld elements %zu bytes %zu\n",
         abi_inputs[0].name, abi_inputs[0].dtype, abi_inputs[0].rank,
         (long long)abi_inputs[0].shape[0], (long long)abi_inputs[0].shape[1],
         abi_inputs[0].num_elements, abi_inputs[0].size_bytes);
  printf("workspace macro matches function: %d\n",
         abi_workspace_size() == abi_WORKSPACE_SIZE);
  printf("null inputs: %d\n", abi_run(NULL, outputs, workspace));
  printf("null outputs: %d\n", abi_run(inputs, NULL, workspace));
  if (abi_WORKSPACE_SIZE > 0)
    printf("null workspace: %d\n", abi_run(inputs, outputs, NULL));
  for (size_t i = 0; i < sizeof(input) / sizeof(input[0]); ++i)
    input[i] = (float)i;
  printf("run: %d\n", abi_run(inputs, outputs, workspace));
  printf("y = %.5f %.5f %.5f\n", output[0], output[1], output[2]);
  return 0;
}
