#!/usr/bin/python3
"""Speed of compiled models against ONNX Runtime, on this machine, now.

    bench/run.py [--models mlp,resnet18,...] [--samples 5] [--threads 1,2]

Exports the models with PyTorch (random weights, seed 0), compiles each with
onnx-compile (-O3, host CPU), and times the object through the generic C
driver and ONNX Runtime (onnxruntime-node, all graph optimizations) on the
same inputs, interleaving samples of both; each sample is the mean of
several calls, and the table gives the median sample. Outputs are checked
to agree (1e-3 relative error) before anything is timed. Also times a GEMM
micro-benchmark (MatMul 512x512x512 and 1x784 by 784x512) in GFLOP/s.

Both are timed at each --threads count: the compiled object through the
runtime's thread pool (runtime/threads.c, linked into the driver), ORT with
intra-op threads. Ratios are ORT time / our time at the same thread count:
above 1 means the compiled object is faster. GFLOP/s are at the first
thread count.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "utils"))
sys.path.insert(0, os.path.join(REPO, "test", "e2e"))

import onnx_e2e as E  # noqa: E402

MODELS = ["mlp", "resnet18", "mobilenet_v2", "squeezenet1_1", "transformer4",
          "bert2", "gemm512", "gemm1x784x512"]


def export_encoder(path, d_model, heads, ff, layers, seq):
    import torch
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d_model, heads, ff, dropout=0.0,
                                             batch_first=True)
    model = torch.nn.TransformerEncoder(layer, layers).eval()
    x = torch.randn(1, seq, d_model)
    # Exporting with grad enabled avoids torch 1.13's fused fast path.
    torch.onnx.export(model, x, path, opset_version=17, input_names=["x"],
                      output_names=["y"])


def export_gemm(path, m, k, n):
    rng = np.random.default_rng(0)
    w = onnx.numpy_helper.from_array(
        rng.standard_normal((k, n)).astype(np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "w"], ["y"])], "gemm",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], [w])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              path)
    return 2.0 * m * k * n


def export(name, path):
    """Writes the model; returns its FLOP count for GEMMs, else None."""
    if name == "transformer4":
        export_encoder(path, 256, 4, 1024, 4, 128)
    elif name == "bert2":
        export_encoder(path, 768, 12, 3072, 2, 128)
    elif name == "gemm512":
        return export_gemm(path, 512, 512, 512)
    elif name == "gemm1x784x512":
        return export_gemm(path, 1, 784, 512)
    else:
        import torch_models
        torch_models.export(name, path, 17)
    return None


def time_compiled(exe, in_files, out_files, repeat, threads=1):
    p = subprocess.run([exe, "-threads", str(threads), "-repeat", str(repeat)] +
                       in_files + ["--"] + out_files, capture_output=True,
                       text=True, timeout=3600)
    match = re.search(r"time_ms: ([0-9.eE+-]+)", p.stderr)
    if p.returncode != 0 or not match:
        raise RuntimeError("driver failed: " + p.stderr[-300:])
    return float(match.group(1))


def bench_model(name, workdir, samples, threads):
    path = os.path.join(workdir, name + ".onnx")
    flops = export(name, path)
    start = time.time()
    compiled = E.compile_model(path, os.path.join(workdir, name), name="model",
                               extra_args=["-O3"], timeout=3600)
    compile_s = time.time() - start
    # The object calls onnxc_parallel_for; the runtime's thread pool makes
    # it parallel, at the thread count the driver's -threads sets.
    exe = E.build_driver(compiled, cc="cc", threads=True)
    inputs = list(E.random_inputs(path, seed=0).values())
    _, output_specs = E.model_io(path)
    reference = E.run_ort(path, inputs)
    error = 0.0
    for t in threads:
        ours = E.run_driver(exe, inputs, output_specs, os.path.dirname(exe),
                            timeout=3600, extra_args=["-threads", str(t)])
        error = max([error] + [E.relative_error(a, b)
                               for a, b in zip(ours, reference)])
    if error > 1e-3:
        raise RuntimeError("outputs disagree with ORT (relative error %.2g)" % error)

    in_files = [os.path.join(os.path.dirname(exe), "in%d.bin" % i)
                for i in range(len(inputs))]
    out_files = [os.path.join(os.path.dirname(exe), "out%d.bin" % i)
                 for i in range(len(output_specs))]
    # Calls per sample: about 0.5 s of the compiled object's time.
    single = time_compiled(exe, in_files, out_files, 1)
    repeat = max(1, min(200, int(0.5 / max(single / 1e3, 1e-6))))
    ours_ms = {t: [] for t in threads}
    ort_ms = {t: [] for t in threads}
    for _ in range(samples):
        for t in threads:
            ours_ms[t].append(time_compiled(exe, in_files, out_files, repeat, t))
            ort_repeat = max(repeat, 5)
            ort_ms[t].extend(E.run_ort_timed(path, inputs, threads=t,
                                             samples=1, repeat=ort_repeat)[1])
    row = {"model": name, "compile_s": compile_s, "error": error,
           "ours": {t: statistics.median(v) for t, v in ours_ms.items()},
           "ort": {t: statistics.median(v) for t, v in ort_ms.items()},
           "flops": flops}
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    workdir = tempfile.mkdtemp(prefix="onnxc-bench-")
    rows = []
    try:
        for name in args.models.split(","):
            try:
                rows.append(bench_model(name, workdir, args.samples, threads))
            except Exception as e:  # report and go on with the next model
                print("%s: FAILED: %s" % (name, e), flush=True)
                continue
            r = rows[-1]
            print("%s: %s (compile %.1f s, rel. error %.1e)" % (
                name, ", ".join("%dT ours %.3f ms ORT %.3f ms" % (
                    t, r["ours"][t], r["ort"][t]) for t in threads),
                r["compile_s"], r["error"]), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    header = "| model | " + " | ".join(
        "ours %dT ms | ORT %dT ms | ratio %dT" % (t, t, t)
        for t in threads) + " | compile s |"
    print()
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for r in rows:
        cells = ["%.3f | %.3f | %.2f" % (r["ours"][t], r["ort"][t],
                                         r["ort"][t] / r["ours"][t])
                 for t in threads]
        print("| %s | %s | %.1f |" % (r["model"], " | ".join(cells),
                                      r["compile_s"]))
    gemms = [r for r in rows if r["flops"]]
    if gemms:
        print()
        # Peak: 2 FMA units x 8 float lanes (AVX2) x 2 flops per cycle at
        # the nominal clock (the definition); with AVX-512 the same
        # units take 16 lanes, and that peak is printed too.
        ghz = cpu_ghz()
        peaks = []
        if ghz:
            peaks.append(("AVX2", 32.0 * ghz))
            if "avx512f" in cpu_flags():
                peaks.append(("AVX-512", 64.0 * ghz))
        for r in gemms:
            gflops = r["flops"] / (r["ours"][threads[0]] / 1e3) / 1e9
            ort = r["flops"] / (r["ort"][threads[0]] / 1e3) / 1e9
            print("%s: onnx-compile %.2f GFLOP/s, ORT %.2f GFLOP/s%s" % (
                r["model"], gflops, ort, "".join(
                    ", %s peak %.0f GFLOP/s at %.2f GHz: %.1f%%" % (
                        kind, peak, ghz, 100 * gflops / peak)
                    for kind, peak in peaks)))


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return line.split(":")[1].split()
    except OSError:
        pass
    return []


def cpu_ghz():
    try:
        with open("/proc/cpuinfo") as f:
            mhz = [float(l.split(":")[1]) for l in f if l.startswith("cpu MHz")]
        return max(mhz) / 1000.0 if mhz else None
    except OSError:
        return None


if __name__ == "__main__":
    main()
