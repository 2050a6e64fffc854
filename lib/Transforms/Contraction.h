//===- Contraction.h - What the contraction passes recognize ----*- C++ -*-===//

#ifndef ONNXCOMPILE_LIB_TRANSFORMS_CONTRACTION_H
#define ONNXCOMPILE_LIB_TRANSFORMS_CONTRACTION_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace onnxc {

/// An affine expression of the form sum(coeffs[d] * d) + constant.
struct LinearExpr {
  llvm::SmallVector<int64_t> coeffs;
  int64_t constant = 0;
};

/// The linear form of every result of `map`, or nothing when one result is
/// not linear in the dims (mod, floordiv, symbols).
std::optional<llvm::SmallVector<LinearExpr>> linearize(mlir::AffineMap map);

/// True when `op` (on tensors or buffers) has two inputs and one init, a
/// reduction loop, and the f32 body yield(acc + x * y) with x, y the
/// inputs: the shape that vectorize-contractions turns into micro-kernels.
bool isMultiplyAccumulate(mlir::linalg::GenericOp op);

/// True when every operand of `op` is a memref of f32 with a static shape:
/// what the vectorizing passes (contractions, reductions) take.
bool hasStaticF32Buffers(mlir::Operation *op);

/// The buffer that `value` is a view of: a function argument, a global,
/// an allocation, or a memref.view of the workspace, which is not looked
/// through (every workspace buffer is one).
mlir::Value viewedBuffer(mlir::Value value);

/// Whether `type` has static strides and its innermost dim is contiguous
/// (vectors move along it).
bool hasUnitInnerStride(mlir::MemRefType type);

/// The reassociation that folds dims `pair` and `pair` + 1 of a memref of
/// rank `rank` into one, the others kept.
llvm::SmallVector<mlir::ReassociationIndices> foldingPair(int64_t rank,
                                                          unsigned pair);

/// scf.for loops from 0 to each of `extents` (step 1), carrying `init`
/// (the accumulators of a reduction); `body` gets the induction variables
/// and the carried values, and returns the next ones.
mlir::scf::LoopNest buildStaticLoopNest(
    mlir::OpBuilder &b, mlir::Location loc, llvm::ArrayRef<int64_t> extents,
    mlir::ValueRange init,
    llvm::function_ref<mlir::scf::ValueVector(mlir::ValueRange ivs,
                                              mlir::ValueRange carried)>
        body);

/// `width` consecutive f32 elements of `buffer` along its innermost
/// (unit-stride) dim from `indices`. With `masked`, a width that is not a
/// power of two is loaded as the next power of two with the lanes past
/// `width` masked off (one masked move with AVX-512 or AVX2, where LLVM
/// splits a 14-lane load into loads of 8, 4 and 2 lanes and inserts).
mlir::Value loadVector(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value buffer, mlir::ValueRange indices,
                       int64_t width, bool masked);

/// Stores the vector `value` at `indices` of `buffer`, as loadVector
/// loads: with `masked`, one masked store of the next power of two lanes.
void storeVector(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                 mlir::Value buffer, mlir::ValueRange indices, bool masked);

/// `width` f32 elements of `buffer`, `stride` apart along its innermost
/// (unit-stride) dim from `indices`: one vector load when they are
/// consecutive, else the covering span with every stride-th lane kept
/// (each loaded with loadVector).
mlir::Value loadEvenlySpaced(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value buffer, mlir::ValueRange indices,
                             int64_t width, int64_t stride, bool masked);

/// What a linalg op whose payload only yields a value writes to every
/// element: the input whose element it yields, or a value from outside the
/// payload. Nothing when the payload computes anything.
struct Yielded {
  mlir::OpOperand *input = nullptr;
  mlir::Value outside;
};
std::optional<Yielded> yieldedValue(mlir::linalg::LinalgOp op);

/// Whether `op` is a linalg op on buffers that writes every element of one
/// of `buffers` (its one init, identity-indexed, all loops parallel)
/// without reading any of them: a fill, a broadcast, an activation into a
/// fresh buffer.
bool overwritesUnread(mlir::Operation *op, llvm::ArrayRef<mlir::Value> buffers);

/// Whether the body of `op` is scalar elementwise arithmetic that can run
/// on vectors: pure single-result ops, reading only its arguments, each
/// other's results and constants, yielding an f32.
bool hasVectorizableBody(mlir::linalg::GenericOp op);

/// Whether `op` is elementwise on buffers with one output that it does not
/// read: all loops parallel, every operand indexed by the identity.
bool isIdentityElementwise(mlir::linalg::GenericOp op);

/// An elementwise op that reads a contraction's output C (an activation:
/// Clip, ReLU; or a residual add), and that the contraction's kernel
/// applies to its results before storing them (ContractionEpilogue.cpp).
struct Epilogue {
  /// The consumer: one input (C or a reshape of it), one output, identity
  /// maps, a vectorizable scalar body. Erased once applied.
  mlir::linalg::GenericOp consumer;
  /// The consumer's output D (as many f32 elements as C).
  mlir::Value output;
  /// D is C's memory: the results go back to C.
  bool inPlace;
  /// The consumer's input that reads C.
  unsigned accInput;
  /// Its other inputs (a residual), in order, read at C's indices: dense
  /// buffers of C's size, or views with C's shape (a pad's interior).
  llvm::SmallVector<mlir::Value> extras;
};

/// The op that could be the epilogue of the contraction `op` on buffers:
/// the op after it (past views and constants), an identity elementwise op
/// with a vectorizable body, one input C (or a reshape of it), the others
/// dense buffers of C's size, when no later op reads C. Null otherwise. assign-workspace keeps `op`'s buffers
/// alive until this op, so that its output never takes their memory.
mlir::linalg::GenericOp epilogueCandidate(mlir::linalg::GenericOp op);

/// The epilogue of the contraction `op`: its candidate, when its output D
/// is C itself or overlaps neither C nor the contraction's inputs.
std::optional<Epilogue> matchEpilogue(mlir::linalg::GenericOp op);

/// Where the kernel stores its results: C when the epilogue is in place,
/// else D viewed with C's shape (both are dense row-major buffers of the
/// same size, and the consumer maps element i to element i).
mlir::Value storeTarget(mlir::OpBuilder &b, mlir::Location loc,
                        const Epilogue &epilogue, mlir::Value c);

/// The epilogue's extra inputs viewed with C's shape, read with C's
/// indices.
llvm::SmallVector<mlir::Value> extraInputs(mlir::OpBuilder &b,
                                           mlir::Location loc,
                                           const Epilogue &epilogue,
                                           mlir::Value c);

/// The consumer's body applied to the vector `values` of C elements and
/// the vectors `extras` of its other inputs at the same elements.
mlir::Value applyEpilogue(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::linalg::GenericOp consumer, unsigned accInput,
                          mlir::Value values, mlir::ValueRange extras);

/// The op that initializes a contraction's C right before it, when the
/// kernel can start its accumulators from what it writes instead
/// (ContractionPrologue.cpp): a fill with a constant, or a broadcast of a
/// constant global (a bias). Erased once the kernel does it.
struct Prologue {
  mlir::linalg::LinalgOp init;
  /// The constant every element of C starts from, or
  mlir::FloatAttr splat;
  /// the buffer element of which each starts from: sourceMap maps the
  /// contraction's loop dims to its indices.
  mlir::Value source;
  mlir::AffineMap sourceMap;
  /// Ops before `init` that wrote all of C, overwritten unread: erased too.
  llvm::SmallVector<mlir::linalg::LinalgOp> deadInits;
};

/// The prologue of the contraction `op` on buffers: the op before it (past
/// views and constants) writes all of C, with identity indexing, the
/// element of a constant global or a constant.
std::optional<Prologue> matchPrologue(mlir::linalg::GenericOp op);

} // namespace onnxc

#endif // ONNXCOMPILE_LIB_TRANSFORMS_CONTRACTION_H
