/* Runs a Range model compiled for 4 values with bounds from the command
 * line and prints the status and the values: status 2 when the bounds ask
 * for another length. */
#include <stdio.h>
#include <stdlib.h>

#include "range.h"

int main(int argc, char **argv) {
  if (argc != 4)
    return 100;
  int64_t start = atoll(argv[1]), limit = atoll(argv[2]), delta = atoll(argv[3]);
  int64_t y[4] = {-1, -1, -1, -1};
  const void *inputs[] = {&start, &limit, &delta};
  void *outputs[] = {y};
  static _Alignas(64) unsigned char workspace[range_WORKSPACE_SIZE + 1];
#ifdef NULL_WORKSPACE
  /* A GPU model's NAME_run then allocates the workspace on the device. */
  int status = range_run(inputs, outputs, NULL);
  (void)workspace;
#else
  int status = range_run(inputs, outputs, workspace);
#endif
  printf("status %d", status);
  if (status == 0)
    printf(" values %lld %lld %lld %lld", (long long)y[0], (long long)y[1],
           (long long)y[2], (long long)y[3]);
  printf("\n");
  return 0;
}
