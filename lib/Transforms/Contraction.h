//===- Contraction.h - What the contraction passes recognize ----*- C++ -*-===//

#ifndef ONNXCOMPILE_LIB_TRANSFORMS_CONTRACTION_H
#define ONNXCOMPILE_LIB_TRANSFORMS_CONTRACTION_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace onnxc {

/// True when `op` (on tensors or buffers) has two inputs and one init, a
/// reduction loop, and the f32 body yield(acc + x * y) with x, y the
/// inputs: the shape that vectorize-contractions turns into micro-kernels.
bool isMultiplyAccumulate(mlir::linalg::GenericOp op);

/// True when every operand of `op` is a memref of f32 with a static shape:
/// what the vectorizing passes (contractions, reductions) take.
bool hasStaticF32Buffers(mlir::Operation *op);

/// scf.for loops from 0 to each of `extents` (step 1), carrying `init`
/// (the accumulators of a reduction); `body` gets the induction variables
/// and the carried values, and returns the next ones.
mlir::scf::LoopNest buildStaticLoopNest(
    mlir::OpBuilder &b, mlir::Location loc, llvm::ArrayRef<int64_t> extents,
    mlir::ValueRange init,
    llvm::function_ref<mlir::scf::ValueVector(mlir::ValueRange ivs,
                                              mlir::ValueRange carried)>
        body);

} // namespace onnxc

#endif // ONNXCOMPILE_LIB_TRANSFORMS_CONTRACTION_H
