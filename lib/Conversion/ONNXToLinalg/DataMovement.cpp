//===- DataMovement.cpp - Shape and data movement ops ---------------------===//
//
// Reshape-like ops (Reshape, Flatten, Squeeze, Unsqueeze) take their static
// result type from shape inference and become collapse/expand reshapes,
// which bufferize to views. Transpose is linalg.transpose; Concat, Split and
// positive-step Slice are tensor slices; Gather, GatherElements,
// negative-step Slice, Trilu and Expand are linalg.generic ops.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

using namespace mlir;

namespace onnxc {
namespace {

/// Reshape, Flatten, Squeeze and Unsqueeze: the result shape is static.
template <typename OpTy>
struct ReshapeLikeLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertTensorType(*this->getTypeConverter(),
                                  op->getResult(0).getType());
    Value input = adaptor.getOperands().front();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    if (!type || !type.hasStaticShape() || !inputType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(), input, type));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<ONNXTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static result shape");
    SmallVector<int64_t> perm;
    if (std::optional<ArrayAttr> attr = op.getPerm())
      for (Attribute a : *attr)
        perm.push_back(llvm::cast<IntegerAttr>(a).getInt());
    else
      for (int64_t i = type.getRank() - 1; i >= 0; --i)
        perm.push_back(i);
    Location loc = op.getLoc();
    auto transpose = linalg::TransposeOp::create(
        rewriter, loc, adaptor.getData(), emptyTensor(rewriter, loc, type),
        perm);
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ONNXConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static result shape");
    FailureOr<int64_t> axis = normalizeAxis(op.getAxis(), type.getRank());
    if (failed(axis))
      return unsupported(op, "bad axis");
    Location loc = op.getLoc();
    Value result = emptyTensor(rewriter, loc, type);
    int64_t offset = 0;
    for (Value input : adaptor.getInputs()) {
      auto inputType = llvm::cast<RankedTensorType>(input.getType());
      SmallVector<int64_t> offsets(type.getRank(), 0);
      offsets[*axis] = offset;
      SmallVector<int64_t> strides(type.getRank(), 1);
      offset += inputType.getDimSize(*axis);
      if (inputType.getNumElements() == 0)
        continue;
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result, ValueRange{}, ValueRange{},
          ValueRange{}, offsets, inputType.getShape(), strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SplitLowering : OpConversionPattern<ONNXSplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXSplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    FailureOr<int64_t> axis = normalizeAxis(op.getAxis(), inputType.getRank());
    if (failed(axis) || !inputType.hasStaticShape())
      return unsupported(op, "needs a static input and axis");
    SmallVector<Value> results;
    int64_t offset = 0;
    for (Value result : op->getResults()) {
      auto type = convertTensorType(*getTypeConverter(), result.getType());
      if (!type || !type.hasStaticShape())
        return unsupported(op, "needs static result shapes");
      SmallVector<int64_t> offsets(type.getRank(), 0);
      offsets[*axis] = offset;
      SmallVector<int64_t> strides(type.getRank(), 1);
      results.push_back(tensor::ExtractSliceOp::create(
          rewriter, op.getLoc(), type, input, ValueRange{}, ValueRange{},
          ValueRange{}, offsets, type.getShape(), strides));
      offset += type.getDimSize(*axis);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Slice with starts, axes or steps known only at run time: each output
/// coordinate o of dim d reads start_d + o * step_d, where start_d and
/// step_d come from the slice entry whose axis is d (0 and 1 if none), the
/// start clamped as ONNX does. The output size is static.
Value runtimeSlice(OpBuilder &rewriter, Location loc, ONNXSliceOp op,
                   ONNXSliceOp::Adaptor adaptor, RankedTensorType type) {
  Value data = adaptor.getData();
  auto dataType = llvm::cast<RankedTensorType>(data.getType());
  int64_t rank = type.getRank();
  int64_t count = llvm::cast<RankedTensorType>(adaptor.getStarts().getType())
                      .getDimSize(0);
  Value starts = adaptor.getStarts();
  Value axes = isNone(op.getAxes()) ? Value() : adaptor.getAxes();
  Value steps = isNone(op.getSteps()) ? Value() : adaptor.getSteps();
  return buildFromIndices(
      rewriter, loc, type,
      [&](OpBuilder &b, Location l, ArrayRef<Value> out) -> Value {
        auto read = [&](Value tensor, int64_t i) {
          Value v = tensor::ExtractOp::create(b, l, tensor, ValueRange{indexConstant(b, l, i)});
          return Value(arith::IndexCastOp::create(b, l, b.getIndexType(), v));
        };
        SmallVector<Value> coords;
        for (int64_t d = 0; d < rank; ++d) {
          int64_t dim = dataType.getDimSize(d);
          Value start = indexConstant(b, l, 0), step = indexConstant(b, l, 1);
          for (int64_t i = 0; i < count; ++i) {
            Value axis = axes ? read(axes, i) : indexConstant(b, l, i);
            Value negative = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::slt, axis, indexConstant(b, l, 0));
            axis = arith::SelectOp::create(
                b, l, negative, arith::AddIOp::create(b, l, axis, indexConstant(b, l, rank)),
                axis);
            Value here = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                               axis, indexConstant(b, l, d));
            Value s = read(starts, i);
            Value st = steps ? read(steps, i) : indexConstant(b, l, 1);
            // start < 0 counts from the end; clamp to [0, dim] (positive
            // step) or [0, dim - 1] (negative step).
            Value startNegative = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::slt, s, indexConstant(b, l, 0));
            s = arith::SelectOp::create(
                b, l, startNegative, arith::AddIOp::create(b, l, s, indexConstant(b, l, dim)),
                s);
            Value stepNegative = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::slt, st, indexConstant(b, l, 0));
            Value upper = arith::SelectOp::create(b, l, stepNegative,
                                                  indexConstant(b, l, dim - 1), indexConstant(b, l, dim));
            s = arith::MaxSIOp::create(b, l, s, indexConstant(b, l, 0));
            s = arith::MinSIOp::create(b, l, s, upper);
            start = arith::SelectOp::create(b, l, here, s, start);
            step = arith::SelectOp::create(b, l, here, st, step);
          }
          coords.push_back(arith::AddIOp::create(
              b, l, start, arith::MulIOp::create(b, l, out[d], step)));
        }
        return tensor::ExtractOp::create(b, l, data, coords);
      });
}

struct SliceLowering : OpConversionPattern<ONNXSliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXSliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getData();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !inputType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    int64_t rank = inputType.getRank();
    auto starts = getConstantInts(op.getStarts());
    SmallVector<int64_t> axes, steps;
    bool constant = succeeded(starts);
    if (constant) {
      steps.assign(starts->size(), 1);
      for (int64_t i = 0; i < int64_t(starts->size()); ++i)
        axes.push_back(i);
      if (!isNone(op.getAxes())) {
        auto constAxes = getConstantInts(op.getAxes());
        constant = succeeded(constAxes);
        if (constant)
          axes = *constAxes;
      }
      if (constant && !isNone(op.getSteps())) {
        auto constSteps = getConstantInts(op.getSteps());
        constant = succeeded(constSteps);
        if (constant)
          steps = *constSteps;
      }
    }
    // Bounds known only at run time: read them in the body.
    if (!constant) {
      rewriter.replaceOp(op, runtimeSlice(rewriter, op.getLoc(), op, adaptor,
                                          type));
      return success();
    }
    if (axes.size() != starts->size() || steps.size() != starts->size())
      return unsupported(op, "starts/axes/steps mismatch");
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    for (auto [i, axisValue] : llvm::enumerate(axes)) {
      FailureOr<int64_t> axis = normalizeAxis(axisValue, rank);
      if (failed(axis) || steps[i] == 0)
        return unsupported(op, "bad axis or zero step");
      int64_t dim = inputType.getDimSize(*axis);
      int64_t start = (*starts)[i];
      if (start < 0)
        start += dim;
      start = steps[i] > 0 ? std::clamp<int64_t>(start, 0, dim)
                           : std::clamp<int64_t>(start, 0, dim - 1);
      offsets[*axis] = start;
      strides[*axis] = steps[i];
    }
    Location loc = op.getLoc();
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, type));
      return success();
    }
    if (llvm::all_of(strides, [](int64_t s) { return s > 0; })) {
      rewriter.replaceOp(op, tensor::ExtractSliceOp::create(
                                 rewriter, loc, type, input, ValueRange{},
                                 ValueRange{}, ValueRange{}, offsets,
                                 type.getShape(), strides));
      return success();
    }
    // A negative step reads backwards: index = offset + i * step.
    MLIRContext *ctx = getContext();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      exprs.push_back(getAffineDimExpr(d, ctx) * strides[d] + offsets[d]);
    SmallVector<AffineMap> maps{AffineMap::get(rank, 0, exprs, ctx),
                                rewriter.getMultiDimIdentityMap(rank)};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, input, emptyTensor(rewriter, loc, type), maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct GatherLowering : OpConversionPattern<ONNXGatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXGatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto dataType = llvm::cast<RankedTensorType>(data.getType());
    auto indicesType = llvm::cast<RankedTensorType>(indices.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !dataType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    FailureOr<int64_t> axis =
        normalizeAxis(op.getAxis(), dataType.getRank());
    if (failed(axis))
      return unsupported(op, "bad axis");
    int64_t q = indicesType.getRank(), rank = type.getRank();
    MLIRContext *ctx = getContext();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t i = 0; i < q; ++i)
      indexExprs.push_back(getAffineDimExpr(*axis + i, ctx));
    SmallVector<AffineMap> maps{AffineMap::get(rank, 0, indexExprs, ctx),
                                rewriter.getMultiDimIdentityMap(rank)};
    int64_t axisDim = dataType.getDimSize(*axis);
    Location loc = op.getLoc();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, indices, emptyTensor(rewriter, loc, type), maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value index = wrapIndex(b, l, args[0], axisDim);
          SmallVector<Value> coords;
          for (int64_t i = 0; i < *axis; ++i)
            coords.push_back(linalg::IndexOp::create(b, l, i));
          coords.push_back(index);
          for (int64_t i = *axis + 1; i < dataType.getRank(); ++i)
            coords.push_back(linalg::IndexOp::create(b, l, i + q - 1));
          Value element = tensor::ExtractOp::create(b, l, data, coords);
          linalg::YieldOp::create(b, l, element);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// GatherElements: out[i...] = data[i... with axis replaced by idx[i...]].
struct GatherElementsLowering : OpConversionPattern<ONNXGatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXGatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto dataType = llvm::cast<RankedTensorType>(data.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !dataType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    int64_t rank = type.getRank();
    FailureOr<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    if (failed(axis))
      return unsupported(op, "bad axis");
    int64_t axisDim = dataType.getDimSize(*axis);
    Location loc = op.getLoc();
    SmallVector<AffineMap> maps(2, rewriter.getMultiDimIdentityMap(rank));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, indices, emptyTensor(rewriter, loc, type), maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value index = wrapIndex(b, l, args[0], axisDim);
          SmallVector<Value> coords;
          for (int64_t i = 0; i < rank; ++i)
            coords.push_back(i == *axis ? index
                                        : Value(linalg::IndexOp::create(b, l, i)));
          linalg::YieldOp::create(
              b, l, Value(tensor::ExtractOp::create(b, l, data, coords)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Trilu keeps the upper (or lower) triangle of the last two dims, shifted
/// by the diagonal offset k, and zeroes the rest.
struct TriluLowering : OpConversionPattern<ONNXTriluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXTriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || type.getRank() < 2)
      return unsupported(op, "needs a static result of rank 2 or more");
    // k is read at run time when it is not a constant.
    Location loc = op.getLoc();
    Value k = arith::ConstantIndexOp::create(rewriter, loc, 0);
    if (!isNone(op.getK())) {
      auto kType = llvm::cast<RankedTensorType>(adaptor.getK().getType());
      if (kType.getNumElements() != 1)
        return unsupported(op, "k must hold one value");
      Value zeroIndex = arith::ConstantIndexOp::create(rewriter, loc, 0);
      Value kValue = tensor::ExtractOp::create(
          rewriter, loc, adaptor.getK(),
          SmallVector<Value>(kType.getRank(), zeroIndex));
      k = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                     kValue);
    }
    bool upper = op.getUpper() != 0;
    int64_t rank = type.getRank();
    Value zero = scalarConstant(rewriter, loc, type.getElementType(), 0);
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, adaptor.getInput(),
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  // Keep where j - i >= k (upper) or j - i <= k (lower).
                  Value i = linalg::IndexOp::create(b, l, rank - 2);
                  Value j = linalg::IndexOp::create(b, l, rank - 1);
                  Value diff = arith::SubIOp::create(b, l, j, i);
                  Value keep = arith::CmpIOp::create(
                      b, l,
                      upper ? arith::CmpIPredicate::sge
                            : arith::CmpIPredicate::sle,
                      diff, k);
                  return arith::SelectOp::create(b, l, keep, a[0], zero);
                }));
    return success();
  }
};

struct ExpandLowering : OpConversionPattern<ONNXExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static result shape");
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), type, adaptor.getInput(),
                             [](OpBuilder &, Location, ValueRange args) {
                               return args[0];
                             }));
    return success();
  }
};

} // namespace

void populateDataMovementPatterns(TypeConverter &converter,
                                  RewritePatternSet &patterns) {
  patterns.add<ReshapeLikeLowering<ONNXReshapeOp>,
               ReshapeLikeLowering<ONNXFlattenOp>,
               ReshapeLikeLowering<ONNXSqueezeOp>,
               ReshapeLikeLowering<ONNXUnsqueezeOp>, TransposeLowering,
               ConcatLowering, SplitLowering, SliceLowering, GatherLowering,
               GatherElementsLowering, TriluLowering, ExpandLowering>(converter, patterns.getContext());
}

} // namespace onnxc
