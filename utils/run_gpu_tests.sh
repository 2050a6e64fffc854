#!/bin/bash
# The tests that need an NVIDIA GPU, in one command (a few minutes on an
# H200 machine). Where there is no GPU (or no CUDA driver) it says so and
# exits 0.
#
#   bash utils/run_gpu_tests.sh [sm_90]
#
# 1. ONNX's node tests compiled with -target=nvptx64 and run on the GPU
#    (through runtime/cuda.c and -lcuda), against ONNX's expected outputs,
#    with the CPU path's expected failures.
# 2. ResNet-18 and the TransformerEncoder: the GPU's outputs against the
#    CPU object's, to 1e-3.
# 3. bench/gpu.py: ResNet-18 latency at batch 1 and 32 against the GPU's
#    FP32 peak and ONNX Runtime on the CPU.
# Needs a build (utils/build.sh) and, for the benchmark's ORT column,
# utils/ort (utils/setup.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."
chip=${1:-sm_90}
py=/usr/bin/python3
export ONNX_COMPILE=${ONNX_COMPILE:-$PWD/build/bin/onnx-compile}

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
if ! cc -Iruntime test/e2e/gpu_probe.c runtime/cuda.c -lcuda -lpthread \
    -o "$probe/gpu_probe" 2>/dev/null; then
  echo "SKIP: no GPU tests: cannot link with -lcuda (no CUDA driver library)"
  exit 0
fi
if ! reason=$("$probe/gpu_probe" 2>&1); then
  echo "SKIP: no GPU tests: $reason"
  exit 0
fi

jobs=$(nproc)
echo "== ONNX node tests on the GPU ($chip)"
$py utils/run_node_tests.py -j "$jobs" --gpu "$chip" \
  --expected-failures test/e2e/node-tests-expected-failures.txt
echo "== ResNet-18 and TransformerEncoder: GPU against CPU"
$py test/e2e/test_gpu_models.py --run "$chip"
echo "== ResNet-18 latency"
$py bench/gpu.py --chip "$chip"
