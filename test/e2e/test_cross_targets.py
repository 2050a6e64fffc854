#!/usr/bin/python3
"""End-to-end test of the cross targets: compile a model with -target=aarch64
and -target=riscv64, link it with the generic C driver using Debian's cross
gcc, run it under qemu-user, and compare with the same model compiled for
the host (relative error 1e-5: FMA contraction may differ across ISAs).

    test_cross_targets.py [--targets aarch64,riscv64] [--models mlp,squeezenet1_1]

Exit 0 when every target matches; prints one line per model and target.
"""

import argparse
import os
import shutil
import stat
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "utils"))
sys.path.insert(0, HERE)

import onnx_e2e as E  # noqa: E402

TOOLCHAINS = {
    # target: (cross compiler, qemu, sysroot)
    "aarch64": ("aarch64-linux-gnu-gcc", "qemu-aarch64", "/usr/aarch64-linux-gnu"),
    "riscv64": ("riscv64-linux-gnu-gcc", "qemu-riscv64", "/usr/riscv64-linux-gnu"),
}


def model_path(name, workdir):
    if name == "mlp":
        return os.path.join(REPO, "examples", "mlp", "mlp.onnx")
    import torch_models
    path = os.path.join(workdir, name + ".onnx")
    torch_models.export(name, path, 17)
    return path


def qemu_wrapper(exe, qemu, sysroot):
    """A script that runs `exe` under qemu-user, so the e2e helpers can call
    it like a native driver."""
    wrapper = exe + ".qemu"
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\nexec %s -L %s %s "$@"\n' % (qemu, sysroot, exe))
    os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IEXEC)
    return wrapper


def run_target(path, target, inputs, outputs, workdir):
    cc, qemu, sysroot = TOOLCHAINS[target]
    compiled = E.compile_model(path, os.path.join(workdir, target), name="model",
                               extra_args=["-target=" + target])
    exe = E.build_driver(compiled, cc=cc)
    return E.run_driver(qemu_wrapper(exe, qemu, sysroot), inputs, outputs,
                        os.path.dirname(exe), timeout=1200)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--targets", default="aarch64,riscv64")
    ap.add_argument("--models", default="mlp,squeezenet1_1")
    ap.add_argument("--tol", type=float, default=1e-5)
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="onnxc-cross-")
    failures = 0
    try:
        for name in args.models.split(","):
            path = model_path(name, workdir)
            input_specs, output_specs = E.model_io(path)
            inputs = list(E.random_inputs(path, seed=0).values())
            host = E.compile_model(path, os.path.join(workdir, name, "host"),
                                   name="model")
            expected = E.run_driver(E.build_driver(host), inputs, output_specs,
                                    os.path.dirname(host.obj))
            for target in args.targets.split(","):
                cc, qemu, _ = TOOLCHAINS[target]
                if not shutil.which(cc) or not shutil.which(qemu):
                    print("%s on %s: FAIL (%s or %s is not installed)"
                          % (name, target, cc, qemu))
                    failures += 1
                    continue
                try:
                    actual = run_target(path, target, inputs, output_specs,
                                        os.path.join(workdir, name))
                except E.E2EError as e:
                    print("%s on %s: FAIL (%s)" % (name, target, e))
                    failures += 1
                    continue
                err = max(E.relative_error(a, b) for a, b in zip(actual, expected))
                ok = err <= args.tol
                failures += not ok
                print("%s on %s under %s: max relative error %.2g vs host "
                      "(tol %g): %s" % (name, target, qemu, err, args.tol,
                                        "PASS" if ok else "FAIL"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
