//===- Passes.h - onnx-compile transformation passes ------------*- C++ -*-===//

#ifndef ONNXCOMPILE_TRANSFORMS_PASSES_H
#define ONNXCOMPILE_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"

namespace onnxc {

/// Name of the function attribute holding the workspace size in bytes.
constexpr llvm::StringLiteral kWorkspaceSizeAttr = "onnxc.workspace_size";
/// The most bytes of buffers alive at one time: no plan can be smaller.
constexpr llvm::StringLiteral kWorkspaceLowerBoundAttr =
    "onnxc.workspace_lower_bound";

/// NAME_run's return code when the input data contradicts a shape the model
/// was compiled for (see LowerRuntimeChecks).
constexpr int kStatusDataMismatch = 2;

/// Name of the function attribute holding the byte offset of the status
/// word in the workspace of a GPU model with run-time data checks.
constexpr llvm::StringLiteral kStatusOffsetAttr = "onnxc.status_offset";

#define GEN_PASS_DECL
#include "OnnxCompile/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "OnnxCompile/Transforms/Passes.h.inc"

} // namespace onnxc

#endif // ONNXCOMPILE_TRANSFORMS_PASSES_H
