/* gpu_app.c - calls a GPU model's entry points (model "mlp" of
 * make_model.py) against fake_cuda.c and prints what the host code did. */
#include <stdio.h>
#include <stdlib.h>

#include "mlp.h"
#include "onnxc_runtime.h"

extern int fake_modules_loaded, fake_launches, fake_allocations, fake_frees;
extern long fake_bytes_to_device, fake_bytes_to_host;
extern unsigned fake_last_grid, fake_last_block;
extern int fake_bad_params;

static void report(const char *what, int status) {
  const char *message;
  int error = onnxc_cuda_last_error(&message);
  printf("%s: status %d, CUDA error %d (%s)\n", what, status, error, message);
  printf("  modules %d, launches %d, allocations %d, frees %d, bad params %d\n",
         fake_modules_loaded, fake_launches, fake_allocations, fake_frees,
         fake_bad_params);
  printf("  to device %ld bytes, to host %ld bytes\n", fake_bytes_to_device,
         fake_bytes_to_host);
}

int main(void) {
  float x[4] = {1, 2, 3, 4}, y[3];
  const void *inputs[1] = {x};
  void *outputs[1] = {y};
  void *device_inputs[1], *device_outputs[1];
  int first_launches;

  report("run", mlp_run(inputs, outputs, NULL));
  first_launches = fake_launches;
  report("run again", mlp_run(inputs, outputs, NULL));
  printf("same launches: %d\n", fake_launches == 2 * first_launches);

  /* "Device" buffers of the fake driver are host memory. */
  device_inputs[0] = malloc(mlp_INPUT_0_SIZE);
  device_outputs[0] = malloc(mlp_OUTPUT_0_SIZE);
  report("run_device", mlp_run_device((const void *const *)device_inputs,
                                      device_outputs,
                                      malloc(mlp_WORKSPACE_SIZE), NULL));
  report("run_device without workspace",
         mlp_run_device((const void *const *)device_inputs, device_outputs,
                        NULL, NULL));
  report("run without inputs", mlp_run(NULL, outputs, NULL));
  return 0;
}
