#!/usr/bin/python3
"""End-to-end test of the parallel-for hook and the runtime's thread pool.

For each PyTorch model (random weights, seed 0): compile it once, and link
the generic driver twice: alone (the object's weak, serial hook) and with
runtime/threads.c (the pool). Requires

  - the object defines onnxc_parallel_for weakly (llvm-nm: W), or not at
    all when no loop reaches the thresholds (a small MLP); the models of
    --expect-hook must have it; with -parallel=false no object has it;
  - the serial driver, and the pool at 1, 2 and 3 threads, give
    bit-identical outputs (each thread computes whole tiles, in the same
    order);
  - those outputs agree with ONNX Runtime to --tol (1e-4 relative).

Options: --models a,b  --opset N  --tol T  --timeout S
Exit 0: all passed.  Exit 1: any failure.  Skips (exit 0) without ONNX
Runtime unless ONNXC_REQUIRE_ORT is set.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "utils"))
sys.path.insert(0, HERE)

import onnx_e2e as E  # noqa: E402

NM = "/usr/lib/llvm-22/bin/llvm-nm"


def hook_symbols(obj):
    out = subprocess.run([NM, obj], capture_output=True, text=True,
                         check=True).stdout
    return [l.split()[-2] for l in out.splitlines()
            if l.split() and l.split()[-1] == "onnxc_parallel_for"]


def check_model(name, opset, tol, timeout, work, expect_hook):
    import torch_models as T
    mdir = os.path.join(work, name)
    os.makedirs(mdir, exist_ok=True)
    path = os.path.join(mdir, name + ".onnx")
    T.export(name, path, opset)
    inputs = list(T.example_inputs(name).values())
    _, output_specs = E.model_io(path)
    problems = []

    compiled = E.compile_model(path, mdir, name="model", timeout=timeout)
    kinds = hook_symbols(compiled.obj)
    if kinds != ["W"] and (expect_hook or kinds):
        problems.append("onnxc_parallel_for in the object: %s, expected one "
                        "weak definition (W)" % kinds)
    serial = E.build_driver(compiled, timeout=timeout)
    pooled = E.build_driver(compiled, timeout=timeout, threads=True)
    runs = {"serial hook": E.run_driver(serial, inputs, output_specs, mdir,
                                        timeout=timeout, tag="s")}
    for threads in (1, 2, 3):
        runs["pool %dT" % threads] = E.run_driver(
            pooled, inputs, output_specs, mdir, timeout=timeout,
            tag="t%d" % threads, extra_args=["-threads", str(threads)])
    reference = runs["serial hook"]
    for label, outs in runs.items():
        same = all(np.array_equal(a, b) for a, b in zip(outs, reference))
        if not same:
            problems.append("%s differs from the serial hook" % label)
    ort = E.run_ort(path, inputs, workdir=mdir, timeout=timeout)
    error = max(E.relative_error(a, b) for a, b in zip(reference, ort))
    if error > tol:
        problems.append("relative error %.3g against ORT (tol %g)" % (error, tol))

    plain_dir = os.path.join(mdir, "no-hook")
    os.makedirs(plain_dir, exist_ok=True)
    plain = E.compile_model(path, plain_dir, name="model",
                            extra_args=["-parallel=false"], timeout=timeout)
    if hook_symbols(plain.obj):
        problems.append("-parallel=false still defines onnxc_parallel_for")

    print("%s: %s; serial hook and the pool at 1, 2, 3 threads %s; relative "
          "error %.3g against ORT: %s" % (
              name, "weak hook" if kinds == ["W"] else "no hook",
              "bit-identical" if not any("differs" in p for p in problems)
              else "DIFFER", error, "FAIL: " + "; ".join(problems)
              if problems else "PASS"))
    return not problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="mlp,resnet18,mobilenet_v2,transformer")
    ap.add_argument("--expect-hook", default="resnet18,mobilenet_v2",
                    help="models whose objects must call the hook")
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--timeout", type=float, default=600.0)
    args = ap.parse_args(argv)
    if not E.ort_available():
        if os.environ.get("ONNXC_REQUIRE_ORT"):
            print("FAIL: onnxruntime-node is missing and ONNXC_REQUIRE_ORT is set")
            return 1
        print("SKIP: onnxruntime-node is not installed")
        return 0
    work = tempfile.mkdtemp(prefix="onnxc-threads-")
    try:
        results = []
        for name in args.models.split(","):
            try:
                results.append(check_model(
                    name, args.opset, args.tol, args.timeout, work,
                    name in args.expect_hook.split(",")))
            except E.E2EError as e:
                print("%s: FAIL (%s): %s" % (name, e.kind, e.message))
                results.append(False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not all(results):
        print("FAILED")
        return 1
    print("all models passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
