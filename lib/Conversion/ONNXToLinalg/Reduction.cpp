//===- Reduction.cpp - The Reduce* family ---------------------------------===//
//
// Every Reduce op is a linalg.generic reduction over its axes with an
// initial value, a combiner, and an optional final elementwise step (the
// mean's division, L2's square root, LogSum's log). keepdims is a reshape of
// the result.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

using namespace mlir;

namespace onnxc {
namespace {

enum class ReduceKind {
  Sum, Mean, Max, Min, Prod, L1, L2, SumSquare, LogSum, LogSumExp
};

bool needsFloat(ReduceKind kind) {
  return kind == ReduceKind::L2 || kind == ReduceKind::LogSum ||
         kind == ReduceKind::LogSumExp || kind == ReduceKind::Mean;
}

Value add(OpBuilder &b, Location loc, Value x, Value y) {
  if (llvm::isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  if (llvm::isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

Value initialValue(OpBuilder &b, Location loc, ReduceKind kind, Type element,
                   bool isUnsigned) {
  switch (kind) {
  case ReduceKind::Max:
    return extremeConstant(b, loc, element, /*lowest=*/true, isUnsigned);
  case ReduceKind::Min:
    return extremeConstant(b, loc, element, /*lowest=*/false, isUnsigned);
  case ReduceKind::Prod:
    return scalarConstant(b, loc, element, 1.0);
  default:
    return scalarConstant(b, loc, element, 0.0);
  }
}

Value combine(OpBuilder &b, Location loc, ReduceKind kind, bool isUnsigned,
              Value x, Value acc) {
  bool isFloat = llvm::isa<FloatType>(x.getType());
  switch (kind) {
  case ReduceKind::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, acc, x);
    return isUnsigned ? Value(arith::MaxUIOp::create(b, loc, acc, x))
                      : Value(arith::MaxSIOp::create(b, loc, acc, x));
  case ReduceKind::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, acc, x);
    return isUnsigned ? Value(arith::MinUIOp::create(b, loc, acc, x))
                      : Value(arith::MinSIOp::create(b, loc, acc, x));
  case ReduceKind::Prod:
    return mul(b, loc, acc, x);
  case ReduceKind::L1:
    if (isFloat)
      return add(b, loc, acc, math::AbsFOp::create(b, loc, x));
    return add(b, loc, acc,
               isUnsigned ? x : Value(math::AbsIOp::create(b, loc, x)));
  case ReduceKind::L2:
  case ReduceKind::SumSquare:
    return add(b, loc, acc, mul(b, loc, x, x));
  case ReduceKind::LogSumExp:
    return add(b, loc, acc, math::ExpOp::create(b, loc, x));
  default:
    return add(b, loc, acc, x);
  }
}

Value finalize(OpBuilder &b, Location loc, ReduceKind kind, Value acc,
               int64_t count) {
  switch (kind) {
  case ReduceKind::Mean:
    return arith::DivFOp::create(
        b, loc, acc, scalarConstant(b, loc, acc.getType(), double(count)));
  case ReduceKind::L2:
    return math::SqrtOp::create(b, loc, acc);
  case ReduceKind::LogSum:
  case ReduceKind::LogSumExp:
    return math::LogOp::create(b, loc, acc);
  default:
    return acc;
  }
}

/// The reduction axes: the constant `axes` input (ReduceSum since opset 13)
/// or the `axes` attribute (the others up to opset 17).
template <typename OpTy>
FailureOr<SmallVector<int64_t>> reductionAxes(OpTy op) {
  if constexpr (std::is_same_v<OpTy, ONNXReduceSumOp>) {
    if (isNone(op.getAxes()))
      return SmallVector<int64_t>{};
    return getConstantInts(op.getAxes());
  } else {
    SmallVector<int64_t> axes;
    if (std::optional<ArrayAttr> attr = op.getAxes())
      for (Attribute a : *attr)
        axes.push_back(llvm::cast<IntegerAttr>(a).getInt());
    return axes;
  }
}

template <typename OpTy>
bool noopWithEmptyAxes(OpTy op) {
  if constexpr (std::is_same_v<OpTy, ONNXReduceSumOp>)
    return op.getNoopWithEmptyAxes() != 0;
  return false;
}

template <typename OpTy>
struct ReduceLowering : OpConversionPattern<OpTy> {
  ReduceLowering(const TypeConverter &converter, MLIRContext *ctx,
                 ReduceKind kind)
      : OpConversionPattern<OpTy>(converter, ctx), kind(kind) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getData();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto type = convertTensorType(*this->getTypeConverter(),
                                  op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !inputType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    Type element = type.getElementType();
    if (needsFloat(kind) && !llvm::isa<FloatType>(element))
      return unsupported(op, "needs a float element type");
    FailureOr<SmallVector<int64_t>> axes = reductionAxes(op);
    if (failed(axes))
      return unsupported(op, "axes must be constant");
    int64_t rank = inputType.getRank();
    SmallVector<int64_t> normalized;
    if (axes->empty() && !noopWithEmptyAxes(op))
      for (int64_t d = 0; d < rank; ++d)
        normalized.push_back(d);
    for (int64_t axis : *axes) {
      FailureOr<int64_t> n = normalizeAxis(axis, rank);
      if (failed(n))
        return unsupported(op, "axis out of range");
      if (!llvm::is_contained(normalized, *n))
        normalized.push_back(*n);
    }
    Location loc = op.getLoc();
    bool isUnsigned = isUnsignedInt(elementTypeOf(op.getData()));
    int64_t count = 1;
    for (int64_t axis : normalized)
      count *= inputType.getDimSize(axis);
    Value init = initialValue(rewriter, loc, kind, element, isUnsigned);
    ReduceKind k = kind;
    Value reduced = buildReduction(
        rewriter, loc, input, normalized, init,
        [&](OpBuilder &b, Location l, Value x, Value acc) {
          return combine(b, l, k, isUnsigned, x, acc);
        });
    auto reducedType = llvm::cast<RankedTensorType>(reduced.getType());
    if (k == ReduceKind::Mean || k == ReduceKind::L2 ||
        k == ReduceKind::LogSum || k == ReduceKind::LogSumExp)
      reduced = buildElementwise(rewriter, loc, reducedType, reduced,
                                 [&](OpBuilder &b, Location l, ValueRange a) {
                                   return finalize(b, l, k, a[0], count);
                                 });
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, reduced, type));
    return success();
  }

  ReduceKind kind;
};

} // namespace

void populateReductionPatterns(TypeConverter &converter,
                               RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReduceLowering<ONNXReduceSumOp>>(converter, ctx,
                                                ReduceKind::Sum);
  patterns.add<ReduceLowering<ONNXReduceMeanOp>>(converter, ctx,
                                                 ReduceKind::Mean);
  patterns.add<ReduceLowering<ONNXReduceMaxOp>>(converter, ctx,
                                                ReduceKind::Max);
  patterns.add<ReduceLowering<ONNXReduceMinOp>>(converter, ctx,
                                                ReduceKind::Min);
  patterns.add<ReduceLowering<ONNXReduceProdOp>>(converter, ctx,
                                                 ReduceKind::Prod);
  patterns.add<ReduceLowering<ONNXReduceL1Op>>(converter, ctx,
                                               ReduceKind::L1);
  patterns.add<ReduceLowering<ONNXReduceL2Op>>(converter, ctx,
                                               ReduceKind::L2);
  patterns.add<ReduceLowering<ONNXReduceSumSquareOp>>(converter, ctx,
                                                      ReduceKind::SumSquare);
  patterns.add<ReduceLowering<ONNXReduceLogSumOp>>(converter, ctx,
                                                   ReduceKind::LogSum);
  patterns.add<ReduceLowering<ONNXReduceLogSumExpOp>>(converter, ctx,
                                                      ReduceKind::LogSumExp);
}

} // namespace onnxc
