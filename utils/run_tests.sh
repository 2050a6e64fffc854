#!/usr/bin/env bash
# Builds onnx-compile and runs the whole test suite: lit + FileCheck tests
# of every pass and the importer, the C ABI and targets, and the end-to-end
# tests (ONNX node tests and PyTorch models through the object-file path,
# checked against ONNX Runtime). Ends with "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
/usr/bin/python3 utils/gen_onnx_ops.py --check || exit 1
bash utils/build.sh || exit 1
# The PyTorch end-to-end test must not skip for want of ONNX Runtime.
export ONNXC_REQUIRE_ORT=${ONNXC_REQUIRE_ORT:-1}
log=$(mktemp)
/usr/lib/llvm-22/bin/lit -sv build/test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
count() { grep -E "^ *($1) *: *[0-9]+" "$log" | awk '{s += $(NF-1)} END {print s + 0}'; }
passed=$(count 'Passed')
failed=$(count 'Failed|Unresolved|Timed Out')
rm -f "$log"
echo "$passed passed, $failed failed"
exit "$status"
