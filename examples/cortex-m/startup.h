/* Services of startup.c to the program: semihosting output and exit, and
 * the stack high-water mark. */
#ifndef CORTEX_M_STARTUP_H
#define CORTEX_M_STARTUP_H

#include <stddef.h>

/* Reset_Handler fills the whole stack with this word before main(). */
#define STACK_PAINT 0xDEADBEEFu

/* Writes a NUL-terminated string to the host (SYS_WRITE0). */
void semihost_puts(const char *s);
/* Ends the program: QEMU exits with `status` (SYS_EXIT_EXTENDED). */
void semihost_exit(int status) __attribute__((noreturn));

/* Bytes of stack reserved by the linker script (STACK_SIZE). */
size_t stack_size(void);
/* Bytes of stack in use at the call (top of stack - sp). */
size_t stack_depth_now(void);
/* Deepest the stack has been since reset or the last stack_repaint(), in
 * bytes from the top: the lowest word that no longer holds STACK_PAINT. */
size_t stack_high_water(void);
/* Paints the free part of the stack again (below the caller's frame). */
void stack_repaint(void);

#endif
