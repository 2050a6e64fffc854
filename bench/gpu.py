#!/usr/bin/python3
"""ResNet-18 on an NVIDIA GPU: latency against the GPU's peak and against
ONNX Runtime on this machine's CPU.

    bench/gpu.py [--chip sm_90] [--batches 1,32] [--samples 5]

Exports torchvision's ResNet-18 (random weights, seed 0) at each batch
size, compiles it with -target=nvptx64 -mcpu=CHIP, and times
NAME_run_device on device buffers (bench/gpu_bench.c: warm-up, then runs
enqueued on one stream; each sample the mean of about a second of runs).
The FLOPs are those of the model's convolutions and GEMMs (2 per
multiply-accumulate); the peak is FP32 without tensor cores (SMs x FP32
lanes x 2 x clock, from the driver). ORT is onnxruntime-node on the CPU
with one intra-op thread per core, timed on the same machine in the same
run. Medians of --samples samples. Without a GPU it prints "SKIP: ..." and
exits 0.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import shape_inference

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "utils"))
sys.path.insert(0, os.path.join(REPO, "test", "e2e"))

import onnx_e2e as E  # noqa: E402
import torch_models  # noqa: E402
from test_gpu_models import gpu_missing  # noqa: E402


def model_flops(path):
    """2 x the multiply-accumulates of the Conv, Gemm and MatMul nodes."""
    model = shape_inference.infer_shapes(onnx.load(path))
    shapes = {}
    for vi in list(model.graph.value_info) + list(model.graph.input) + \
            list(model.graph.output):
        shapes[vi.name] = [d.dim_value for d in vi.type.tensor_type.shape.dim]
    for init in model.graph.initializer:
        shapes[init.name] = list(init.dims)
    macs = 0
    for node in model.graph.node:
        if node.op_type == "Conv":
            weight, out = shapes[node.input[1]], shapes[node.output[0]]
            macs += int(np.prod(out)) * int(np.prod(weight[1:]))
        elif node.op_type in ("Gemm", "MatMul"):
            a, out = shapes[node.input[0]], shapes[node.output[0]]
            macs += int(np.prod(out)) * a[-1]
    return 2 * macs


def build_bench(compiled, workdir):
    exe = os.path.join(workdir, "gpu_bench")
    runtime = os.path.join(REPO, "runtime")
    subprocess.run(["cc", "-O2", "-DONNXC_NAME=" + compiled.name, "-include",
                    compiled.header, "-I" + runtime,
                    os.path.join(HERE, "gpu_bench.c"), compiled.obj,
                    os.path.join(runtime, "cuda.c"), "-lcuda", "-lpthread",
                    "-o", exe], check=True)
    return exe


def time_gpu(exe, repeat):
    p = subprocess.run([exe, str(repeat)], capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        raise RuntimeError("gpu_bench failed: " + p.stderr[-300:])
    values = dict(re.findall(r"^(\w+): (.*)$", p.stdout, re.M))
    return float(values["time_ms"]), values["device"], \
        float(values["fp32_peak_gflops"])


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chip", default="sm_90")
    ap.add_argument("--batches", default="1,32")
    ap.add_argument("--samples", type=int, default=5)
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="onnxc-gpu-bench-")
    reason = gpu_missing(workdir)
    if reason:
        print("SKIP: no GPU to run on: %s" % reason)
        return 0
    threads = os.cpu_count() or 1
    rows = []
    for batch in [int(b) for b in args.batches.split(",")]:
        path = os.path.join(workdir, "resnet18_b%d.onnx" % batch)
        torch_models.export("resnet18", path, 17, batch=batch)
        compiled = E.compile_model(path, os.path.join(workdir, "b%d" % batch),
                                   name="model",
                                   extra_args=["-target=nvptx64",
                                               "-mcpu=" + args.chip],
                                   timeout=1200)
        exe = build_bench(compiled, os.path.dirname(compiled.obj))
        single, device, peak = time_gpu(exe, 1)
        repeat = max(1, min(1000, int(1000 / max(single, 1e-3))))
        gpu_ms = statistics.median(time_gpu(exe, repeat)[0]
                                   for _ in range(args.samples))
        inputs = list(E.random_inputs(path, seed=0).values())
        _, ort_times = E.run_ort_timed(path, inputs, threads=threads,
                                       samples=args.samples,
                                       repeat=max(1, 10 // batch))
        flops = model_flops(path)
        rows.append((batch, gpu_ms, flops / gpu_ms / 1e9,
                     statistics.median(ort_times)))
    print("device: %s, FP32 peak %.0f GFLOP/s; ORT on the CPU with %d "
          "threads" % (device, peak, threads))
    print("| model | batch | GPU ms | GPU TFLOP/s | % of FP32 peak | "
          "ORT CPU ms | ORT / GPU |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for batch, gpu_ms, tflops, ort_ms in rows:
        print("| ResNet-18 | %d | %.3f | %.2f | %.1f%% | %.2f | %.1f |" % (
            batch, gpu_ms, tflops, 100 * tflops * 1e3 / peak, ort_ms,
            ort_ms / gpu_ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
