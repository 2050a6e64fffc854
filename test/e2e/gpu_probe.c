/* gpu_probe.c - exit status 0 when a CUDA driver and a GPU are there;
 * prints the reason otherwise. Linked with runtime/cuda.c and -lcuda. */
#include <stdio.h>

#include "onnxc_runtime.h"

int main(void) {
  if (onnxc_cuda_available())
    return 0;
  printf("the CUDA driver finds no GPU\n");
  return 1;
}
