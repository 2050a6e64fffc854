//===- RowVectors.h - Loops of vectors along a buffer's rows ----*- C++ -*-===//
//
// The loop nest that the fill and elementwise vectorizers share: loops over
// a buffer's outer dims and, along its innermost (unit-stride) dim, full
// vectors then one narrower vector.
//
//===----------------------------------------------------------------------===//

#ifndef ONNXC_TRANSFORMS_ROWVECTORS_H
#define ONNXC_TRANSFORMS_ROWVECTORS_H

#include "mlir/IR/Builders.h"

namespace onnxc {

/// Emits loops over every dim of `buffer` but its innermost (none for a
/// static dim of one element; a dynamic dim loops to its memref.dim), and
/// along the innermost dim, whose extent must be static, calls `chunk` for
/// each vector: full vectors of `lanes` (a loop when there are more than a
/// few), then one vector of the rest. `chunk` gets the builder at the
/// vector's place, its indices and its width.
void emitRowVectors(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value buffer, int64_t lanes,
    llvm::function_ref<void(mlir::OpBuilder &, llvm::ArrayRef<mlir::Value>,
                            int64_t)>
        chunk);

} // namespace onnxc

#endif // ONNXC_TRANSFORMS_ROWVECTORS_H
