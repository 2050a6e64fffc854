//===- GridSample.cpp - GridSample (nearest, bilinear, bicubic) -----------===//
//
// GridSample is a linalg.generic over the output (N, C, H_out, W_out) whose
// body reads the grid's (x, y) for its output pixel, maps it to input
// coordinates, applies the padding mode to the coordinate and then reads 1
// (nearest), 2x2 (bilinear) or 4x4 (bicubic) input pixels with
// tensor.extract, applying the padding mode again to each tap. This follows
// PyTorch's grid_sampler_2d, which ONNX's reference implementation and the
// test data come from. Arithmetic is f32 (f64 when an operand is f64).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

using namespace mlir;

namespace onnxc {
namespace {

enum class Padding { Zeros, Border, Reflection };

/// One spatial axis of the input: its size and the interval in which
/// coordinates are inside (the pixel centers with align_corners, the pixel
/// edges without).
struct Axis {
  int64_t size;
  double low, high;
};

/// The taps of one axis: input indices (clamped into the input so that
/// every read is in bounds), their weights (empty for nearest) and whether
/// each tap lies inside the input (for zero padding).
struct Taps {
  SmallVector<Value> indices;
  SmallVector<Value> weights;
  SmallVector<Value> inside;
};

class GridSampleBody {
public:
  GridSampleBody(OpBuilder &b, Location loc, Type computeType, Padding padding,
                 bool alignCorners)
      : b(b), loc(loc), type(computeType), padding(padding),
        alignCorners(alignCorners) {}

  Value f(double v) { return scalarConstant(b, loc, type, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value cmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }

  Axis axis(int64_t size) {
    if (alignCorners)
      return {size, 0.0, double(size - 1)};
    return {size, -0.5, double(size) - 0.5};
  }

  /// The grid's normalized coordinate in [-1, 1] as an input coordinate.
  Value denormalize(const Axis &a, Value n) {
    Value n1 = add(n, f(1.0));
    if (alignCorners)
      return mul(n1, f(double(a.size - 1) / 2.0));
    return mul(sub(mul(n1, f(double(a.size))), f(1.0)), f(0.5));
  }

  /// Reflects `x` at the borders of `a` until it lies inside them; an even
  /// number of reflections lands at the same offset from the near border,
  /// an odd number at that offset from the far one.
  Value reflect(const Axis &a, Value x) {
    double span = a.high - a.low;
    // A single pixel with align_corners: every coordinate reflects onto it.
    if (span <= 0.0)
      return f(a.low);
    auto fold = [&](Value distance, Value nearBorder, Value farBorder,
                    bool fromLow) {
      Value count = math::TruncOp::create(
          b, loc, arith::DivFOp::create(b, loc, distance, f(span)));
      Value rest = sub(distance, mul(count, f(span)));
      // The parity in floating point: converting a huge or NaN count to an
      // integer would be poison.
      Value half = mul(count, f(0.5));
      Value odd = cmp(arith::CmpFPredicate::UNE,
                      math::FloorOp::create(b, loc, half), half);
      Value even = fromLow ? add(nearBorder, rest) : sub(nearBorder, rest);
      Value oddValue = fromLow ? sub(farBorder, rest) : add(farBorder, rest);
      return select(odd, oddValue, even);
    };
    Value low = f(a.low), high = f(a.high);
    Value below = cmp(arith::CmpFPredicate::OLT, x, low);
    Value above = cmp(arith::CmpFPredicate::OGT, x, high);
    Value fromLow = fold(sub(low, x), low, high, /*fromLow=*/true);
    Value fromHigh = fold(sub(x, high), high, low, /*fromLow=*/false);
    return select(below, fromLow, select(above, fromHigh, x));
  }

  /// Clamps `x` into [low, high]; NaN becomes `low` (maxnum/minnum return
  /// the non-NaN operand), so that indices made from it stay in bounds.
  Value clamp(Value x, double low, double high) {
    return arith::MinNumFOp::create(
        b, loc, arith::MaxNumFOp::create(b, loc, x, f(low)), f(high));
  }

  /// The padding mode applied to the sampling coordinate: coordinates
  /// outside the input move to the border or are reflected into it.
  Value padCoordinate(const Axis &a, Value x) {
    if (padding == Padding::Zeros)
      return x;
    Value outside = arith::OrIOp::create(
        b, loc, cmp(arith::CmpFPredicate::OLT, x, f(a.low)),
        cmp(arith::CmpFPredicate::OGT, x, f(a.high)));
    Value moved = padding == Padding::Border ? clamp(x, 0.0, double(a.size - 1))
                                             : reflect(a, x);
    return select(outside, moved, x);
  }

  Value toIndex(Value x) {
    return arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        arith::FPToSIOp::create(b, loc, b.getI64Type(), x));
  }

  /// Adds the tap at the integral coordinate `x`: zero padding marks it
  /// outside, border clamps it, reflection reflects it (truncating, as the
  /// reference does). The index is clamped in every mode so that a read
  /// never leaves the input, whatever the grid holds (NaN included).
  void addTap(Taps &taps, const Axis &a, Value x, Value weight) {
    if (padding == Padding::Reflection)
      x = reflect(a, x);
    Value inside = arith::AndIOp::create(
        b, loc, cmp(arith::CmpFPredicate::OGE, x, f(0.0)),
        cmp(arith::CmpFPredicate::OLE, x, f(double(a.size - 1))));
    taps.indices.push_back(toIndex(clamp(x, 0.0, double(a.size - 1))));
    taps.inside.push_back(inside);
    if (weight)
      taps.weights.push_back(weight);
  }

  Taps nearest(const Axis &a, Value x) {
    // PyTorch rounds 2-D nearest samples half to even (nearbyint), before
    // the padding mode.
    x = padCoordinate(a, math::RoundEvenOp::create(b, loc, x));
    Taps taps;
    addTap(taps, a, x, Value());
    return taps;
  }

  Taps linear(const Axis &a, Value x) {
    x = padCoordinate(a, x);
    Value base = math::FloorOp::create(b, loc, x);
    Value t = sub(x, base);
    Taps taps;
    addTap(taps, a, base, sub(f(1.0), t));
    addTap(taps, a, add(base, f(1.0)), t);
    return taps;
  }

  /// Keys' cubic convolution with A = -0.75, as PyTorch.
  Taps cubic(const Axis &a, Value x) {
    x = padCoordinate(a, x);
    Value base = math::FloorOp::create(b, loc, x);
    Value t = sub(x, base);
    constexpr double A = -0.75;
    // Distances 1 < d < 2: ((A d - 5A) d + 8A) d - 4A; d <= 1:
    // ((A + 2) d - (A + 3)) d d + 1.
    auto far = [&](Value d) {
      return sub(mul(add(mul(sub(mul(f(A), d), f(5 * A)), d), f(8 * A)), d),
                 f(4 * A));
    };
    auto near = [&](Value d) {
      return add(mul(mul(sub(mul(f(A + 2), d), f(A + 3)), d), d), f(1.0));
    };
    Value one = f(1.0);
    Value weights[4] = {far(add(t, one)), near(t), near(sub(one, t)),
                        far(sub(f(2.0), t))};
    Taps taps;
    for (int64_t k = 0; k < 4; ++k)
      addTap(taps, a, add(base, f(double(k - 1))), weights[k]);
    return taps;
  }

  Taps taps(StringRef mode, const Axis &a, Value x) {
    if (mode == "nearest")
      return nearest(a, x);
    if (mode == "bilinear")
      return linear(a, x);
    return cubic(a, x);
  }

  /// The output element at `out` (n, c, h, w): the grid's (x, y) there, x
  /// indexing the input's width and y its height, then the weighted sum of
  /// the taps (masked outside the input with zero padding).
  Value sample(Value input, Value grid, ArrayRef<Value> out, StringRef mode) {
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    Type element = inputType.getElementType();
    Type gridElement =
        llvm::cast<RankedTensorType>(grid.getType()).getElementType();
    auto gridAt = [&](int64_t component) {
      Value v = tensor::ExtractOp::create(
          b, loc, grid,
          ValueRange{out[0], out[2], out[3], indexConstant(b, loc, component)});
      return castScalar(b, loc, v, gridElement, type);
    };
    Axis xAxis = axis(inputType.getDimSize(3));
    Axis yAxis = axis(inputType.getDimSize(2));
    Taps xs = taps(mode, xAxis, denormalize(xAxis, gridAt(0)));
    Taps ys = taps(mode, yAxis, denormalize(yAxis, gridAt(1)));
    Value result;
    for (size_t i = 0; i < ys.indices.size(); ++i) {
      for (size_t j = 0; j < xs.indices.size(); ++j) {
        Value v = tensor::ExtractOp::create(
            b, loc, input,
            ValueRange{out[0], out[1], ys.indices[i], xs.indices[j]});
        v = castScalar(b, loc, v, element, type);
        if (padding == Padding::Zeros)
          v = select(arith::AndIOp::create(b, loc, ys.inside[i], xs.inside[j]),
                     v, f(0.0));
        if (!xs.weights.empty())
          v = mul(mul(ys.weights[i], xs.weights[j]), v);
        result = result ? add(result, v) : v;
      }
    }
    return castScalar(b, loc, result, type, element);
  }

private:
  OpBuilder &b;
  Location loc;
  Type type;
  Padding padding;
  bool alignCorners;
};

FailureOr<Padding> parsePadding(StringRef mode) {
  if (mode == "zeros")
    return Padding::Zeros;
  if (mode == "border")
    return Padding::Border;
  if (mode == "reflection")
    return Padding::Reflection;
  return failure();
}

struct GridSampleLowering : OpConversionPattern<ONNXGridSampleOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ONNXGridSampleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getX(), grid = adaptor.getGrid();
    auto inputType = llvm::dyn_cast<RankedTensorType>(input.getType());
    auto gridType = llvm::dyn_cast<RankedTensorType>(grid.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !inputType || !gridType || !type.hasStaticShape() ||
        !inputType.hasStaticShape() || !gridType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    if (inputType.getRank() != 4 || gridType.getRank() != 4 ||
        gridType.getDimSize(3) != 2 || type.getRank() != 4)
      return unsupported(op, "only 2-D sampling (4-D X, grid (N, H, W, 2)) "
                             "is supported");
    Type element = inputType.getElementType();
    Type gridElement = gridType.getElementType();
    if (!llvm::isa<FloatType>(element) || !llvm::isa<FloatType>(gridElement) ||
        type.getElementType() != element)
      return unsupported(op, "needs float X and grid");
    StringRef mode = op.getMode();
    if (mode != "nearest" && mode != "bilinear" && mode != "bicubic")
      return unsupported(op, "unknown mode '" + mode + "'");
    FailureOr<Padding> padding = parsePadding(op.getPaddingMode());
    if (failed(padding))
      return unsupported(op,
                         "unknown padding_mode '" + op.getPaddingMode() + "'");
    if (op.getAlignCorners() > 1)
      return unsupported(op, "align_corners must be 0 or 1");

    Type computeType = element.isF64() || gridElement.isF64()
                           ? Type(rewriter.getF64Type())
                           : Type(rewriter.getF32Type());
    Value sampled = buildFromIndices(
        rewriter, op.getLoc(), type,
        [&](OpBuilder &b, Location l, ArrayRef<Value> out) -> Value {
          GridSampleBody body(b, l, computeType, *padding,
                              op.getAlignCorners() != 0);
          return body.sample(input, grid, out, mode);
        });
    rewriter.replaceOp(op, sampled);
    return success();
  }
};

} // namespace

void populateGridSamplePatterns(TypeConverter &converter,
                                RewritePatternSet &patterns) {
  patterns.add<GridSampleLowering>(converter, patterns.getContext());
}

} // namespace onnxc
