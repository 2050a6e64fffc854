//===- Quantization.cpp - Quantize/Dequantize, integer MatMul and Conv ---===//
//
// Quantized values are integers with a float scale and an integer zero
// point, per tensor or per axis. Quantizing rounds half to even and
// saturates to the integer type; integer matrix products accumulate in i32
// after subtracting the zero points.
//
//===----------------------------------------------------------------------===//

#include "Window.h"

using namespace mlir;

namespace onnxc {
namespace {

/// A scale or zero point that broadcasts against a tensor of rank `rank`:
/// scalars as they are (the axis does not matter then), 1-D per-axis values
/// reshaped to [C, 1, ..., 1] to line up with `axis`.
FailureOr<Value> perAxis(OpBuilder &b, Location loc, Value param,
                         int64_t axis, int64_t rank) {
  auto type = llvm::cast<RankedTensorType>(param.getType());
  if (type.getRank() == 0 || type.getNumElements() == 1)
    return param;
  FailureOr<int64_t> normalized = normalizeAxis(axis, rank);
  if (failed(normalized) || type.getRank() != 1)
    return failure();
  axis = *normalized;
  SmallVector<int64_t> shape(rank - axis, 1);
  shape[0] = type.getNumElements();
  return reshapeTensor(b, loc, param, type.clone(shape));
}

/// The scale and (optional) zero point of QuantizeLinear/DequantizeLinear,
/// ready to broadcast against a tensor of rank `rank`.
FailureOr<SmallVector<Value>> scaleAndZeroPoint(OpBuilder &b, Location loc,
                                                Value scale, Value zeroPoint,
                                                int64_t axis, int64_t rank) {
  SmallVector<Value> params;
  for (Value param : {scale, zeroPoint}) {
    if (!param)
      continue;
    FailureOr<Value> broadcast = perAxis(b, loc, param, axis, rank);
    if (failed(broadcast))
      return failure();
    params.push_back(*broadcast);
  }
  return params;
}

/// The saturation bounds of an (original, maybe unsigned) integer type.
std::pair<double, double> integerRange(Type type) {
  unsigned width = type.getIntOrFloatBitWidth();
  if (isUnsignedInt(type))
    return {0.0, double((uint64_t(1) << width) - 1)};
  return {-double(int64_t(1) << (width - 1)),
          double((int64_t(1) << (width - 1)) - 1)};
}

/// round_half_even(x / scale) + zero_point, saturated, as `to`.
Value quantize(OpBuilder &b, Location loc, Value x, Value scale,
               Value zeroPoint, Type zeroPointType, Type to) {
  Type f32 = b.getF32Type();
  Value q = math::RoundEvenOp::create(b, loc,
                                      arith::DivFOp::create(b, loc, x, scale));
  if (zeroPoint)
    q = arith::AddFOp::create(
        b, loc, q, castScalar(b, loc, zeroPoint, zeroPointType, f32));
  auto [lo, hi] = integerRange(to);
  q = arith::MaximumFOp::create(b, loc, q, scalarConstant(b, loc, f32, lo));
  q = arith::MinimumFOp::create(b, loc, q, scalarConstant(b, loc, f32, hi));
  return castScalar(b, loc, q, f32, to);
}

struct QuantizeLinearLowering : OpConversionPattern<ONNXQuantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXQuantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static shape");
    int64_t rank = type.getRank(), axis = op.getAxis();
    Location loc = op.getLoc();
    Type xType = elementTypeOf(op.getX());
    Type outType = elementTypeOf(op->getResult(0));
    bool hasZero = !isNone(op.getYZeroPoint());
    Type zeroType = hasZero ? elementTypeOf(op.getYZeroPoint()) : outType;
    auto params = scaleAndZeroPoint(
        rewriter, loc, adaptor.getYScale(),
        hasZero ? adaptor.getYZeroPoint() : Value(), axis, rank);
    if (failed(params))
      return unsupported(op, "scale and zero point must be scalars or 1-D "
                             "along a valid axis");
    SmallVector<Value> inputs{adaptor.getX()};
    llvm::append_range(inputs, *params);
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, inputs,
                [&](OpBuilder &b, Location l, ValueRange a) {
                  Value x = castScalar(b, l, a[0], xType, b.getF32Type());
                  return quantize(b, l, x, a[1], hasZero ? a[2] : Value(),
                                  zeroType, outType);
                }));
    return success();
  }
};

struct DequantizeLinearLowering
    : OpConversionPattern<ONNXDequantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXDequantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static shape");
    int64_t rank = type.getRank(), axis = op.getAxis();
    Location loc = op.getLoc();
    Type xType = elementTypeOf(op.getX());
    bool hasZero = !isNone(op.getXZeroPoint());
    auto params = scaleAndZeroPoint(
        rewriter, loc, adaptor.getXScale(),
        hasZero ? adaptor.getXZeroPoint() : Value(), axis, rank);
    if (failed(params))
      return unsupported(op, "scale and zero point must be scalars or 1-D "
                             "along a valid axis");
    SmallVector<Value> inputs{adaptor.getX()};
    llvm::append_range(inputs, *params);
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, inputs,
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  Type f32 = b.getF32Type();
                  Value x = castScalar(b, l, a[0], xType, f32);
                  if (hasZero)
                    x = arith::SubFOp::create(
                        b, l, x, castScalar(b, l, a[2], xType, f32));
                  return arith::MulFOp::create(b, l, x, a[1]);
                }));
    return success();
  }
};

/// `value - zeroPoint` widened to i32; a 1-D zero point applies along
/// `axis` of the value.
FailureOr<Value> centered(OpBuilder &b, Location loc, Value value,
                          Type valueType, Value zeroPoint, int64_t axis) {
  auto type = llvm::cast<RankedTensorType>(value.getType());
  auto i32Type = type.clone(b.getI32Type());
  SmallVector<Value> inputs{value};
  if (zeroPoint) {
    FailureOr<Value> zp = perAxis(b, loc, zeroPoint, axis, type.getRank());
    if (failed(zp))
      return failure();
    inputs.push_back(*zp);
  }
  return buildElementwise(
      b, loc, i32Type, inputs, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value v = castScalar(nb, l, a[0], valueType, nb.getI32Type());
        if (a.size() == 1)
          return v;
        return Value(arith::SubIOp::create(
            nb, l, v, castScalar(nb, l, a[1], valueType, nb.getI32Type())));
      });
}

Value optional(Value original, Value converted) {
  return isNone(original) ? Value() : converted;
}

struct MatMulIntegerLowering : OpConversionPattern<ONNXMatMulIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXMatMulIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static shape");
    Location loc = op.getLoc();
    // A 1-D zero point of A applies per row, one of B per column.
    int64_t aRank = llvm::cast<RankedTensorType>(adaptor.getA().getType()).getRank();
    int64_t bRank = llvm::cast<RankedTensorType>(adaptor.getB().getType()).getRank();
    FailureOr<Value> lhs =
        centered(rewriter, loc, adaptor.getA(), elementTypeOf(op.getA()),
                 optional(op.getAZeroPoint(), adaptor.getAZeroPoint()),
                 aRank - 2);
    FailureOr<Value> rhs =
        centered(rewriter, loc, adaptor.getB(), elementTypeOf(op.getB()),
                 optional(op.getBZeroPoint(), adaptor.getBZeroPoint()),
                 bRank - 1);
    if (failed(lhs) || failed(rhs))
      return unsupported(op, "zero points must be per tensor, row or column");
    rewriter.replaceOp(op, buildMatMul(rewriter, loc, type, *lhs, *rhs));
    return success();
  }
};

struct QLinearMatMulLowering : OpConversionPattern<ONNXQLinearMatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXQLinearMatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static shape");
    Location loc = op.getLoc();
    int64_t aRank = llvm::cast<RankedTensorType>(adaptor.getA().getType()).getRank();
    int64_t bRank = llvm::cast<RankedTensorType>(adaptor.getB().getType()).getRank();
    FailureOr<Value> lhs = centered(rewriter, loc, adaptor.getA(),
                                    elementTypeOf(op.getA()),
                                    adaptor.getAZeroPoint(), aRank - 2);
    FailureOr<Value> rhs = centered(rewriter, loc, adaptor.getB(),
                                    elementTypeOf(op.getB()),
                                    adaptor.getBZeroPoint(), bRank - 1);
    if (failed(lhs) || failed(rhs))
      return unsupported(op, "zero points must be per tensor, row or column");
    Value product = buildMatMul(rewriter, loc,
                                type.clone(rewriter.getI32Type()), *lhs, *rhs);
    Type outType = elementTypeOf(op->getResult(0));
    Type zeroType = elementTypeOf(op.getYZeroPoint());
    int64_t rank = type.getRank();
    FailureOr<Value> aScale =
        perAxis(rewriter, loc, adaptor.getAScale(), rank - 2, rank);
    FailureOr<Value> bScale =
        perAxis(rewriter, loc, adaptor.getBScale(), rank - 1, rank);
    if (failed(aScale) || failed(bScale))
      return unsupported(op, "scales must be per tensor, per row or per column");
    SmallVector<Value> inputs{product, *aScale, *bScale, adaptor.getYScale(),
                              adaptor.getYZeroPoint()};
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, inputs,
                [&](OpBuilder &b, Location l, ValueRange a) {
                  // y = quantize(acc * a_scale * b_scale, y_scale, y_zp).
                  Type f32 = b.getF32Type();
                  Value acc = arith::SIToFPOp::create(b, l, f32, a[0]);
                  Value real = arith::MulFOp::create(
                      b, l, acc, arith::MulFOp::create(b, l, a[1], a[2]));
                  return quantize(b, l, real, a[3], a[4], zeroType, outType);
                }));
    return success();
  }
};

struct ConvIntegerLowering : OpConversionPattern<ONNXConvIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConvIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    Location loc = op.getLoc();
    // Padding the centered input with 0 pads the original with its zero
    // point, as ONNX specifies.
    FailureOr<Value> x = centered(
        rewriter, loc, adaptor.getX(), elementTypeOf(op.getX()),
        optional(op.getXZeroPoint(), adaptor.getXZeroPoint()), 1);
    FailureOr<Value> w = centered(
        rewriter, loc, adaptor.getW(), elementTypeOf(op.getW()),
        optional(op.getWZeroPoint(), adaptor.getWZeroPoint()), 0);
    if (failed(x) || failed(w))
      return unsupported(op, "zero points must be per tensor or per channel");
    ConvAttributes attrs{op.getStridesAttr(), op.getDilationsAttr(),
                         op.getPadsAttr(), op.getAutoPad(),
                         int64_t(op.getGroup())};
    FailureOr<Value> conv =
        buildConvolution(rewriter, loc, op, *x, *w, Value(), type, attrs);
    if (failed(conv))
      return failure();
    rewriter.replaceOp(op, *conv);
    return success();
  }
};

struct QLinearConvLowering : OpConversionPattern<ONNXQLinearConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXQLinearConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static shape");
    Location loc = op.getLoc();
    FailureOr<Value> x = centered(rewriter, loc, adaptor.getX(),
                                  elementTypeOf(op.getX()),
                                  adaptor.getXZeroPoint(), 1);
    FailureOr<Value> w = centered(rewriter, loc, adaptor.getW(),
                                  elementTypeOf(op.getW()),
                                  adaptor.getWZeroPoint(), 0);
    int64_t rank = type.getRank();
    FailureOr<Value> wScale =
        perAxis(rewriter, loc, adaptor.getWScale(), 1, rank);
    if (failed(x) || failed(w) || failed(wScale))
      return unsupported(op, "zero points and scales must be per tensor or "
                             "per channel");
    ConvAttributes attrs{op.getStridesAttr(), op.getDilationsAttr(),
                         op.getPadsAttr(), op.getAutoPad(),
                         int64_t(op.getGroup())};
    FailureOr<Value> acc = buildConvolution(
        rewriter, loc, op, *x, *w, optional(op.getB(), adaptor.getB()),
        type.clone(rewriter.getI32Type()), attrs);
    if (failed(acc))
      return failure();
    Type outType = elementTypeOf(op->getResult(0));
    Type zeroType = elementTypeOf(op.getYZeroPoint());
    SmallVector<Value> inputs{*acc, adaptor.getXScale(), *wScale,
                              adaptor.getYScale(), adaptor.getYZeroPoint()};
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, type, inputs,
                [&](OpBuilder &b, Location l, ValueRange a) {
                  Type f32 = b.getF32Type();
                  Value real = arith::MulFOp::create(
                      b, l, arith::SIToFPOp::create(b, l, f32, a[0]),
                      arith::MulFOp::create(b, l, a[1], a[2]));
                  return quantize(b, l, real, a[3], a[4], zeroType, outType);
                }));
    return success();
  }
};

} // namespace

void populateQuantizationPatterns(TypeConverter &converter,
                                  RewritePatternSet &patterns) {
  patterns.add<QuantizeLinearLowering, DequantizeLinearLowering,
               MatMulIntegerLowering, QLinearMatMulLowering,
               ConvIntegerLowering, QLinearConvLowering>(
      converter, patterns.getContext());
}

} // namespace onnxc
