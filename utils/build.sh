#!/usr/bin/env bash
# Configures and builds onnx-compile into build/ (Ninja, clang-22, lld, ccache).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  cmake -G Ninja -S . -B build \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir
fi
ninja -C build -j "${ONNXC_JOBS:-$(nproc)}" onnx-compile onnx-opt
