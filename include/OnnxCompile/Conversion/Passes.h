//===- Passes.h - onnx-compile conversion passes ----------------*- C++ -*-===//

#ifndef ONNXCOMPILE_CONVERSION_PASSES_H
#define ONNXCOMPILE_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace onnxc {

#define GEN_PASS_DECL
#include "OnnxCompile/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "OnnxCompile/Conversion/Passes.h.inc"

} // namespace onnxc

#endif // ONNXCOMPILE_CONVERSION_PASSES_H
