#!/usr/bin/python3
"""Reads `llvm-nm -u` output on stdin; fails unless every undefined symbol
comes from the C library's memory functions or libm."""

import re
import sys

LIBC = {"memcpy", "memset", "memmove"}
LIBM = re.compile(
    r"^(exp|exp2|expm1|log|log2|log10|log1p|pow|sqrt|cbrt|sin|cos|tan|asin|"
    r"acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh|erf|erfc|floor|ceil|"
    r"round|roundeven|trunc|rint|nearbyint|fabs|fmod|fmin|fmax|copysign|"
    r"ldexp|frexp|hypot)f?$")

bad = []
for line in sys.stdin:
    name = line.split()[-1] if line.split() else ""
    if name and name not in LIBC and not LIBM.match(name):
        bad.append(name)
if bad:
    print("unexpected undefined symbols:", " ".join(bad))
    sys.exit(1)
print("only libc/libm symbols are undefined")
