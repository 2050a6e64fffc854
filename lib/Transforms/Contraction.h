//===- Contraction.h - What the contraction passes recognize ----*- C++ -*-===//

#ifndef ONNXCOMPILE_LIB_TRANSFORMS_CONTRACTION_H
#define ONNXCOMPILE_LIB_TRANSFORMS_CONTRACTION_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace onnxc {

/// True when `op` (on tensors or buffers) has two inputs and one init, a
/// reduction loop, and the f32 body yield(acc + x * y) with x, y the
/// inputs: the shape that vectorize-contractions turns into micro-kernels.
bool isMultiplyAccumulate(mlir::linalg::GenericOp op);

/// True when every operand of `op` is a memref of f32 with a static shape:
/// what the vectorizing passes (contractions, reductions) take.
bool hasStaticF32Buffers(mlir::Operation *op);

} // namespace onnxc

#endif // ONNXCOMPILE_LIB_TRANSFORMS_CONTRACTION_H
