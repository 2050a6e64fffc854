//===- Common.h - Shared helpers of the ONNX to linalg patterns -*- C++ -*-===//

#ifndef ONNXCOMPILE_LIB_CONVERSION_ONNXTOLINALG_COMMON_H
#define ONNXCOMPILE_LIB_CONVERSION_ONNXTOLINALG_COMMON_H

#include "OnnxCompile/Conversion/ONNXToLinalg/ONNXToLinalg.h"
#include "OnnxCompile/Dialect/ONNX/IR/ONNXOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <functional>

namespace onnxc {

/// Builds the scalar body of an elementwise computation from the block
/// arguments of the input operands.
using ScalarBuilder = std::function<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// The converted (signless) ranked tensor type of `type`, or null.
mlir::RankedTensorType convertTensorType(const mlir::TypeConverter &converter,
                                         mlir::Type type);

/// An ONNX value is absent when it is the NoneType value of onnx.NoValue.
inline bool isNone(mlir::Value value) {
  return !value || llvm::isa<mlir::NoneType>(value.getType());
}

/// The element type of a tensor value before type conversion.
mlir::Type elementTypeOf(mlir::Value value);

/// True for ONNX unsigned integer element types (ui8 ... ui64).
bool isUnsignedInt(mlir::Type elementType);

/// Normalizes an ONNX axis that may count from the end.
mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// The elements of `attr` viewed with shape `shape` (the same number of
/// elements), transposed by `perm`: result dim i is dim perm[i] of `shape`.
/// Computed at compile time, so that weights are stored in the layout their
/// consumer reads fastest. Null for non-dense or bit-packed (i1) constants.
mlir::DenseElementsAttr permuteConstant(mlir::DenseElementsAttr attr,
                                        llvm::ArrayRef<int64_t> shape,
                                        llvm::ArrayRef<int64_t> perm);

/// The integer contents of a constant operand (onnx.Constant or
/// arith.constant), looked up on the original, unconverted value.
mlir::FailureOr<llvm::SmallVector<int64_t>> getConstantInts(mlir::Value value);

/// The floating-point contents of a constant operand.
mlir::FailureOr<llvm::SmallVector<double>> getConstantFloats(mlir::Value value);

/// A scalar constant of a (signless) element type.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type elementType, double value);

/// The smallest (`lowest`) or largest value of an element type, as used by
/// max/min reductions and max pooling.
mlir::Value extremeConstant(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Type elementType, bool lowest,
                            bool isUnsigned);

/// Converts a scalar between element types with ONNX Cast semantics.
/// `from`/`to` are the original (possibly unsigned) element types.
mlir::Value castScalar(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value value, mlir::Type from, mlir::Type to);

/// tensor.empty of a static type.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);

/// A tensor of `type` filled with `scalar`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value scalar);

/// Reshapes a static tensor to another static shape with the same number of
/// elements (collapse to 1-D, then expand).
mlir::Value reshapeTensor(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, mlir::RankedTensorType type);

/// The indexing map that reads `operandType` broadcast (numpy rules) into an
/// iteration space of `resultRank` parallel dims with shape `resultShape`.
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             mlir::RankedTensorType operandType,
                             llvm::ArrayRef<int64_t> resultShape);

/// A parallel linalg.generic producing `resultType` from `inputs`, each
/// broadcast to the result shape, with the scalar body from `body`.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs,
                             const ScalarBuilder &body);

} // namespace onnxc



namespace onnxc {

/// Combines one input element into the accumulator of a reduction.
using Combiner = std::function<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                           mlir::Value element,
                                           mlir::Value accumulator)>;

/// Reduces the static tensor `input` over `axes` (normalized, any order)
/// into a tensor without those dims, starting from `init`.
mlir::Value buildReduction(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> axes,
                           mlir::Value init, const Combiner &combine);

/// Like buildReduction, but keeps the reduced dims with size 1.
mlir::Value buildReductionKeepDims(mlir::OpBuilder &b, mlir::Location loc,
                                   mlir::Value input,
                                   llvm::ArrayRef<int64_t> axes,
                                   mlir::Value init, const Combiner &combine);

} // namespace onnxc


namespace onnxc {

/// ONNX MatMul semantics (numpy: 1-D promotion, broadcast batch dims) as
/// a contraction into a zero-filled `resultType`; float or integer.
mlir::Value buildMatMul(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType resultType, mlir::Value lhs,
                        mlir::Value rhs);

/// A parallel linalg.generic producing `type` from no inputs: `body` gets
/// the output coordinates and returns the element (gathers, Resize, Pad).
mlir::Value buildFromIndices(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   llvm::ArrayRef<mlir::Value>)>
        body);

/// An `index` constant.
inline mlir::Value indexConstant(mlir::OpBuilder &b, mlir::Location loc,
                                 int64_t value) {
  return mlir::arith::ConstantIndexOp::create(b, loc, value);
}

/// An integer index value as an `index`, negative ones counting from the
/// end of an axis of size `dim` (Gather, GatherElements, the scatters).
mlir::Value wrapIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value index,
                      int64_t dim);

/// A check of the input data that the compiled shapes rely on (an output
/// whose size depends on values: Range, TopK's K, NonZero...). `ok` false at
/// run time makes NAME_run return 2 (see docs/c-abi.md); lowerings must still
/// never access memory out of bounds when it is false. Emitted as cf.assert,
/// which the lower-runtime-checks pass turns into the model's status.
void emitRuntimeCheck(mlir::OpBuilder &b, mlir::Location loc, mlir::Value ok,
                      const llvm::Twine &what);

/// The scalar of a one-element tensor (a 0-d or 1-element 1-d input).
mlir::Value extractScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value tensor);

/// The row-major coordinates of the flat `index` value `flat` in `shape`.
llvm::SmallVector<mlir::Value> delinearize(mlir::OpBuilder &b,
                                           mlir::Location loc, mlir::Value flat,
                                           llvm::ArrayRef<int64_t> shape);

/// Reports that `op` cannot be lowered and why, naming the ONNX operator.
/// Each ONNX op has exactly one lowering pattern, so its failure to match is
/// the op's compile error (reported here, where the reason is known).
mlir::LogicalResult unsupported(mlir::Operation *op, const llvm::Twine &reason);

} // namespace onnxc
#endif // ONNXCOMPILE_LIB_CONVERSION_ONNXTOLINALG_COMMON_H
