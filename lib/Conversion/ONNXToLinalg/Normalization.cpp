//===- Normalization.cpp - BatchNorm, LayerNorm, Softmax, LogSoftmax ------===//
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

struct BatchNormLowering : OpConversionPattern<ONNXBatchNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXBatchNormalizationOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getTrainingMode() != 0)
      return unsupported(op, "training mode is not supported");
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() ||
        !llvm::isa<FloatType>(type.getElementType()))
      return unsupported(op, "needs a static float result");
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
          Value eps = scalarConstant(b, l, a[0].getType(), epsilon);
          Value centered = arith::SubFOp::create(b, l, a[0], a[3]);
          Value var = arith::AddFOp::create(b, l, a[4], eps);
          Value invStd = math::RsqrtOp::create(b, l, var);
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
    Value mean = meanOver(rewriter, loc, input, axes);
    Value centered = buildElementwise(
        rewriter, loc, type, ValueRange{input, mean},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::SubFOp::create(b, l, a[0], a[1]);
        });
    Value squared = buildElementwise(
        rewriter, loc, type, centered,
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::MulFOp::create(b, l, a[0], a[0]);
        });
    Value var = meanOver(rewriter, loc, squared, axes);
    double epsilon = op.getEpsilon().convertToDouble();
    SmallVector<Value> inputs{centered, var, adaptor.getScale()};
    bool hasBias = !isNone(op.getB());
    if (hasBias)
      inputs.push_back(adaptor.getB());
    Value result = buildElementwise(
        rewriter, loc, type, inputs,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value eps = scalarConstant(b, l, a[0].getType(), epsilon);
          Value invStd = math::RsqrtOp::create(
              b, l, arith::AddFOp::create(b, l, a[1], eps));
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
                                  Value eps = scalarConstant(
                                      b, l, a[0].getType(), epsilon);
                                  return math::RsqrtOp::create(
                                      b, l, arith::AddFOp::create(b, l, a[0], eps));
                                });
      results.push_back(reshapeTensor(rewriter, loc, stat, statType));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void populateNormalizationPatterns(TypeConverter &converter,
                                   RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, SoftmaxLowering<ONNXSoftmaxOp, false>,
               SoftmaxLowering<ONNXLogSoftmaxOp, true>, LayerNormLowering>(
      converter, patterns.getContext());
}

} // namespace onnxc
