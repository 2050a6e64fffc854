#!/usr/bin/python3
"""End-to-end test on bare-metal Cortex-M: compile a model with
-target=armv7em for a Cortex-M7 (MPS2 AN500) and a Cortex-M4 (MPS2 AN386),
link it with examples/cortex-m (start-up code, linker script, main.c) and
newlib's semihosting library, boot the image in qemu-system-arm, and compare
the outputs it prints (float32 bits) with the same model compiled for the
host and run by the generic C driver on the same inputs.

    test_bare_metal.py [--models kws_cnn,mlp] [--boards mps2-an500,mps2-an386]
                       [--tol 1e-5] [--timeout 120] [--work-dir D] [--keep]

The models come from torch_models.py (seed-0 random weights, opset 17). The
inputs are those main.c makes (xorshift32, see examples/cortex-m/main.c),
made again here for the host. An object that calls no libm function must
give the host's outputs bit for bit; one that does (expf, erff...) links
newlib's libm on the board and glibc's on the host, which differ in the last
bit for some arguments, so it must match to max|a - b| / max|b| <= --tol.
Prints one line per model and board, then a table of
sizes: the model object's .text and .rodata, its workspace and weight
bytes, the stack high-water mark of the run, and the image's flash and RAM.

Exit 0 when everything matches, 1 otherwise.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EXAMPLE = os.path.join(REPO, "examples", "cortex-m")
sys.path.insert(0, os.path.join(REPO, "utils"))
sys.path.insert(0, HERE)

import onnx_e2e as E  # noqa: E402

CC = "arm-none-eabi-gcc"
SIZE = "arm-none-eabi-size"
OBJDUMP = "arm-none-eabi-objdump"
NM = "arm-none-eabi-nm"
QEMU = "qemu-system-arm"

# board: (-mcpu, gcc -mfpu, single precision only). The FPUs are LLVM's
# defaults for these CPUs: FPv5-D16 (double precision too) on the
# Cortex-M7, FPv4-SP-D16 on the Cortex-M4.
BOARDS = {
    "mps2-an500": ("cortex-m7", "fpv5-d16", False),
    "mps2-an386": ("cortex-m4", "fpv4-sp-d16", True),
}


class Failure(Exception):
    pass


def run(cmd, timeout, what):
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure("%s timed out after %gs" % (what, timeout))
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    if p.returncode != 0:
        raise Failure("%s exited with %d: %s" % (
            what, p.returncode, E.first_error_line(err) or out.strip()[-300:]))
    return out, err


def xorshift_inputs(specs):
    """The inputs main.c makes: element k of input i is xorshift32 number
    k+1 from the seed 0x9E3779B9 * (i + 1), as ((x >> 8) - 2^23) / 2^23."""
    res = []
    for i, spec in enumerate(specs):
        if spec.dtype != 1 or not spec.static:
            raise Failure("input %s: only static float32 inputs" % spec.name)
        n = int(np.prod(spec.shape, dtype=np.int64))
        x = (0x9E3779B9 * (i + 1)) & 0xFFFFFFFF
        vals = np.empty(n, dtype=np.int64)
        for k in range(n):
            x ^= (x << 13) & 0xFFFFFFFF
            x ^= x >> 17
            x ^= (x << 5) & 0xFFFFFFFF
            vals[k] = (x >> 8) - (1 << 23)
        res.append((vals.astype(np.float32) * np.float32(2.0 ** -23))
                   .reshape(spec.shape))
    return res


def section_sizes(path):
    """{section: size} from arm-none-eabi-size -A."""
    out, _ = run([SIZE, "-A", path], 60, SIZE)
    sizes = {}
    for line in out.splitlines():
        m = re.match(r"^(\.\S+)\s+(\d+)\s+(\d+)\s*$", line)
        if m:
            sizes[m.group(1)] = int(m.group(2))
    return sizes


def image_memory(path):
    """(flash, ram) bytes of a linked image: flash holds code, read-only
    data and .data's initial values; RAM holds .data, .bss and the heap and
    stack the linker script reserves."""
    s = section_sizes(path)
    flash = sum(v for k, v in s.items()
                if k in (".text", ".rodata", ".ARM.exidx", ".ARM.extab", ".data"))
    ram = sum(v for k, v in s.items() if k in (".data", ".bss", ".heap", ".stack"))
    return flash, ram


def check_single_precision(obj):
    """The Cortex-M4's FPU has no double precision: the object must not use
    any .f64 instruction."""
    out, _ = run([OBJDUMP, "-d", obj], 60, OBJDUMP)
    bad = [l.strip() for l in out.splitlines() if ".f64" in l]
    if bad:
        raise Failure("object for an FPv4-SP FPU uses double precision: %s"
                      % bad[0])


def libm_calls(obj):
    """The functions the object needs other than memcpy/memset/memmove."""
    out, _ = run([NM, "-u", obj], 60, NM)
    names = [l.split()[-1] for l in out.splitlines() if l.strip()]
    return sorted(n for n in names
                  if not re.match(r"^(__aeabi_)?mem(cpy|set|move|clr)\d*$", n))


def build_image(model_path, name, board, workdir):
    cpu, fpu, sp_only = BOARDS[board]
    d = os.path.join(workdir, board)
    compiled = E.compile_model(model_path, d, name=name,
                               extra_args=["-target=armv7em", "-mcpu=" + cpu])
    if sp_only:
        check_single_precision(compiled.obj)
    elf = os.path.join(d, name + ".elf")
    cmd = [CC, "-mcpu=" + cpu, "-mthumb", "-mfloat-abi=hard", "-mfpu=" + fpu,
           "-O2", "-std=c11", "-Wall", "-Werror",
           "--specs=rdimon.specs", "-nostartfiles",
           "-DONNXC_NAME=" + name, "-include", compiled.header,
           "-I", EXAMPLE, "-L", EXAMPLE, "-T", board + ".ld",
           "-Wl,--gc-sections", "-Wl,-z,noexecstack",
           os.path.join(EXAMPLE, "main.c"), os.path.join(EXAMPLE, "startup.c"),
           compiled.obj, "-lm", "-o", elf]
    run(cmd, 120, "link")
    return compiled, elf


def run_image(elf, board, timeout):
    cpu = BOARDS[board][0]
    cmd = [QEMU, "-M", board, "-cpu", cpu, "-nographic", "-monitor", "none",
           "-semihosting-config", "enable=on,target=native", "-kernel", elf]
    out, _ = run(cmd, timeout, QEMU)
    return out


def parse_run(text, output_specs):
    """Outputs (float32 arrays from the printed bits) and the key-value
    lines (sizes, status) of main.c's output."""
    values = {}
    info = {}
    current = None
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "output":
            current = int(parts[1])
            values[current] = {}
        elif parts[0].isdigit() and len(parts) >= 3:
            values[int(parts[0])][int(parts[1])] = int(parts[2], 16)
        elif len(parts) == 2 and re.match(r"^-?\d+$", parts[1]):
            info[parts[0]] = int(parts[1])
    outs = []
    for i, spec in enumerate(output_specs):
        n = int(np.prod(spec.shape, dtype=np.int64))
        got = values.get(i, {})
        if sorted(got) != list(range(n)):
            raise Failure("output %d: printed %d of %d values" % (i, len(got), n))
        bits = np.array([got[k] for k in range(n)], dtype=np.uint32)
        outs.append(bits.view(np.float32).reshape(spec.shape))
    if info.get("status") != 0:
        raise Failure("run returned %s" % info.get("status"))
    return outs, info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="kws_cnn,mlp")
    ap.add_argument("--boards", default=",".join(BOARDS))
    ap.add_argument("--tol", type=float, default=1e-5)
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds for each QEMU run")
    ap.add_argument("--work-dir")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)

    for tool in (CC, SIZE, OBJDUMP, NM, QEMU):
        if not shutil.which(tool):
            print("FAIL: %s is not installed (utils/setup.sh installs it)" % tool)
            return 1

    import torch_models

    workdir = args.work_dir or tempfile.mkdtemp(prefix="onnxc-bare-metal-")
    os.makedirs(workdir, exist_ok=True)
    failures = 0
    rows = []
    try:
        for name in args.models.split(","):
            mdir = os.path.join(workdir, name)
            path = torch_models.export(name, os.path.join(mdir, name + ".onnx"), 17)
            input_specs, output_specs = E.model_io(path)
            inputs = xorshift_inputs(input_specs)
            host = E.compile_model(path, os.path.join(mdir, "host"), name=name)
            expected = E.run_driver(E.build_driver(host), inputs, output_specs,
                                    os.path.dirname(host.obj))
            for board in args.boards.split(","):
                label = "%s on %s (%s)" % (name, board, BOARDS[board][0])
                try:
                    compiled, elf = build_image(path, name, board, mdir)
                    outs, info = parse_run(run_image(elf, board, args.timeout),
                                           output_specs)
                except (Failure, E.E2EError) as e:
                    print("%s: FAIL (%s)" % (label, e))
                    failures += 1
                    continue
                max_abs = max(float(np.max(np.abs(a.astype(np.float64) -
                                                  b.astype(np.float64))))
                              for a, b in zip(outs, expected))
                rel = max(E.relative_error(a, b) for a, b in zip(outs, expected))
                same = sum(int(np.sum(a.view(np.uint32) == b.view(np.uint32)))
                           for a, b in zip(outs, expected))
                total = sum(a.size for a in outs)
                calls = libm_calls(compiled.obj)
                if calls:
                    ok = rel <= args.tol
                    want = "tol %g: calls %s" % (args.tol, ", ".join(calls))
                else:
                    ok = same == total
                    want = "no libm calls: must be bit-identical"
                failures += not ok
                print("%s under %s: max abs diff %.3g, max|a-b|/max|b| %.3g, "
                      "%d/%d values bit-identical to the host (%s): %s"
                      % (label, QEMU, max_abs, rel, same, total, want,
                         "PASS" if ok else "FAIL"))
                obj = section_sizes(compiled.obj)
                flash, ram = image_memory(elf)
                rows.append((name, board,
                             obj.get(".text", 0),
                             sum(v for k, v in obj.items() if k.startswith(".rodata")),
                             info.get("workspace_bytes", -1),
                             info.get("weight_bytes", -1),
                             info.get("stack_high_water_bytes", -1),
                             info.get("stack_model_bytes", -1),
                             flash, ram))
    except (Failure, E.E2EError) as e:
        print("FAIL: %s" % e)
        failures += 1
    finally:
        if not args.keep and not args.work_dir:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.keep:
            print("kept %s" % workdir)

    if rows:
        head = ("model", "board", ".text", ".rodata", "workspace", "weights",
                "stack", "(model)", "flash", "RAM")
        print()
        print("Sizes in bytes: the model object's .text and .rodata; workspace "
              "and weights from the header; stack high-water mark of main + "
              "the run (and of the run alone); the whole image's flash and "
              "RAM (RAM includes the linker script's %s)"
              % "32 KB stack and 16 KB heap")
        fmt = "%-8s %-11s %7s %8s %10s %8s %6s %8s %7s %7s"
        print(fmt % head)
        for r in rows:
            print(fmt % r)
    print("%d failure(s)" % failures if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
