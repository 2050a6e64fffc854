#!/usr/bin/env bash
# Builds onnx-compile and runs the whole test suite: lit + FileCheck tests
# of every pass and the importer, and the end-to-end tests (ONNX node tests
# and PyTorch models through the object-file path).
set -euo pipefail
cd "$(dirname "$0")/.."
/usr/bin/python3 utils/gen_onnx_ops.py --check
bash utils/build.sh
export ONNXC_REQUIRE_ORT=${ONNXC_REQUIRE_ORT:-1}
/usr/lib/llvm-22/bin/lit -sv build/test
