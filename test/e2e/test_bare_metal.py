#!/usr/bin/python3
"""End-to-end test on bare-metal Cortex-M: compile a model with
-target=armv7em for a Cortex-M7 (MPS2 AN500) and a Cortex-M4 (MPS2 AN386),
link it with examples/cortex-m (start-up code, linker script, main.c) and
newlib's semihosting library, boot the image in qemu-system-arm, and compare
the outputs it prints (float32 bits) with the same model compiled for the
host and run by the generic C driver on the same inputs.

    test_bare_metal.py [--models kws_cnn,mlp] [--boards mps2-an500,mps2-an386]
                       [--extflash mlp] [--tol 1e-5] [--timeout 120]
                       [--work-dir D] [--keep]

The models come from torch_models.py (seed-0 random weights, opset 17). The
inputs are those main.c makes (xorshift32, see examples/cortex-m/main.c),
made again here for the host. Every model and board runs in these variants:

  libm     the default object, linked with newlib's libm (-lm). An object
           that calls no libm function must give the host's outputs bit for
           bit; one that does (expf, erff...) gets newlib's on the board and
           glibc's on the host, which differ in the last bit for some
           arguments, so it must match to max|a - b| / max|b| <= --tol.
  no-libm  compiled with -no-libm, for the board and for the host. The
           object must need nothing but memcpy/memset/memmove; the image is
           linked without -lm, and the link map must show no libm member
           (where the libm object calls libm, the same link of that object
           must fail for want of those symbols). Both builds evaluate the
           same polynomials, so the board must give the host's -no-libm
           outputs bit for bit. Also prints how far the host's -no-libm
           outputs are from its libm ones.
  extflash for the models in --extflash: -no-libm -weights-section=.extflash,
           the section placed by the board's linker script in EXTFLASH
           (PSRAM standing in for external flash). Checks that the weights
           landed there (section address, size, 64-byte alignment, and
           nothing of them left in the object's .rodata), then splits the
           image into the program (objcopy -R .extflash) and the weights
           (objcopy -O binary -j .extflash), boots the program with the
           weights loaded apart by QEMU's generic loader at the region's
           address and requires the host's -no-libm outputs bit for bit;
           the program booted without the weights must not give them.

Prints one line per model, board and variant, then a table of sizes: the
model object's .text, .rodata and .extflash, its workspace and weight bytes,
the stack high-water mark of the run, and the image's flash and RAM.

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
OBJCOPY = "arm-none-eabi-objcopy"
READELF = "arm-none-eabi-readelf"
QEMU = "qemu-system-arm"

# board: (-mcpu, gcc -mfpu, single precision only). The FPUs are LLVM's
# defaults for these CPUs: FPv5-D16 (double precision too) on the
# Cortex-M7, FPv4-SP-D16 on the Cortex-M4.
BOARDS = {
    "mps2-an500": ("cortex-m7", "fpv5-d16", False),
    "mps2-an386": ("cortex-m4", "fpv4-sp-d16", True),
}

# board: (origin, length) of the linker script's EXTFLASH region, the
# board's PSRAM in QEMU 7.2 (`info mtree`: mps.ram).
EXTFLASH = {
    "mps2-an500": (0x60000000, 16 << 20),
    "mps2-an386": (0x21000000, 16 << 20),
}

MEM_FUNCS = r"^(__aeabi_)?mem(cpy|set|move|clr)\d*$"


class Failure(Exception):
    def __init__(self, msg, detail=""):
        super().__init__(msg)
        self.detail = detail  # the command's whole stderr, when one failed


def run(cmd, timeout, what):
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure("%s timed out after %gs" % (what, timeout))
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    if p.returncode != 0:
        raise Failure("%s exited with %d: %s" % (
            what, p.returncode, E.first_error_line(err) or out.strip()[-300:]),
            err)
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
    return sorted(n for n in names if not re.match(MEM_FUNCS, n))


def archive_members(map_file):
    """{archive basename: [member, ...]} that ld pulled in, from the link
    map's "Archive member included to satisfy reference" list."""
    members = {}
    with open(map_file) as fh:
        for line in fh:
            if line.startswith(("Discarded input sections", "Memory Configuration")):
                break
            m = re.match(r"^(\S+\.a)\((\S+)\)", line)
            if m:
                members.setdefault(os.path.basename(m.group(1)), []).append(m.group(2))
    return members


def loaded_archives(map_file):
    """The archives on the link line (the map's LOAD lines), in order."""
    res = []
    with open(map_file) as fh:
        for line in fh:
            m = re.match(r"^LOAD (\S+\.a)$", line.strip())
            if m and os.path.basename(m.group(1)) not in res:
                res.append(os.path.basename(m.group(1)))
    return res


def archive_bytes(map_file, archive):
    """Bytes of .text, .rodata, .data and .bss that members of ARCHIVE
    (a basename: libm.a) put in the image, from the link map."""
    total = 0
    section = None
    started = False
    with open(map_file) as fh:
        for line in fh:
            if line.startswith("Linker script and memory map"):
                started = True
                continue
            if not started:
                continue
            m = re.match(r"^ (\.\S+)(.*)$", line)
            if m:
                section, line = m.group(1), m.group(2)
            m = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+\.a)\(", line)
            if (m and section and os.path.basename(m.group(3)) == archive and
                    re.match(r"^\.(text|rodata|data|bss)\b", section)):
                total += int(m.group(2), 16)
    return total


def elf_sections(path):
    """{section: (address, size, alignment)} from readelf -S -W."""
    out, _ = run([READELF, "-S", "-W", path], 60, READELF)
    res = {}
    for line in out.splitlines():
        m = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+"
                     r"\s+([0-9a-f]+)\s+\S+\s+\S*\s+\d+\s+\d+\s+(\d+)\s*$", line)
        if m:
            res[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16),
                               int(m.group(4)))
    return res


def link_image(compiled, board, elf, libm=True):
    """Links main.c, startup.c and the model object into ELF, with -lm or
    without; writes ELF.map. Returns the link map's archive members."""
    cpu, fpu, _ = BOARDS[board]
    cmd = [CC, "-mcpu=" + cpu, "-mthumb", "-mfloat-abi=hard", "-mfpu=" + fpu,
           "-O2", "-std=c11", "-Wall", "-Werror",
           "--specs=rdimon.specs", "-nostartfiles",
           "-DONNXC_NAME=" + compiled.name, "-include", compiled.header,
           "-I", EXAMPLE, "-L", EXAMPLE, "-T", board + ".ld",
           "-Wl,--gc-sections", "-Wl,-z,noexecstack", "-Wl,-Map=" + elf + ".map",
           os.path.join(EXAMPLE, "main.c"), os.path.join(EXAMPLE, "startup.c"),
           compiled.obj] + (["-lm"] if libm else []) + ["-o", elf]
    run(cmd, 120, "link")
    return archive_members(elf + ".map")


def build_image(model_path, name, board, workdir, variant="libm",
                extra_args=()):
    """Compiles the model for BOARD into WORKDIR/BOARD-VARIANT and links it,
    with -lm for the libm variant only. Returns (compiled, elf, members)."""
    cpu, fpu, sp_only = BOARDS[board]
    d = os.path.join(workdir, board + "-" + variant)
    compiled = E.compile_model(model_path, d, name=name,
                               extra_args=["-target=armv7em", "-mcpu=" + cpu]
                               + list(extra_args))
    if sp_only:
        check_single_precision(compiled.obj)
    if variant != "libm":
        calls = libm_calls(compiled.obj)
        if calls:
            raise Failure("-no-libm object needs %s" % ", ".join(calls))
    elf = os.path.join(d, name + ".elf")
    members = link_image(compiled, board, elf, libm=(variant == "libm"))
    if variant != "libm" and ("libm.a" in members or
                              "libm.a" in loaded_archives(elf + ".map")):
        raise Failure("linked without -lm, yet the map lists libm.a (%s)"
                      % ", ".join(members.get("libm.a", [])))
    return compiled, elf, members


def check_needs_libm(compiled, board, calls):
    """The libm object linked without -lm must fail, for want of CALLS."""
    elf = os.path.join(os.path.dirname(compiled.obj), compiled.name + "-nolm.elf")
    try:
        link_image(compiled, board, elf, libm=False)
    except Failure as e:
        missing = [c for c in calls
                   if "undefined reference to `%s'" % c in e.detail]
        if missing != calls:
            raise Failure("the libm object failed to link without -lm, but "
                          "not for want of %s: %s" % (", ".join(calls), e))
        return missing
    raise Failure("the libm object (calls %s) linked without -lm"
                  % ", ".join(calls))


def check_extflash(compiled, elf, board, rodata_without):
    """The weights sit in .extflash inside the board's EXTFLASH region: the
    object's .extflash is 64-byte aligned and as large as the .rodata of
    the same object compiled without -weights-section (RODATA_WITHOUT
    bytes), and it has no .rodata left. Returns (address, size)."""
    obj = elf_sections(compiled.obj)
    if ".extflash" not in obj:
        raise Failure("object has no .extflash section")
    _, osize, oalign = obj[".extflash"]
    if oalign < 64:
        raise Failure("object's .extflash is %d-byte aligned, not 64" % oalign)
    left = sum(v[1] for k, v in obj.items() if k.startswith(".rodata"))
    if osize != rodata_without or left:
        raise Failure("object's .extflash is %d bytes and .rodata %d; without "
                      "-weights-section .rodata was %d" % (osize, left,
                                                           rodata_without))
    img = elf_sections(elf)
    if ".extflash" not in img:
        raise Failure("image has no .extflash section")
    addr, size, _ = img[".extflash"]
    base, length = EXTFLASH[board]
    if size != osize:
        raise Failure("image's .extflash is %d bytes, the object's %d"
                      % (size, osize))
    if not (base <= addr and addr + size <= base + length) or addr % 64:
        raise Failure(".extflash at 0x%08x-0x%08x, not 64-byte aligned in "
                      "EXTFLASH 0x%08x-0x%08x" % (addr, addr + size, base,
                                                  base + length))
    return addr, size


def split_extflash(elf):
    """(program ELF without .extflash, raw binary of .extflash)."""
    app = elf[:-4] + "-app.elf"
    blob = elf[:-4] + "-extflash.bin"
    run([OBJCOPY, "-R", ".extflash", elf, app], 60, OBJCOPY)
    run([OBJCOPY, "-O", "binary", "-j", ".extflash", elf, blob], 60, OBJCOPY)
    return app, blob


def run_image(elf, board, timeout, loads=()):
    """Boots ELF; LOADS: (file, address) pairs for QEMU's generic loader."""
    cpu = BOARDS[board][0]
    cmd = [QEMU, "-M", board, "-cpu", cpu, "-nographic", "-monitor", "none",
           "-semihosting-config", "enable=on,target=native", "-kernel", elf]
    for f, addr in loads:
        cmd += ["-device", "loader,file=%s,addr=0x%x" % (f, addr)]
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


def compare(outs, expected):
    """(max abs diff, max|a-b|/max|b|, bit-identical values, values)."""
    max_abs = max(float(np.max(np.abs(a.astype(np.float64) -
                                      b.astype(np.float64))))
                  for a, b in zip(outs, expected))
    rel = max(E.relative_error(a, b) for a, b in zip(outs, expected))
    same = sum(int(np.sum(a.view(np.uint32) == b.view(np.uint32)))
               for a, b in zip(outs, expected))
    return max_abs, rel, same, sum(a.size for a in outs)


def size_row(name, board, variant, compiled, elf, info):
    obj = section_sizes(compiled.obj)
    flash, ram = image_memory(elf)
    return (name, board, variant,
            obj.get(".text", 0),
            sum(v for k, v in obj.items() if k.startswith(".rodata")),
            obj.get(".extflash", 0),
            info.get("workspace_bytes", -1),
            info.get("weight_bytes", -1),
            info.get("stack_high_water_bytes", -1),
            info.get("stack_model_bytes", -1),
            flash, ram)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="kws_cnn,mlp")
    ap.add_argument("--boards", default=",".join(BOARDS))
    ap.add_argument("--extflash", default="mlp",
                    help="models also run with -weights-section=.extflash "
                    "('' for none)")
    ap.add_argument("--tol", type=float, default=1e-5)
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds for each QEMU run")
    ap.add_argument("--work-dir")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)

    for tool in (CC, SIZE, OBJDUMP, NM, OBJCOPY, READELF, QEMU):
        if not shutil.which(tool):
            print("FAIL: %s is not installed (utils/setup.sh installs it)" % tool)
            return 1

    import torch_models

    workdir = args.work_dir or tempfile.mkdtemp(prefix="onnxc-bare-metal-")
    os.makedirs(workdir, exist_ok=True)
    extflash_models = [m for m in args.extflash.split(",") if m]
    failures = 0
    rows = []

    def report(label, variant, outs, expected, what, ok, want, extra=""):
        nonlocal failures
        max_abs, rel, same, total = compare(outs, expected)
        failures += not ok
        print("%s, %s: max abs diff %.3g, max|a-b|/max|b| %.3g, %d/%d values "
              "bit-identical to the host's %s (%s)%s: %s"
              % (label, variant, max_abs, rel, same, total, what, want, extra,
                 "PASS" if ok else "FAIL"))

    try:
        for name in args.models.split(","):
            mdir = os.path.join(workdir, name)
            path = torch_models.export(name, os.path.join(mdir, name + ".onnx"), 17)
            input_specs, output_specs = E.model_io(path)
            inputs = xorshift_inputs(input_specs)
            host = E.compile_model(path, os.path.join(mdir, "host"), name=name)
            expected = E.run_driver(E.build_driver(host), inputs, output_specs,
                                    os.path.dirname(host.obj))
            host_nl = E.compile_model(path, os.path.join(mdir, "host-no-libm"),
                                      name=name, extra_args=["-no-libm"])
            expected_nl = E.run_driver(E.build_driver(host_nl), inputs,
                                       output_specs, os.path.dirname(host_nl.obj))
            max_abs, rel, same, total = compare(expected_nl, expected)
            print("%s on the host, -no-libm vs libm (glibc): max abs diff %.3g, "
                  "max|a-b|/max|b| %.3g, %d/%d values bit-identical"
                  % (name, max_abs, rel, same, total))
            for board in args.boards.split(","):
                label = "%s on %s (%s)" % (name, board, BOARDS[board][0])

                # libm: the default object, newlib's libm.
                calls = []
                try:
                    compiled, elf, members = build_image(path, name, board, mdir)
                    outs, info = parse_run(run_image(elf, board, args.timeout),
                                           output_specs)
                    calls = libm_calls(compiled.obj)
                    if calls:
                        _, rel, _, _ = compare(outs, expected)
                        ok = rel <= args.tol
                        want = "tol %g: calls %s; libm.a: %d members, %d bytes" % (
                            args.tol, ", ".join(calls),
                            len(members.get("libm.a", [])),
                            archive_bytes(elf + ".map", "libm.a"))
                    else:
                        ok = compare(outs, expected)[2] == sum(a.size for a in outs)
                        want = "no libm calls: must be bit-identical"
                    report(label, "libm", outs, expected, "libm build", ok, want)
                    rows.append(size_row(name, board, "libm", compiled, elf, info))
                    if calls:
                        check_needs_libm(compiled, board, calls)
                        print("%s, libm: the same link without -lm fails: "
                              "undefined %s: PASS" % (label, ", ".join(calls)))
                except (Failure, E.E2EError) as e:
                    print("%s, libm: FAIL (%s)" % (label, e))
                    failures += 1

                # no-libm: linked without -lm, bit for bit with the host's.
                rodata_nl = None
                try:
                    compiled, elf, members = build_image(
                        path, name, board, mdir, "no-libm", ["-no-libm"])
                    outs, info = parse_run(run_image(elf, board, args.timeout),
                                           output_specs)
                    ok = compare(outs, expected_nl)[2] == sum(a.size for a in outs)
                    report(label, "no-libm", outs, expected_nl, "-no-libm build",
                           ok, "linked without -lm; archives searched: %s; "
                           "members taken: %s"
                           % (", ".join(loaded_archives(elf + ".map")),
                              ", ".join("%s %d" % (k, len(v))
                                        for k, v in sorted(members.items()))))
                    rows.append(size_row(name, board, "no-libm", compiled, elf,
                                         info))
                    rodata_nl = rows[-1][4]
                except (Failure, E.E2EError) as e:
                    print("%s, no-libm: FAIL (%s)" % (label, e))
                    failures += 1

                if name not in extflash_models:
                    continue
                # extflash: the weights in the board's external flash region.
                try:
                    if rodata_nl is None:
                        raise Failure("needs the no-libm build")
                    compiled, elf, _ = build_image(
                        path, name, board, mdir, "extflash",
                        ["-no-libm", "-weights-section=.extflash"])
                    addr, size = check_extflash(compiled, elf, board, rodata_nl)
                    app, blob = split_extflash(elf)
                    if os.path.getsize(blob) != size:
                        raise Failure("%s is %d bytes, .extflash %d" % (
                            blob, os.path.getsize(blob), size))
                    outs, info = parse_run(
                        run_image(app, board, args.timeout, [(blob, addr)]),
                        output_specs)
                    ok = compare(outs, expected_nl)[2] == sum(a.size for a in outs)
                    # Without the weights, the program must not get there.
                    bare, _ = parse_run(run_image(app, board, args.timeout),
                                        output_specs)
                    _, _, same_bare, total = compare(bare, expected_nl)
                    ok = ok and same_bare < total
                    report(label, "extflash", outs, expected_nl, "-no-libm build",
                           ok, ".extflash at 0x%08x-0x%08x, %d bytes, loaded "
                           "apart from the program" % (addr, addr + size, size),
                           "; without it %d/%d" % (same_bare, total))
                    rows.append(size_row(name, board, "extflash", compiled, app,
                                         info))
                except (Failure, E.E2EError) as e:
                    print("%s, extflash: FAIL (%s)" % (label, e))
                    failures += 1
    except (Failure, E.E2EError) as e:
        print("FAIL: %s" % e)
        failures += 1
    finally:
        if not args.keep and not args.work_dir:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.keep:
            print("kept %s" % workdir)

    if rows:
        head = ("model", "board", "variant", ".text", ".rodata", ".extflash",
                "workspace", "weights", "stack", "(model)", "flash", "RAM")
        print()
        print("Sizes in bytes: the model object's .text, .rodata and .extflash; "
              "workspace and weights from the header; stack high-water mark of "
              "main + the run (and of the run alone); the whole image's flash "
              "(without .extflash) and RAM (RAM includes the linker script's "
              "32 KB stack and 16 KB heap)")
        fmt = "%-8s %-11s %-8s %6s %8s %9s %9s %8s %6s %7s %7s %7s"
        print(fmt % head)
        for r in rows:
            print(fmt % r)
    print("%d failure(s)" % failures if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
