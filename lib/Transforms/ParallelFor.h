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
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"

namespace onnxc {

/// The buffers a parallel loop body takes.
constexpr unsigned kParallelForBuffers = 3;

/// The iterations of `op`'s static loop nest: the work that the parallel
/// thresholds compare.
int64_t iterationCount(mlir::linalg::GenericOp op);

/// Whether a region uses only constants from outside it, so that it can
/// move into another function with copies of them.
bool capturesOnlyConstants(mlir::Region &region);

/// The distinct values of `operands`, when a body can take them: f32
/// memrefs with static shapes, strides and offsets, at most
/// kParallelForBuffers of them passed (rebuilt from their base pointers
/// inside the body); constant globals (weights) do not count, the body
/// takes them by name.
std::optional<llvm::SmallVector<mlir::Value>>
parallelBuffers(mlir::ValueRange operands);

/// Outlines a loop of `count` iterations over `buffers` (see
/// parallelBuffers) into an internal function `name`(a, b, c, begin, end),
/// and calls the hook with it at `b`'s insertion point. `emitRange` fills
/// the body: `rebuilt` maps each buffer to its copy inside the body, and
/// [begin, end) is the range of iterations to run.
void emitParallelLoop(
    mlir::OpBuilder &b, mlir::Location loc, mlir::ModuleOp module,
    llvm::StringRef name, llvm::ArrayRef<mlir::Value> buffers, int64_t count,
    llvm::function_ref<void(mlir::OpBuilder &, const mlir::IRMapping &rebuilt,
                            mlir::Value begin, mlir::Value end)>
        emitRange);

} // namespace onnxc

#endif // ONNXCOMPILE_LIB_TRANSFORMS_PARALLELFOR_H
