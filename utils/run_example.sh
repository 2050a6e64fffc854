#!/usr/bin/env bash
# The main job on the bundled example: compile examples/mlp/mlp.onnx to an
# object file and header, link it with a small C program, run it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash utils/build.sh
mkdir -p build/example
build/bin/onnx-compile examples/mlp/mlp.onnx -o build/example/mlp.o
cc -std=c99 -O2 -Ibuild/example examples/mlp/app.c build/example/mlp.o \
  -lm -o build/example/mlp-app
build/example/mlp-app
