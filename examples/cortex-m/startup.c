/*
 * Bare-metal start-up for Cortex-M4/M7 boards (MPS2 AN386 / AN500 under
 * qemu-system-arm), with Arm semihosting for I/O and exit.
 *
 * Reset_Handler: enables the FPU (CPACR) before any floating-point code,
 * copies .data from flash to RAM, zeroes .bss, paints the stack with
 * STACK_PAINT (so that stack_high_water() can tell how deep it went), opens
 * newlib's semihosting stdio (librdimon), calls main() and hands its status to the host with SYS_EXIT_EXTENDED, so QEMU
 * exits by itself with the program's status. A fault prints one line and
 * exits with status 125.
 *
 * The linker script (cortex-m-sections.ld) defines the symbols used here.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "startup.h"

extern uint32_t __data_load__, __data_start__, __data_end__;
extern uint32_t __bss_start__, __bss_end__;
extern uint32_t __StackLimit, __StackTop;
extern char __HeapBase, __HeapLimit;

int main(void);
/* librdimon (--specs=rdimon.specs): opens stdin/stdout/stderr on the host.
 * Its own start-up file (rdimon-crt0) would call it; -nostartfiles drops
 * that file for this one. */
void initialise_monitor_handles(void);

/* ---- semihosting ------------------------------------------------------- */

#define SYS_WRITE0 0x04
#define SYS_EXIT 0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026
#define ADP_Stopped_RunTimeErrorUnknown 0x20023

static int semihost(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void semihost_puts(const char *s) { semihost(SYS_WRITE0, s); }

void semihost_exit(int status) {
  /* SYS_EXIT_EXTENDED carries the status; plain SYS_EXIT (A32/T32) only
   * says success or failure. QEMU implements both. */
  uint32_t block[2] = {ADP_Stopped_ApplicationExit, (uint32_t)status};
  semihost(SYS_EXIT_EXTENDED, block);
  semihost(SYS_EXIT, (const void *)(uintptr_t)(
      status == 0 ? ADP_Stopped_ApplicationExit
                  : ADP_Stopped_RunTimeErrorUnknown));
  for (;;)
    __asm__ volatile("wfi");
}

/* ---- stack painting ---------------------------------------------------- */

static inline __attribute__((always_inline)) uint32_t *current_sp(void) {
  uint32_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

/* Paints [__StackLimit, sp - 64 bytes); volatile so that the compiler does
 * not turn it into a memset call whose own frame would be painted over. */
static inline __attribute__((always_inline)) void
paint(volatile uint32_t *from, volatile uint32_t *to) {
  while (from < to)
    *from++ = STACK_PAINT;
}

void stack_repaint(void) { paint(&__StackLimit, current_sp() - 16); }

size_t stack_depth_now(void) {
  return (size_t)((const char *)&__StackTop - (const char *)current_sp());
}

size_t stack_high_water(void) {
  const volatile uint32_t *p = &__StackLimit;
  while (p < &__StackTop && *p == STACK_PAINT)
    ++p;
  return (size_t)((const char *)&__StackTop - (const char *)p);
}

size_t stack_size(void) {
  return (size_t)((const char *)&__StackTop - (const char *)&__StackLimit);
}

/* ---- heap for newlib's stdio (the model itself never allocates) -------- */

void *_sbrk(ptrdiff_t incr) {
  static char *brk = &__HeapBase;
  char *prev = brk;
  if (incr > &__HeapLimit - brk || incr < &__HeapBase - brk) {
    errno = ENOMEM;
    return (void *)-1;
  }
  brk += incr;
  return prev;
}

/* ---- reset and faults -------------------------------------------------- */

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

void Reset_Handler(void) __attribute__((noreturn));
void Reset_Handler(void) {
  volatile uint32_t *src, *dst;

  /* Full access to CP10 and CP11 (the FPU) before any float instruction. */
  SCB_CPACR |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");

  for (src = &__data_load__, dst = &__data_start__; dst < &__data_end__;)
    *dst++ = *src++;
  for (dst = &__bss_start__; dst < &__bss_end__;)
    *dst++ = 0;
  stack_repaint();

  initialise_monitor_handles();
  semihost_exit(main());
  for (;;) {
  }
}

static void Fault_Handler(void) {
  semihost_puts("fault: HardFault/MemManage/BusFault/UsageFault/NMI\n");
  semihost_exit(125);
}

static void Default_Handler(void) {
  semihost_puts("fault: unexpected exception\n");
  semihost_exit(126);
}

typedef void (*vector_t)(void);

__attribute__((section(".isr_vector"), used))
static const vector_t vectors[16 + 32] = {
    (vector_t)&__StackTop, /* initial SP */
    Reset_Handler,
    Fault_Handler,   /* NMI */
    Fault_Handler,   /* HardFault */
    Fault_Handler,   /* MemManage */
    Fault_Handler,   /* BusFault */
    Fault_Handler,   /* UsageFault */
    0, 0, 0, 0,      /* reserved */
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,               /* reserved */
    Default_Handler, /* PendSV */
    Default_Handler, /* SysTick */
    /* 32 external interrupts (the boards' NVIC), none enabled */
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,
};
