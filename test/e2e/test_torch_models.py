#!/usr/bin/python3
"""End-to-end test: PyTorch models compiled by onnx-compile vs ONNX Runtime.

For each model (default: mlp, resnet18, transformer): export with
torch_models.export (random weights, seed 0, static shapes), compile with
onnx-compile, link test/e2e/driver.c, run on seeded random inputs, run the same
inputs through onnxruntime-node (utils/ort), and require

    relative error = max|a - b| / max(max|b|, tiny)  <=  --tol (1e-4)

for every output.  Prints the relative error of each model.

Exit 0: all passed.  Exit 1: any failure.
If onnxruntime-node is not installed (utils/ort/node_modules), prints "SKIP: ..."
and exits 0, unless ONNXC_REQUIRE_ORT is set (then it is a failure).

Options: --models a,b  --opset N (13..17, default 13)  --tol T
         --onnx-compile PATH (default $ONNX_COMPILE or build/bin/onnx-compile)
         --compile-arg ARG (repeatable)  --work-dir D  --keep  --timeout S
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "utils"))
sys.path.insert(0, HERE)

import onnx_e2e as E  # noqa: E402

DEFAULT_MODELS = ["mlp", "resnet18", "transformer"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS))
    ap.add_argument("--opset", type=int, default=int(os.environ.get("ONNXC_TORCH_OPSET", "13")))
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--onnx-compile")
    ap.add_argument("--compile-arg", action="append", default=[])
    ap.add_argument("--work-dir")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--threads", type=int, default=1, help="ORT intra-op threads")
    args = ap.parse_args(argv)

    if not E.ort_available():
        msg = ("onnxruntime-node is not installed (cd utils/ort && npm ci "
               "--ignore-scripts), or node is missing")
        if os.environ.get("ONNXC_REQUIRE_ORT"):
            print("FAIL: " + msg + " and ONNXC_REQUIRE_ORT is set")
            return 1
        print("SKIP: " + msg)
        return 0

    import torch_models as T  # torch import is slow; after the SKIP check

    exe = E.find_onnx_compile(args.onnx_compile)
    if not os.access(exe, os.X_OK):
        print("FAIL: onnx-compile not found: %s" % exe)
        return 1

    work = args.work_dir or tempfile.mkdtemp(prefix="onnxc-torch-")
    os.makedirs(work, exist_ok=True)
    failed = []
    try:
        for name in [m for m in args.models.split(",") if m]:
            mdir = os.path.join(work, name)
            os.makedirs(mdir, exist_ok=True)
            path = os.path.join(mdir, name + ".onnx")
            t0 = time.time()
            try:
                T.export(name, path, args.opset)
                inputs = T.example_inputs(name)
                t1 = time.time()
                got = E.run_compiled(path, inputs, mdir, name="model", onnx_compile=exe,
                                     extra_args=args.compile_arg, timeout=args.timeout)
                t2 = time.time()
                ref = E.run_ort(path, inputs, threads=args.threads, workdir=mdir,
                                timeout=args.timeout)
            except E.E2EError as e:
                print("%s: FAIL (%s): %s" % (name, e.kind, e.message))
                if e.detail:
                    sys.stdout.write("".join("  | " + l + "\n"
                                             for l in e.detail.splitlines()[:20]))
                failed.append(name)
                continue
            errs = []
            ok = len(got) == len(ref)
            for a, b in zip(got, ref):
                if a.shape != b.shape:
                    ok = False
                    errs.append(float("inf"))
                    print("%s: shape mismatch %s vs ORT %s" % (name, a.shape, b.shape))
                    continue
                errs.append(E.relative_error(a, b))
            rel = max(errs) if errs else float("inf")
            ok = ok and rel <= args.tol
            print("%s (opset %d): max relative error %.3g (tol %g), outputs %s; "
                  "compile+run %.1fs, export %.1fs: %s" % (
                      name, args.opset, rel, args.tol, [list(a.shape) for a in got],
                      t2 - t1, t1 - t0, "PASS" if ok else "FAIL"))
            if not ok:
                failed.append(name)
    finally:
        if args.keep:
            print("work dir kept: " + work)
        elif not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    print("all torch models passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
