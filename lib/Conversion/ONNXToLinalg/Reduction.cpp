//===- Reduction.cpp - The Reduce* family ---------------------------------===//
//
// Every Reduce op is a linalg.generic reduction over its axes with an
// initial value, a combiner, and an optional final elementwise step (the
// mean's division, L2's square root, LogSum's log). keepdims is a reshape of
// the result. ArgMax/ArgMin and CumSum are reductions too.
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

/// The reduction axes an axes input known only at run time can hold, from
/// the static shapes: with keepdims, the dims that shrink to 1; without,
/// every choice of dropped dims that leaves the result shape.
SmallVector<SmallVector<int64_t>> candidateAxes(ArrayRef<int64_t> in,
                                                ArrayRef<int64_t> out) {
  int64_t rank = in.size();
  if (out.size() == in.size()) {
    SmallVector<int64_t> axes;
    for (int64_t d = 0; d < rank; ++d) {
      if (in[d] == out[d])
        continue;
      if (out[d] != 1)
        return {};
      axes.push_back(d);
    }
    return {axes};
  }
  int64_t dropped = rank - int64_t(out.size());
  SmallVector<SmallVector<int64_t>> candidates;
  if (dropped < 0 || rank > 16)
    return candidates;
  for (uint32_t mask = 0; mask < (1u << rank); ++mask) {
    if (llvm::popcount(mask) != dropped)
      continue;
    SmallVector<int64_t> kept, removed;
    for (int64_t d = 0; d < rank; ++d)
      ((mask >> d) & 1 ? removed : kept).push_back(d);
    if (llvm::equal(llvm::map_range(kept, [&](int64_t d) { return in[d]; }),
                    out))
      candidates.push_back(removed);
  }
  return candidates;
}

/// Whether the run-time axes (a 1-D integer tensor, possibly negative) are
/// exactly the set `candidate`.
Value axesEqual(OpBuilder &b, Location loc, Value axes, int64_t rank,
                ArrayRef<int64_t> candidate) {
  auto type = llvm::cast<RankedTensorType>(axes.getType());
  using P = arith::CmpIPredicate;
  Value all = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
  if (type.getNumElements() != int64_t(candidate.size()))
    return arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
  Type element = type.getElementType();
  for (int64_t i = 0; i < type.getNumElements(); ++i) {
    Value axis = tensor::ExtractOp::create(
        b, loc, axes, ValueRange{indexConstant(b, loc, i)});
    Value rankValue = arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(element, rank));
    Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(element, 0));
    axis = arith::SelectOp::create(
        b, loc, arith::CmpIOp::create(b, loc, P::slt, axis, zero),
        arith::AddIOp::create(b, loc, axis, rankValue), axis);
    Value member = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
    for (int64_t d : candidate)
      member = arith::OrIOp::create(
          b, loc, member,
          arith::CmpIOp::create(
              b, loc, P::eq, axis,
              arith::ConstantOp::create(b, loc, b.getIntegerAttr(element, d))));
    all = arith::AndIOp::create(b, loc, all, member);
  }
  return all;
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
    int64_t rank = inputType.getRank();
    Location loc = op.getLoc();
    if (failed(axes)) {
      // Axes given at run time: the static shapes tell which sets of axes
      // are possible. One is used as it is (a model whose axes disagree
      // with its result type is invalid); between several, the run-time
      // axes pick.
      SmallVector<SmallVector<int64_t>> candidates =
          candidateAxes(inputType.getShape(), type.getShape());
      if (candidates.empty())
        return unsupported(op, "no axes give the result shape");
      if (candidates.size() > 1) {
        rewriter.replaceOp(op, pickReduction(rewriter, loc, op, input,
                                             adaptor.getOperands()[1], type,
                                             candidates));
        return success();
      }
      axes = candidates.front();
    } else if (axes->empty() && !noopWithEmptyAxes(op)) {
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    }
    SmallVector<int64_t> normalized;
    for (int64_t axis : *axes) {
      FailureOr<int64_t> n = normalizeAxis(axis, rank);
      if (failed(n))
        return unsupported(op, "axis out of range");
      if (!llvm::is_contained(normalized, *n))
        normalized.push_back(*n);
    }
    rewriter.replaceOp(op, reduce(rewriter, loc, op, input, normalized, type));
    return success();
  }

  /// The reduction over `axes`, reshaped to `type`.
  Value reduce(OpBuilder &rewriter, Location loc, OpTy op, Value input,
               ArrayRef<int64_t> normalized, RankedTensorType type) const {
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    Type element = type.getElementType();
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
    return reshapeTensor(rewriter, loc, reduced, type);
  }

  /// Reduces over every candidate set of axes and keeps the one the
  /// run-time axes name; none named fails the run (status 2).
  Value pickReduction(OpBuilder &b, Location loc, OpTy op, Value input,
                      Value axes, RankedTensorType type,
                      ArrayRef<SmallVector<int64_t>> candidates) const {
    int64_t rank = llvm::cast<RankedTensorType>(input.getType()).getRank();
    SmallVector<Value> results, matches;
    Value any = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
    for (ArrayRef<int64_t> candidate : candidates) {
      results.push_back(reduce(b, loc, op, input, candidate, type));
      matches.push_back(axesEqual(b, loc, axes, rank, candidate));
      any = arith::OrIOp::create(b, loc, any, matches.back());
    }
    emitRuntimeCheck(b, loc, any,
                     "Reduce: the axes give another result shape than "
                     "compiled");
    return buildElementwise(
        b, loc, type, results, [&](OpBuilder &nb, Location l, ValueRange a) {
          Value picked = a[0];
          for (size_t i = 1; i < a.size(); ++i)
            picked = arith::SelectOp::create(nb, l, matches[i], a[i], picked);
          return picked;
        });
  }

  ReduceKind kind;
};

/// The index of the largest (`isMax`) or smallest element along `axis`,
/// as an i64 tensor without that dim: one reduction with two accumulators,
/// the best value and its index. Ties keep the first index, or the last
/// with `last`.
Value argReduce(OpBuilder &b, Location loc, Value input, int64_t axis,
                bool isMax, bool last, bool isUnsigned) {
  auto inputType = llvm::cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  MLIRContext *ctx = b.getContext();
  Type element = inputType.getElementType();
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    iterators.push_back(d == axis ? utils::IteratorType::reduction
                                  : utils::IteratorType::parallel);
    if (d == axis)
      continue;
    shape.push_back(inputType.getDimSize(d));
    outExprs.push_back(getAffineDimExpr(d, ctx));
  }
  auto valueType = RankedTensorType::get(shape, element);
  auto indexType = RankedTensorType::get(shape, b.getI64Type());
  Value values = filledTensor(
      b, loc, valueType,
      extremeConstant(b, loc, element, /*lowest=*/isMax, isUnsigned));
  Value indices = filledTensor(b, loc, indexType,
                               scalarConstant(b, loc, b.getI64Type(), 0));
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank), outMap, outMap};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{valueType, indexType}, input,
      ValueRange{values, indices}, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value x = args[0], best = args[1], bestIndex = args[2];
        Value better;
        if (llvm::isa<FloatType>(element)) {
          using P = arith::CmpFPredicate;
          P predicate = isMax ? (last ? P::OGE : P::OGT)
                              : (last ? P::OLE : P::OLT);
          better = arith::CmpFOp::create(nb, l, predicate, x, best);
        } else {
          using P = arith::CmpIPredicate;
          P predicate = isMax ? (last ? (isUnsigned ? P::uge : P::sge)
                                      : (isUnsigned ? P::ugt : P::sgt))
                              : (last ? (isUnsigned ? P::ule : P::sle)
                                      : (isUnsigned ? P::ult : P::slt));
          better = arith::CmpIOp::create(nb, l, predicate, x, best);
        }
        Value index = arith::IndexCastOp::create(
            nb, l, nb.getI64Type(), linalg::IndexOp::create(nb, l, axis));
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::SelectOp::create(nb, l, better, x, best),
                       arith::SelectOp::create(nb, l, better, index,
                                               bestIndex)});
      });
  return generic.getResult(1);
}

template <typename OpTy, bool isMax>
struct ArgReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getData();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto type = convertTensorType(*this->getTypeConverter(),
                                  op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !inputType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    FailureOr<int64_t> axis = normalizeAxis(op.getAxis(), inputType.getRank());
    if (failed(axis))
      return unsupported(op, "bad axis");
    Value indices =
        argReduce(rewriter, op.getLoc(), input, *axis, isMax,
                  op.getSelectLastIndex() != 0,
                  isUnsignedInt(elementTypeOf(op.getData())));
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(), indices, type));
    return success();
  }
};

/// Hardmax: 1 at the first largest element along the axis, 0 elsewhere.
struct HardmaxLowering : OpConversionPattern<ONNXHardmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXHardmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static shape");
    FailureOr<int64_t> axis = normalizeAxis(op.getAxis(), type.getRank());
    if (failed(axis))
      return unsupported(op, "bad axis");
    Location loc = op.getLoc();
    SmallVector<int64_t> keptShape(type.getShape());
    keptShape[*axis] = 1;
    Value indices = reshapeTensor(
        rewriter, loc,
        argReduce(rewriter, loc, input, *axis, /*isMax=*/true, false, false),
        RankedTensorType::get(keptShape, rewriter.getI64Type()));
    Type element = type.getElementType();
    int64_t axisDim = *axis;
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, indices,
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  Value here = arith::IndexCastOp::create(
                      b, l, b.getI64Type(),
                      linalg::IndexOp::create(b, l, axisDim));
                  Value hit = arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::eq, a[0], here);
                  return arith::SelectOp::create(
                      b, l, hit, scalarConstant(b, l, element, 1),
                      scalarConstant(b, l, element, 0));
                }));
    return success();
  }
};

/// CumSum along `axis`: y[i] = sum of x[j] for j <= i (j < i when
/// exclusive; j >= i or j > i when reverse), as a reduction over an extra
/// iteration dim j.
Value buildCumSum(OpBuilder &b, Location loc, Value input,
                  RankedTensorType type, int64_t axis, bool exclusive,
                  bool reverse) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> inExprs;
  for (int64_t d = 0; d < rank; ++d)
    inExprs.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
  SmallVector<AffineMap> maps{
      AffineMap::get(rank + 1, 0, inExprs, ctx),
      AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Type element = type.getElementType();
  Value init = filledTensor(b, loc, type, scalarConstant(b, loc, element, 0));
  using P = arith::CmpIPredicate;
  P predicate = reverse ? (exclusive ? P::sgt : P::sge)
                        : (exclusive ? P::slt : P::sle);
  auto generic = linalg::GenericOp::create(
      b, loc, type, input, init, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value i = linalg::IndexOp::create(nb, l, axis);
        Value j = linalg::IndexOp::create(nb, l, rank);
        Value include = arith::CmpIOp::create(nb, l, predicate, j, i);
        Value term = arith::SelectOp::create(
            nb, l, include, args[0], scalarConstant(nb, l, element, 0));
        linalg::YieldOp::create(nb, l, add(nb, l, args[1], term));
      });
  return generic.getResult(0);
}

/// CumSum. A run-time axis (an input, not a constant) selects among the
/// rank possible sums; an axis out of range fails the run (status 2).
struct CumSumLowering : OpConversionPattern<ONNXCumSumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXCumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getX();
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static shape");
    int64_t rank = type.getRank();
    bool exclusive = op.getExclusive() != 0, reverse = op.getReverse() != 0;
    Location loc = op.getLoc();
    if (auto axisValues = getConstantInts(op.getAxis()); succeeded(axisValues)) {
      FailureOr<int64_t> axis =
          axisValues->size() == 1 ? normalizeAxis(axisValues->front(), rank)
                                  : FailureOr<int64_t>(failure());
      if (failed(axis))
        return unsupported(op, "bad axis");
      rewriter.replaceOp(op, buildCumSum(rewriter, loc, input, type, *axis,
                                         exclusive, reverse));
      return success();
    }
    Value axis = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getIndexType(),
        extractScalar(rewriter, loc, adaptor.getAxis()));
    Value rankValue = indexConstant(rewriter, loc, rank);
    Value zero = indexConstant(rewriter, loc, 0);
    using P = arith::CmpIPredicate;
    axis = arith::SelectOp::create(
        rewriter, loc, arith::CmpIOp::create(rewriter, loc, P::slt, axis, zero),
        arith::AddIOp::create(rewriter, loc, axis, rankValue), axis);
    emitRuntimeCheck(
        rewriter, loc,
        arith::AndIOp::create(
            rewriter, loc,
            arith::CmpIOp::create(rewriter, loc, P::sge, axis, zero),
            arith::CmpIOp::create(rewriter, loc, P::slt, axis, rankValue)),
        "CumSum: the axis is out of range");
    // Every candidate sum, then an elementwise pick: the static workspace
    // has no room for buffers allocated inside regions.
    SmallVector<Value> sums;
    for (int64_t d = 0; d < rank; ++d)
      sums.push_back(
          buildCumSum(rewriter, loc, input, type, d, exclusive, reverse));
    Value picked =
        sums.size() == 1
            ? sums.front()
            : buildElementwise(
                  rewriter, loc, type, sums,
                  [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                    Value result = args[0];
                    for (int64_t d = 1; d < rank; ++d)
                      result = arith::SelectOp::create(
                          b, l,
                          arith::CmpIOp::create(b, l, P::eq, axis,
                                                indexConstant(b, l, d)),
                          args[d], result);
                    return result;
                  });
    rewriter.replaceOp(op, picked);
    return success();
  }
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
  patterns.add<ArgReduceLowering<ONNXArgMaxOp, true>,
               ArgReduceLowering<ONNXArgMinOp, false>, CumSumLowering,
               HardmaxLowering>(
      converter, ctx);
}

} // namespace onnxc
