//===- ParallelFor.h - Calls of the onnxc_parallel_for hook -----*- C++ -*-===//
//
// The object hands a parallel loop to the runtime as
//   onnxc_parallel_for(body, a, b, c, count)
// where body(a, b, c, begin, end) runs iterations [begin, end) on the three
// f32 buffers a, b, c (their base pointers; runtime/onnxc_runtime.h). The
// module carries a weak, serial definition of the hook.
//
//===----------------------------------------------------------------------===//

#ifndef ONNXCOMPILE_LIB_TRANSFORMS_PARALLELFOR_H
#define ONNXCOMPILE_LIB_TRANSFORMS_PARALLELFOR_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace onnxc {

/// The buffers a parallel loop body takes.
constexpr unsigned kParallelForBuffers = 3;

/// The hook, created with its serial default on first use.
mlir::func::FuncOp getOrCreateParallelFor(mlir::ModuleOp module);

/// A new internal function `name`(a, b, c, begin, end) before the hook,
/// with its entry block; the caller fills it and ends it with a return.
mlir::func::FuncOp createParallelBody(mlir::OpBuilder &b, mlir::Location loc,
                                      mlir::func::FuncOp parallelFor,
                                      llvm::StringRef name);

/// Buffer `original` inside a body, rebuilt from the base pointer `base`
/// that the body receives (its layout is static).
mlir::Value rebuildBuffer(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value base, mlir::Value original);

/// Calls the hook with `body` on `buffers` (static f32 memrefs, at most
/// kParallelForBuffers; missing ones are filled with the first) for
/// `count` iterations.
void callParallelFor(mlir::OpBuilder &b, mlir::Location loc,
                     mlir::func::FuncOp parallelFor, mlir::func::FuncOp body,
                     mlir::ValueRange buffers, int64_t count);

} // namespace onnxc

#endif // ONNXCOMPILE_LIB_TRANSFORMS_PARALLELFOR_H
