#!/usr/bin/python3
"""ResNet-18 and the TransformerEncoder on the GPU target.

    test_gpu_models.py [--models resnet18,transformer] [--chips sm_80,sm_90]
    test_gpu_models.py --run sm_90

Without --run (no GPU needed): exports the PyTorch models (torch_models.py,
seed 0), compiles their kernels for every chip (-target=nvptx64 -emit=asm)
and checks that CUDA's ptxas assembles the PTX; also compiles the object
(fatbin) and reports the compile time, and runs the GPU's loop mapping on
the CPU (-gpu-mapping-on-cpu) against the CPU object, to 1e-3.

With --run CHIP: on a machine with an NVIDIA GPU, compiles each model for
the host CPU and for the GPU, runs both on the same random inputs (the GPU
object through runtime/cuda.c and -lcuda) and checks that the outputs agree
to 1e-3 relative error. Without a GPU it prints "SKIP: ..." and exits 0.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "utils"))
sys.path.insert(0, HERE)

import onnx_e2e as E  # noqa: E402
import torch_models  # noqa: E402

TOLERANCE = 1e-3


def gpu_missing(workdir):
    """None when a GPU can run our objects, else why not."""
    probe = os.path.join(workdir, "gpu_probe")
    runtime = os.path.join(REPO, "runtime")
    p = subprocess.run(["cc", "-I" + runtime, os.path.join(HERE, "gpu_probe.c"),
                        os.path.join(runtime, "cuda.c"), "-lcuda",
                        "-lpthread", "-o", probe],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return "cannot link with -lcuda (no CUDA driver library)"
    p = subprocess.run([probe], capture_output=True, text=True)
    if p.returncode != 0:
        return (p.stdout + p.stderr).strip() or "the GPU probe failed"
    return None


def check_ptx(name, path, workdir, chips):
    for chip in chips:
        start = time.time()
        E.assemble_ptx(path, os.path.join(workdir, name), chip, timeout=1200)
        print("%s: PTX for %s accepted by ptxas (%.1f s)" % (
            name, chip, time.time() - start))
    start = time.time()
    E.compile_model(path, os.path.join(workdir, name, "obj"), name="model",
                    extra_args=["-target=nvptx64", "-mcpu=" + chips[-1]],
                    timeout=1200)
    print("%s: object for %s in %.1f s" % (name, chips[-1], time.time() - start))


def check_mapping_on_cpu(name, path, workdir):
    """The GPU's loop mapping run on the CPU against the CPU object."""
    inputs = list(E.random_inputs(path, seed=0).values())
    _, outs = E.model_io(path)
    results = []
    for variant, args in (("cpu", []), ("mapped", ["-gpu-mapping-on-cpu"])):
        where = os.path.join(workdir, name, variant)
        compiled = E.compile_model(path, where, name="model", extra_args=args,
                                   timeout=1200)
        exe = E.build_driver(compiled, where)
        results.append(E.run_driver(exe, inputs, outs, where, timeout=600))
    error = max(E.relative_error(m, c) for c, m in zip(*results))
    print("%s: GPU mapping on the CPU vs CPU relative error %.2g" % (name, error))
    return error <= TOLERANCE


def run_on_gpu(name, path, workdir, chip):
    inputs = list(E.random_inputs(path, seed=0).values())
    _, outs = E.model_io(path)
    results = []
    for target, args in (("cpu", []), ("gpu", ["-target=nvptx64", "-mcpu=" + chip])):
        where = os.path.join(workdir, name, target)
        compiled = E.compile_model(path, where, name="model", extra_args=args,
                                   timeout=1200)
        exe = E.build_driver(compiled, where, gpu=target == "gpu")
        results.append(E.run_driver(exe, inputs, outs, where, timeout=600))
    error = max(E.relative_error(g, c) for c, g in zip(*results))
    print("%s: GPU vs CPU relative error %.2g" % (name, error))
    return error <= TOLERANCE


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="resnet18,transformer")
    ap.add_argument("--chips", default="sm_80,sm_90")
    ap.add_argument("--run", metavar="CHIP")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="onnxc-gpu-")
    if args.run:
        reason = gpu_missing(workdir)
        if reason:
            print("SKIP: no GPU to run on: %s" % reason)
            return 0
    failed = 0
    for name in args.models.split(","):
        path = os.path.join(workdir, name + ".onnx")
        torch_models.export(name, path, 17)
        try:
            if args.run:
                failed += not run_on_gpu(name, path, workdir, args.run)
            else:
                check_ptx(name, path, workdir, args.chips.split(","))
                failed += not check_mapping_on_cpu(name, path, workdir)
        except E.E2EError as e:
            print("FAIL: %s: %s: %s" % (name, e.kind, e.message))
            failed += 1
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
