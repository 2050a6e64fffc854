//===- Normalization.cpp - Batch/Layer/InstanceNorm, LRN, Softmax ---------===//
//
// Normalizations are compositions: keep-dims reductions for the statistics,
// then one broadcasting elementwise linalg.generic for the formula.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

using namespace mlir;

namespace onnxc {
namespace {

Value meanOver(OpBuilder &b, Location loc, Value input,
               ArrayRef<int64_t> axes) {
  auto type = llvm::cast<RankedTensorType>(input.getType());
  Type element = type.getElementType();
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= type.getDimSize(axis);
  Value sum = buildReductionKeepDims(
      b, loc, input, axes, scalarConstant(b, loc, element, 0.0),
      [](OpBuilder &nb, Location l, Value x, Value acc) -> Value {
        return arith::AddFOp::create(nb, l, acc, x);
      });
  return buildElementwise(
      b, loc, llvm::cast<RankedTensorType>(sum.getType()), sum,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        return Value(arith::DivFOp::create(
            nb, l, a[0], scalarConstant(nb, l, element, double(count))));
      });
}

/// The mean over `axes`, x - mean and the (biased) variance, keeping dims.
struct Moments {
  Value mean, centered, variance;
};

Moments moments(OpBuilder &b, Location loc, Value input,
                ArrayRef<int64_t> axes) {
  auto type = llvm::cast<RankedTensorType>(input.getType());
  Value mean = meanOver(b, loc, input, axes);
  Value centered = buildElementwise(
      b, loc, type, ValueRange{input, mean},
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::SubFOp::create(nb, l, a[0], a[1]);
      });
  Value squared = buildElementwise(
      b, loc, type, centered,
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::MulFOp::create(nb, l, a[0], a[0]);
      });
  return {mean, centered, meanOver(b, loc, squared, axes)};
}

/// rsqrt(variance + epsilon).
Value inverseStdDev(OpBuilder &b, Location loc, Value variance,
                    double epsilon) {
  Value eps = scalarConstant(b, loc, variance.getType(), epsilon);
  return math::RsqrtOp::create(b, loc,
                               arith::AddFOp::create(b, loc, variance, eps));
}

struct BatchNormLowering : OpConversionPattern<ONNXBatchNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXBatchNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() ||
        !llvm::isa<FloatType>(type.getElementType()))
      return unsupported(op, "needs a static float result");
    if (op.getTrainingMode() != 0)
      return lowerTraining(op, adaptor, type, rewriter);
    Location loc = op.getLoc();
    // Per-channel parameters [C] become [C, 1, ...] to broadcast along dim 1.
    SmallVector<Value> inputs{adaptor.getX()};
    SmallVector<int64_t> paramShape(type.getRank() - 1, 1);
    paramShape[0] = type.getDimSize(1);
    for (Value param : {adaptor.getScale(), adaptor.getB(),
                        adaptor.getInputMean(), adaptor.getInputVar()}) {
      auto paramType = llvm::cast<RankedTensorType>(param.getType());
      inputs.push_back(reshapeTensor(rewriter, loc, param,
                                     paramType.clone(paramShape)));
    }
    double epsilon = op.getEpsilon().convertToDouble();
    Value result = buildElementwise(
        rewriter, loc, type, inputs,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value centered = arith::SubFOp::create(b, l, a[0], a[3]);
          Value invStd = inverseStdDev(b, l, a[4], epsilon);
          Value scaled = arith::MulFOp::create(
              b, l, arith::MulFOp::create(b, l, centered, invStd), a[1]);
          return arith::AddFOp::create(b, l, scaled, a[2]);
        });
    SmallVector<Value> results{result};
    for (unsigned i = 1; i < op->getNumResults(); ++i)
      results.push_back(
          ONNXNoValueOp::create(rewriter, loc, rewriter.getNoneType()));
    rewriter.replaceOp(op, results);
    return success();
  }

  /// Training mode normalizes with the batch's own statistics (per channel,
  /// over N and the spatial dims; the population variance) and updates the
  /// running ones: running = input * momentum + batch * (1 - momentum).
  LogicalResult lowerTraining(ONNXBatchNormalizationOp op, OpAdaptor adaptor,
                              RankedTensorType type,
                              ConversionPatternRewriter &rewriter) const {
    int64_t rank = type.getRank();
    if (rank < 2)
      return unsupported(op, "training mode needs X of rank 2 or more");
    Location loc = op.getLoc();
    Type element = type.getElementType();
    int64_t channels = type.getDimSize(1);
    auto paramType = RankedTensorType::get({channels}, element);
    SmallVector<Value> params;
    for (Value param : {adaptor.getScale(), adaptor.getB(),
                        adaptor.getInputMean(), adaptor.getInputVar()}) {
      auto t = llvm::dyn_cast<RankedTensorType>(param.getType());
      if (!t || t != paramType)
        return unsupported(op, "scale, B, mean and var must be [C] tensors "
                               "of X's element type");
      params.push_back(param);
    }
    // Absent running statistics (NoneType results) stay absent.
    for (unsigned i = 1; i < op->getNumResults(); ++i)
      if (!isNone(op->getResult(i)) &&
          convertTensorType(*getTypeConverter(), op->getResult(i).getType()) !=
              paramType)
        return unsupported(op, "running_mean and running_var must be [C]");
    SmallVector<int64_t> axes{0};
    for (int64_t d = 2; d < rank; ++d)
      axes.push_back(d);
    Moments batch = moments(rewriter, loc, adaptor.getX(), axes);

    // Per-channel parameters [C] become [C, 1, ...] to broadcast along dim 1.
    SmallVector<int64_t> broadcastShape(rank - 1, 1);
    broadcastShape[0] = channels;
    auto broadcastType = RankedTensorType::get(broadcastShape, element);
    double epsilon = op.getEpsilon().convertToDouble();
    Value y = buildElementwise(
        rewriter, loc, type,
        ValueRange{batch.centered, batch.variance,
                   reshapeTensor(rewriter, loc, params[0], broadcastType),
                   reshapeTensor(rewriter, loc, params[1], broadcastType)},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value normalized = arith::MulFOp::create(
              b, l, a[0], inverseStdDev(b, l, a[1], epsilon));
          return arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, normalized, a[2]), a[3]);
        });

    double momentum = op.getMomentum().convertToDouble();
    auto running = [&](Value input, Value batchStat) {
      return buildElementwise(
          rewriter, loc, paramType,
          ValueRange{input, reshapeTensor(rewriter, loc, batchStat, paramType)},
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::AddFOp::create(
                b, l,
                arith::MulFOp::create(b, l, a[0],
                                      scalarConstant(b, l, element, momentum)),
                arith::MulFOp::create(
                    b, l, a[1], scalarConstant(b, l, element, 1.0 - momentum)));
          });
    };
    SmallVector<Value> results{y};
    Value batchStats[] = {batch.mean, batch.variance};
    for (unsigned i = 1; i < op->getNumResults(); ++i)
      results.push_back(isNone(op->getResult(i))
                            ? Value(ONNXNoValueOp::create(
                                  rewriter, loc, rewriter.getNoneType()))
                            : running(params[i + 1], batchStats[i - 1]));
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Softmax (opset 13: along one axis) and LogSoftmax.
template <typename OpTy, bool isLog>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertTensorType(*this->getTypeConverter(),
                                  op->getResult(0).getType());
    if (!type || !type.hasStaticShape() ||
        !llvm::isa<FloatType>(type.getElementType()))
      return unsupported(op, "needs a static float result");
    FailureOr<int64_t> axis = normalizeAxis(op.getAxis(), type.getRank());
    if (failed(axis))
      return unsupported(op, "bad axis");
    Location loc = op.getLoc();
    Type element = type.getElementType();
    Value input = adaptor.getInput();
    Value max = buildReductionKeepDims(
        rewriter, loc, input, {*axis},
        extremeConstant(rewriter, loc, element, true, false),
        [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          return arith::MaximumFOp::create(b, l, acc, x);
        });
    Value shifted = buildElementwise(
        rewriter, loc, type, ValueRange{input, max},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::SubFOp::create(b, l, a[0], a[1]);
        });
    Value exp = buildElementwise(
        rewriter, loc, type, shifted,
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return math::ExpOp::create(b, l, a[0]);
        });
    Value sum = buildReductionKeepDims(
        rewriter, loc, exp, {*axis}, scalarConstant(rewriter, loc, element, 0),
        [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          return arith::AddFOp::create(b, l, acc, x);
        });
    Value result = buildElementwise(
        rewriter, loc, type,
        isLog ? ValueRange{shifted, sum} : ValueRange{exp, sum},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          if (isLog)
            return arith::SubFOp::create(b, l, a[0],
                                         math::LogOp::create(b, l, a[1]));
          return arith::DivFOp::create(b, l, a[0], a[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LayerNormLowering : OpConversionPattern<ONNXLayerNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXLayerNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() ||
        !llvm::isa<FloatType>(type.getElementType()))
      return unsupported(op, "needs a static float result");
    FailureOr<int64_t> axis = normalizeAxis(op.getAxis(), type.getRank());
    if (failed(axis))
      return unsupported(op, "bad axis");
    Location loc = op.getLoc();
    SmallVector<int64_t> axes;
    for (int64_t d = *axis; d < type.getRank(); ++d)
      axes.push_back(d);
    Value input = adaptor.getX();
    auto [mean, centered, var] = moments(rewriter, loc, input, axes);
    double epsilon = op.getEpsilon().convertToDouble();
    SmallVector<Value> inputs{centered, var, adaptor.getScale()};
    bool hasBias = !isNone(op.getB());
    if (hasBias)
      inputs.push_back(adaptor.getB());
    Value result = buildElementwise(
        rewriter, loc, type, inputs,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value invStd = inverseStdDev(b, l, a[1], epsilon);
          Value y = arith::MulFOp::create(
              b, l, arith::MulFOp::create(b, l, a[0], invStd), a[2]);
          return hasBias ? Value(arith::AddFOp::create(b, l, y, a[3])) : y;
        });
    // The optional Mean and InvStdDev outputs keep the normalized dims.
    SmallVector<Value> results{result};
    for (unsigned i = 1; i < op->getNumResults(); ++i) {
      Value output = op->getResult(i);
      if (isNone(output)) {
        results.push_back(
            ONNXNoValueOp::create(rewriter, loc, rewriter.getNoneType()));
        continue;
      }
      auto statType = convertTensorType(*getTypeConverter(), output.getType());
      if (!statType || statType.getElementType() != type.getElementType())
        return unsupported(op, "statistics in another type than the input");
      Value stat = i == 1 ? mean
                          : buildElementwise(
                                rewriter, loc,
                                llvm::cast<RankedTensorType>(var.getType()),
                                var, [&](OpBuilder &b, Location l,
                                         ValueRange a) -> Value {
                                  return inverseStdDev(b, l, a[0], epsilon);
                                });
      results.push_back(reshapeTensor(rewriter, loc, stat, statType));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// InstanceNormalization: per (n, c) statistics over the spatial dims, then
/// per-channel scale and bias.
struct InstanceNormLowering : OpConversionPattern<ONNXInstanceNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXInstanceNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || type.getRank() < 3)
      return unsupported(op, "needs a static N x C x D... shape");
    Location loc = op.getLoc();
    SmallVector<int64_t> axes;
    for (int64_t d = 2; d < type.getRank(); ++d)
      axes.push_back(d);
    Value input = adaptor.getInput();
    auto [mean, centered, var] = moments(rewriter, loc, input, axes);
    SmallVector<int64_t> paramShape(type.getRank() - 1, 1);
    paramShape[0] = type.getDimSize(1);
    auto paramType = RankedTensorType::get(paramShape, type.getElementType());
    Value scale = reshapeTensor(rewriter, loc, adaptor.getScale(), paramType);
    Value bias = reshapeTensor(rewriter, loc, adaptor.getB(), paramType);
    double epsilon = op.getEpsilon().convertToDouble();
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, ValueRange{centered, var, scale, bias},
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  Value invStd = inverseStdDev(b, l, a[1], epsilon);
                  Value y = arith::MulFOp::create(
                      b, l, arith::MulFOp::create(b, l, a[0], invStd), a[2]);
                  return arith::AddFOp::create(b, l, y, a[3]);
                }));
    return success();
  }
};

/// LRN: x / (bias + alpha / size * sum of x^2 over a window of channels)^beta.
/// The window sum reads a channel-padded input, with a kernel-shaped
/// operand bounding the window loop.
struct LRNLowering : OpConversionPattern<ONNXLRNOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXLRNOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    int64_t size = op.getSize();
    if (!type || !type.hasStaticShape() || type.getRank() < 2 || size <= 0)
      return unsupported(op, "needs a static N x C... shape and size > 0");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    Type element = type.getElementType();
    int64_t rank = type.getRank();
    Value input = adaptor.getX();
    Value zero = scalarConstant(rewriter, loc, element, 0.0);
    SmallVector<OpFoldResult> low(rank, rewriter.getIndexAttr(0)),
        high(rank, rewriter.getIndexAttr(0));
    low[1] = rewriter.getIndexAttr((size - 1) / 2);
    high[1] = rewriter.getIndexAttr(size - 1 - (size - 1) / 2);
    SmallVector<int64_t> paddedShape(type.getShape());
    paddedShape[1] += size - 1;
    Value padded = tensor::PadOp::create(rewriter, loc, type.clone(paddedShape),
                                         input, low, high, zero);
    // Dims: the output's, then the window position w; channel read c + w.
    SmallVector<AffineExpr> inExprs;
    for (int64_t d = 0; d < rank; ++d)
      inExprs.push_back(d == 1 ? getAffineDimExpr(1, ctx) +
                                     getAffineDimExpr(rank, ctx)
                               : getAffineDimExpr(d, ctx));
    Value window = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{size},
                                           element);
    SmallVector<AffineMap> maps{
        AffineMap::get(rank + 1, 0, inExprs, ctx),
        AffineMap::get(rank + 1, 0, {getAffineDimExpr(rank, ctx)}, ctx),
        AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value sums =
        linalg::GenericOp::create(
            rewriter, loc, type, ValueRange{padded, window},
            filledTensor(rewriter, loc, type, zero), maps, iterators,
            [](OpBuilder &b, Location l, ValueRange args) {
              Value square = arith::MulFOp::create(b, l, args[0], args[0]);
              linalg::YieldOp::create(
                  b, l, Value(arith::AddFOp::create(b, l, args[2], square)));
            })
            .getResult(0);
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    double bias = op.getBias().convertToDouble();
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, ValueRange{input, sums},
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  auto c = [&](double v) {
                    return scalarConstant(b, l, element, v);
                  };
                  Value base = arith::AddFOp::create(
                      b, l, c(bias),
                      arith::MulFOp::create(b, l, c(alpha / double(size)),
                                            a[1]));
                  Value den = math::PowFOp::create(b, l, base, c(beta));
                  return arith::DivFOp::create(b, l, a[0], den);
                }));
    return success();
  }
};

} // namespace

void populateNormalizationPatterns(TypeConverter &converter,
                                   RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, SoftmaxLowering<ONNXSoftmaxOp, false>,
               SoftmaxLowering<ONNXLogSoftmaxOp, true>, LayerNormLowering,
               InstanceNormLowering, LRNLowering>(
      converter, patterns.getContext());
}

} // namespace onnxc
