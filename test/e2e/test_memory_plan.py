#!/usr/bin/python3
"""The workspace plan of real models against its lower bound.

    test_memory_plan.py [--models resnet18,mobilenet_v2,transformer] [--limit 1.15]

Exports each model with PyTorch (random weights, seed 0), compiles it with
-print-memory-plan, and checks that the planned workspace is at most
`limit` times the lower bound (the most bytes of buffers alive at one
position of the schedule) and that the header's NAME_WORKSPACE_SIZE is the
planned size. Prints one line per model; exit 0 when all hold.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "utils"))
sys.path.insert(0, HERE)

import onnx_e2e as E  # noqa: E402
import torch_models  # noqa: E402

PLAN = re.compile(r"memory plan of @\S+: workspace (\d+) bytes, lower bound (\d+) bytes")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--models", default="resnet18,mobilenet_v2,transformer")
    ap.add_argument("--limit", type=float, default=1.15)
    args = ap.parse_args(argv)
    exe = E.find_onnx_compile()
    ok = True
    with tempfile.TemporaryDirectory(prefix="onnxc-plan-") as work:
        for name in args.models.split(","):
            model = torch_models.export(name, os.path.join(work, name + ".onnx"), 17)
            header = os.path.join(work, name + ".h")
            run = subprocess.run([exe, model, "-print-memory-plan", "-emit=header",
                                  "-name=m", "-o", header],
                                 capture_output=True, text=True, timeout=600)
            match = PLAN.search(run.stdout)
            if run.returncode != 0 or not match:
                print("%s: FAIL: %s" % (name, (run.stderr or run.stdout).strip()[:300]))
                ok = False
                continue
            size, bound = int(match.group(1)), int(match.group(2))
            macro = re.search(r"#define m_WORKSPACE_SIZE (\d+)", open(header).read())
            ratio = size / bound if bound else 1.0
            good = ratio <= args.limit and macro and int(macro.group(1)) == size
            ok &= bool(good)
            print("%s: workspace %d bytes, lower bound %d bytes, ratio %.3f: %s"
                  % (name, size, bound, ratio, "PASS" if good else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
