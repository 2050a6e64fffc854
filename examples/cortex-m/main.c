/*
 * Runs a model compiled by onnx-compile on a Cortex-M board and prints every
 * output value over semihosting, exactly (the float's bits), with the
 * memory it took.
 *
 * Build with the model's header forced in and its name:
 *   arm-none-eabi-gcc ... -DONNXC_NAME=kws -include kws.h main.c startup.c kws.o
 *
 * Inputs are generated here, deterministically: element k of input i is
 * xorshift32 number k+1 from the seed 0x9E3779B9 * (i + 1), mapped to
 * [-1, 1) exactly as ((x >> 8) - 2^23) / 2^23. test/e2e/test_bare_metal.py
 * makes the same inputs on the host. Only float32 inputs are supported.
 *
 * Output (one item per line):
 *   model NAME inputs N outputs M
 *   output I NAME COUNT                 for each output, then COUNT lines
 *   I K BITS VALUE                      BITS: the float32 as 8 hex digits
 *                                       (other types: the element's bytes)
 *   workspace_bytes W                   NAME_WORKSPACE_SIZE
 *   weight_bytes B                      NAME_WEIGHT_SIZE
 *   stack_high_water_bytes S            deepest stack use of main + the run
 *   stack_model_bytes S                 the part below main's frame
 *   stack_reserved_bytes S
 *   status R                            NAME_run's return code
 * and exits with 0, or 1 if NAME_run failed, 2 for an unsupported input.
 *
 * No allocation: the workspace and every tensor are static arrays sized by
 * the header's macros (newlib's stdio may use the small heap for its
 * buffers; the model never does).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "startup.h"

#ifndef ONNXC_NAME
#error "compile with -DONNXC_NAME=<model name> -include <model>.h"
#endif

#define CAT2_(a, b) a##b
#define CAT2(a, b) CAT2_(a, b)
#define SYM(suffix) CAT2(ONNXC_NAME, suffix)
#define STR_(x) #x
#define STR(x) STR_(x)

#define NUM_INPUTS SYM(_NUM_INPUTS)
#define NUM_OUTPUTS SYM(_NUM_OUTPUTS)
#define WORKSPACE_SIZE SYM(_WORKSPACE_SIZE)
#define WEIGHT_SIZE SYM(_WEIGHT_SIZE)
#define INPUT_SIZE(i) SYM(_INPUT_##i##_SIZE)
#define OUTPUT_SIZE(i) SYM(_OUTPUT_##i##_SIZE)
/* C has no zero-length arrays. */
#define NONZERO(n) ((n) > 0 ? (n) : 1)

#if NUM_INPUTS > 4 || NUM_OUTPUTS > 4
#error "this example handles at most 4 inputs and 4 outputs"
#endif

/* The workspace: 64-byte aligned, exactly the size the header asks for. */
static _Alignas(64) unsigned char workspace[NONZERO(WORKSPACE_SIZE)];

#if NUM_INPUTS > 0
static _Alignas(64) unsigned char input0[NONZERO(INPUT_SIZE(0))];
#endif
#if NUM_INPUTS > 1
static _Alignas(64) unsigned char input1[NONZERO(INPUT_SIZE(1))];
#endif
#if NUM_INPUTS > 2
static _Alignas(64) unsigned char input2[NONZERO(INPUT_SIZE(2))];
#endif
#if NUM_INPUTS > 3
static _Alignas(64) unsigned char input3[NONZERO(INPUT_SIZE(3))];
#endif
#if NUM_OUTPUTS > 0
static _Alignas(64) unsigned char output0[NONZERO(OUTPUT_SIZE(0))];
#endif
#if NUM_OUTPUTS > 1
static _Alignas(64) unsigned char output1[NONZERO(OUTPUT_SIZE(1))];
#endif
#if NUM_OUTPUTS > 2
static _Alignas(64) unsigned char output2[NONZERO(OUTPUT_SIZE(2))];
#endif
#if NUM_OUTPUTS > 3
static _Alignas(64) unsigned char output3[NONZERO(OUTPUT_SIZE(3))];
#endif

static const void *const inputs[NONZERO(NUM_INPUTS)] = {
#if NUM_INPUTS > 0
    input0,
#endif
#if NUM_INPUTS > 1
    input1,
#endif
#if NUM_INPUTS > 2
    input2,
#endif
#if NUM_INPUTS > 3
    input3,
#endif
};
static void *const outputs[NONZERO(NUM_OUTPUTS)] = {
#if NUM_OUTPUTS > 0
    output0,
#endif
#if NUM_OUTPUTS > 1
    output1,
#endif
#if NUM_OUTPUTS > 2
    output2,
#endif
#if NUM_OUTPUTS > 3
    output3,
#endif
};

/* Element k of input i: see the comment at the top. */
static void fill_input(float *dst, size_t n, unsigned index) {
  uint32_t x = 0x9E3779B9u * (uint32_t)(index + 1);
  size_t k;
  for (k = 0; k < n; ++k) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    dst[k] = (float)((int32_t)(x >> 8) - (1 << 23)) * (1.0f / (1 << 23));
  }
}

/* Keeps the call out of main's frame, so its stack use can be told apart. */
static __attribute__((noinline)) int run_model(void) {
  return SYM(_run)(inputs, (void *const *)outputs, workspace);
}

int main(void) {
  size_t i, k, high_water, depth_at_call;
  int rc;

  for (i = 0; i < (size_t)NUM_INPUTS; ++i) {
    const onnxc_tensor_info *t = &SYM(_inputs)[i];
    if (t->dtype != 1) {
      printf("input %u %s: dtype %d is not float32\n", (unsigned)i, t->name,
             (int)t->dtype);
      return 2;
    }
    fill_input((float *)inputs[i], t->num_elements, (unsigned)i);
  }

  /* Only the model runs between the repaint and the measurement: stdio is
   * first used after it. */
  depth_at_call = stack_depth_now();
  stack_repaint();
  rc = run_model();
  high_water = stack_high_water();

  printf("model %s inputs %d outputs %d\n", STR(ONNXC_NAME), (int)NUM_INPUTS,
         (int)NUM_OUTPUTS);
  for (i = 0; i < (size_t)NUM_OUTPUTS; ++i) {
    const onnxc_tensor_info *t = &SYM(_outputs)[i];
    const unsigned char *p = (const unsigned char *)outputs[i];
    printf("output %u %s %u\n", (unsigned)i, t->name,
           (unsigned)t->num_elements);
    for (k = 0; k < t->num_elements; ++k) {
      uint32_t bits;
      float v;
      if (t->dtype != 1) { /* not float32: the element's bytes in hex */
        size_t size = t->size_bytes / t->num_elements, b;
        printf("%u %u ", (unsigned)i, (unsigned)k);
        for (b = 0; b < size; ++b)
          printf("%02x", p[k * size + b]);
        printf("\n");
        continue;
      }
      memcpy(&bits, p + 4 * k, 4);
      memcpy(&v, &bits, 4);
      printf("%u %u %08lx %.9g\n", (unsigned)i, (unsigned)k,
             (unsigned long)bits, (double)v);
    }
  }
  printf("workspace_bytes %lu\n", (unsigned long)WORKSPACE_SIZE);
  printf("weight_bytes %lu\n", (unsigned long)WEIGHT_SIZE);
  printf("stack_high_water_bytes %lu\n", (unsigned long)high_water);
  printf("stack_model_bytes %lu\n",
         (unsigned long)(high_water > depth_at_call ? high_water - depth_at_call
                                                    : 0));
  printf("stack_reserved_bytes %lu\n", (unsigned long)stack_size());
  printf("status %d\n", rc);
  fflush(stdout);
  return rc == 0 ? 0 : 1;
}
