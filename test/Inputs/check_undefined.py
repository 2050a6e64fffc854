#!/usr/bin/python3
"""Reads `llvm-nm -u` output on stdin; fails unless every undefined symbol
comes from the C library's memory functions or libm. With --no-libm, libm is
not allowed either (compiler runtime helpers, __*, still are)."""

import re
import sys

LIBC = {"memcpy", "memset", "memmove"}
LIBM = re.compile(
    r"^(exp|exp2|expm1|log|log2|log10|log1p|pow|sqrt|cbrt|sin|cos|tan|asin|"
    r"acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh|erf|erfc|floor|ceil|"
    r"round|roundeven|trunc|rint|nearbyint|fabs|fmod|fmin|fmax|copysign|"
    r"ldexp|frexp|hypot)f?$")

no_libm = "--no-libm" in sys.argv[1:]
bad = []
for line in sys.stdin:
    name = line.split()[-1] if line.split() else ""
    if not name or name in LIBC:
        continue
    if no_libm and not name.startswith("__"):
        bad.append(name)
    elif not no_libm and not LIBM.match(name):
        bad.append(name)
if bad:
    print("unexpected undefined symbols:", " ".join(bad))
    sys.exit(1)
print("only libc symbols are undefined" if no_libm
      else "only libc/libm symbols are undefined")
