#!/usr/bin/env bash
# Installs everything onnx-compile needs to build and test on Debian 12:
# LLVM/MLIR 22, ONNX's C++ library and test data, protobuf, the Python
# packages the tests use, and ONNX Runtime's npm package (a test oracle).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

PACKAGES=(
  cmake ninja-build ccache git
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  libzstd-dev zlib1g-dev
  python3 python3-onnx python3-numpy python3-torch python3-torchvision
  gcc libc6-dev
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross qemu-user
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# Node.js and npm run ONNX Runtime's npm package. Machines of this kind
# come with Node.js 20 and npm from NodeSource, whose nodejs conflicts with
# Debian's npm: only install Debian's when there is none.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi
$SUDO apt-get install -y --no-install-recommends "${PACKAGES[@]}"

# ONNX Runtime for Node.js, installed without its download scripts: the CPU
# library ships inside the package.
if [ -f utils/ort/package.json ]; then
  (cd utils/ort && npm ci --ignore-scripts --no-audit --no-fund)
fi
