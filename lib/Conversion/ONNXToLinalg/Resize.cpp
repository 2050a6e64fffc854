//===- Resize.cpp - Resize (nearest, linear, cubic) -----------------------===//
//
// Resize is a linalg.generic over the output whose body maps each output
// coordinate back to the input (the coordinate transformation mode), then
// reads one (nearest), 2 (linear) or 4 (cubic) input elements per resized
// dim and blends them. Scales given as a run-time input are read in the
// body; sizes give the scale out/in at compile time.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

using namespace mlir;

namespace onnxc {
namespace {

/// One resized dim: where its scale comes from, and the taps it reads.
struct Axis {
  int64_t dim, in, out;
  Value scale; ///< f32, valid inside the body.
};

struct Taps {
  SmallVector<Value> indices; ///< index-typed, clamped to the input.
  SmallVector<Value> weights; ///< f32; empty for nearest.
  Value outside;              ///< i1: the coordinate lies outside (crop).
};

class ResizeBody {
public:
  ResizeBody(ONNXResizeOp op, OpBuilder &b, Location loc)
      : op(op), b(b), loc(loc), f32(b.getF32Type()) {}

  Value f(double v) { return scalarConstant(b, loc, f32, v); }
  Value idx(int64_t v) { return indexConstant(b, loc, v); }

  /// The input coordinate of output index `o` along `axis`.
  Value coordinate(const Axis &axis, Value o, Value roiStart, Value roiEnd) {
    StringRef mode = op.getCoordinateTransformationMode();
    Value x = arith::UIToFPOp::create(
        b, loc, f32, arith::IndexCastOp::create(b, loc, b.getI64Type(), o));
    Value half = f(0.5);
    auto div = [&](Value v) {
      return Value(arith::DivFOp::create(b, loc, v, axis.scale));
    };
    if (mode == "asymmetric")
      return div(x);
    if (mode == "tf_half_pixel_for_nn")
      return div(arith::AddFOp::create(b, loc, x, half));
    if (mode == "align_corners") {
      // ONNX scales by (in - 1) / (in * scale - 1): the resized length
      // before rounding down, which differs from the output size when a
      // scale is given.
      if (axis.out == 1)
        return f(0.0);
      Value length = arith::MulFOp::create(b, loc, f(double(axis.in)),
                                           axis.scale);
      return arith::DivFOp::create(
          b, loc, arith::MulFOp::create(b, loc, x, f(double(axis.in - 1))),
          arith::SubFOp::create(b, loc, length, f(1.0)));
    }
    if (mode == "tf_crop_and_resize") {
      Value span = arith::SubFOp::create(b, loc, roiEnd, roiStart);
      Value inMinus1 = f(double(axis.in - 1));
      if (axis.out == 1)
        return arith::MulFOp::create(
            b, loc,
            arith::MulFOp::create(
                b, loc, arith::AddFOp::create(b, loc, roiStart, roiEnd), half),
            inMinus1);
      Value step = arith::DivFOp::create(
          b, loc, arith::MulFOp::create(b, loc, span, inMinus1),
          f(double(axis.out - 1)));
      return arith::AddFOp::create(
          b, loc, arith::MulFOp::create(b, loc, roiStart, inMinus1),
          arith::MulFOp::create(b, loc, x, step));
    }
    // half_pixel and pytorch_half_pixel.
    Value centered =
        arith::SubFOp::create(b, loc, div(arith::AddFOp::create(b, loc, x, half)),
                              half);
    if (mode == "pytorch_half_pixel" && axis.out == 1)
      return f(0.0);
    return centered;
  }

  Value clampIndex(Value i, int64_t size) {
    i = arith::MaxSIOp::create(b, loc, i, idx(0));
    return arith::MinSIOp::create(b, loc, i, idx(size - 1));
  }

  Value toIndex(Value v) {
    return arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        arith::FPToSIOp::create(b, loc, b.getI64Type(), v));
  }

  Taps nearest(const Axis &axis, Value x) {
    StringRef mode = op.getNearestMode();
    Value rounded;
    if (mode == "floor")
      rounded = math::FloorOp::create(b, loc, x);
    else if (mode == "ceil")
      rounded = math::CeilOp::create(b, loc, x);
    else if (mode == "round_prefer_ceil")
      rounded = math::FloorOp::create(b, loc,
                                      arith::AddFOp::create(b, loc, x, f(0.5)));
    else // round_prefer_floor
      rounded = math::CeilOp::create(b, loc,
                                     arith::SubFOp::create(b, loc, x, f(0.5)));
    return {{clampIndex(toIndex(rounded), axis.in)}, {}, {}};
  }

  Taps linear(const Axis &axis, Value x) {
    Value base = math::FloorOp::create(b, loc, x);
    Value t = arith::SubFOp::create(b, loc, x, base);
    Value i0 = toIndex(base);
    Value i1 = arith::AddIOp::create(b, loc, i0, idx(1));
    return {{clampIndex(i0, axis.in), clampIndex(i1, axis.in)},
            {arith::SubFOp::create(b, loc, f(1.0), t), t},
            {}};
  }

  /// Keys' cubic convolution weights with coefficient A; with
  /// exclude_outside, taps outside the input get weight 0 and the rest are
  /// renormalized.
  Taps cubic(const Axis &axis, Value x) {
    double a = op.getCubicCoeffA().convertToDouble();
    Value base = math::FloorOp::create(b, loc, x);
    Value t = arith::SubFOp::create(b, loc, x, base);
    Value i0 = toIndex(base);
    auto mul = [&](Value p, Value q) {
      return Value(arith::MulFOp::create(b, loc, p, q));
    };
    auto add = [&](Value p, Value q) {
      return Value(arith::AddFOp::create(b, loc, p, q));
    };
    auto sub = [&](Value p, Value q) {
      return Value(arith::SubFOp::create(b, loc, p, q));
    };
    // Distances 1 < d < 2: ((A d - 5A) d + 8A) d - 4A; d <= 1:
    // ((A + 2) d - (A + 3)) d d + 1.
    auto far = [&](Value d) {
      return sub(mul(add(mul(sub(mul(f(a), d), f(5 * a)), d), f(8 * a)), d),
                 f(4 * a));
    };
    auto near = [&](Value d) {
      return add(mul(mul(sub(mul(f(a + 2), d), f(a + 3)), d), d), f(1.0));
    };
    Value one = f(1.0);
    SmallVector<Value> weights{far(add(t, one)), near(t), near(sub(one, t)),
                               far(sub(f(2.0), t))};
    Taps taps;
    Value total = f(0.0);
    for (int64_t k = 0; k < 4; ++k) {
      Value i = arith::AddIOp::create(b, loc, i0, idx(k - 1));
      if (op.getExcludeOutside()) {
        Value inside = arith::AndIOp::create(
            b, loc,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, i, idx(0)),
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i,
                                  idx(axis.in)));
        weights[k] = arith::SelectOp::create(b, loc, inside, weights[k], f(0.0));
        total = add(total, weights[k]);
      }
      taps.indices.push_back(clampIndex(i, axis.in));
    }
    if (op.getExcludeOutside())
      for (Value &w : weights)
        w = arith::DivFOp::create(b, loc, w, total);
    taps.weights = weights;
    return taps;
  }

private:
  ONNXResizeOp op;
  OpBuilder &b;
  Location loc;
  Type f32;
};

struct ResizeLowering : OpConversionPattern<ONNXResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ONNXResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getX();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !inputType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    StringRef mode = op.getMode();
    if (mode != "nearest" && mode != "linear" && mode != "cubic")
      return unsupported(op, "unknown mode '" + mode + "'");
    Type element = type.getElementType();
    if (mode != "nearest" && !llvm::isa<FloatType>(element))
      return unsupported(op, "linear and cubic modes need float data");
    bool crop = op.getCoordinateTransformationMode() == "tf_crop_and_resize";
    if (crop && isNone(op.getRoi()))
      return unsupported(op, "tf_crop_and_resize needs roi");

    int64_t rank = type.getRank();
    // Run-time scales (a non-empty scales input) resize every dim; with
    // sizes, only dims whose size changes are resized.
    bool runtimeScales = false;
    if (!isNone(op.getScales())) {
      auto scalesType = llvm::cast<RankedTensorType>(op.getScales().getType());
      runtimeScales = scalesType.hasStaticShape() &&
                      scalesType.getNumElements() == rank;
    }
    FailureOr<SmallVector<double>> constantScales = failure();
    if (runtimeScales)
      constantScales = getConstantFloats(op.getScales());
    if (succeeded(constantScales))
      runtimeScales = false;

    Location loc = op.getLoc();
    Value scalesTensor = runtimeScales ? adaptor.getScales() : Value();
    Value roiTensor = crop ? adaptor.getRoi() : Value();
    Value resized = buildFromIndices(
        rewriter, loc, type,
        [&](OpBuilder &b, Location l, ArrayRef<Value> out) -> Value {
          ResizeBody body(op, b, l);
          auto extract1D = [&](Value tensor, int64_t i) -> Value {
            Value v = tensor::ExtractOp::create(b, l, tensor,
                                                ValueRange{body.idx(i)});
            return castScalar(b, l, v, v.getType(), b.getF32Type());
          };
          // Per dim: the taps and weights, or the output index itself.
          SmallVector<Taps> taps(rank);
          SmallVector<bool> resized(rank, false);
          Value outside = arith::ConstantOp::create(b, l, b.getBoolAttr(false));
          for (int64_t d = 0; d < rank; ++d) {
            int64_t in = inputType.getDimSize(d), o = type.getDimSize(d);
            Axis axis{d, in, o, Value()};
            if (runtimeScales)
              axis.scale = extract1D(scalesTensor, d);
            else if (succeeded(constantScales))
              axis.scale = body.f((*constantScales)[d]);
            else
              axis.scale = body.f(double(o) / double(in));
            bool identity =
                !runtimeScales && !crop && in == o &&
                (failed(constantScales) || (*constantScales)[d] == 1.0);
            if (identity) {
              taps[d].indices = {out[d]};
              continue;
            }
            resized[d] = true;
            Value start, end;
            if (crop) {
              start = extract1D(roiTensor, d);
              end = extract1D(roiTensor, d + rank);
            }
            Value x = body.coordinate(axis, out[d], start, end);
            if (crop)
              outside = arith::OrIOp::create(
                  b, l, outside,
                  arith::OrIOp::create(
                      b, l,
                      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                            x, body.f(0.0)),
                      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                            x, body.f(double(in - 1)))));
            taps[d] = mode == "nearest"  ? body.nearest(axis, x)
                      : mode == "linear" ? body.linear(axis, x)
                                         : body.cubic(axis, x);
          }
          // Sum over every combination of taps (one per dim).
          Value result;
          SmallVector<int64_t> choice(rank, 0);
          while (true) {
            SmallVector<Value> coords;
            Value weight;
            for (int64_t d = 0; d < rank; ++d) {
              coords.push_back(taps[d].indices[choice[d]]);
              if (!taps[d].weights.empty())
                weight = weight ? Value(arith::MulFOp::create(
                                      b, l, weight, taps[d].weights[choice[d]]))
                                : taps[d].weights[choice[d]];
            }
            Value v = tensor::ExtractOp::create(b, l, input, coords);
            if (weight) {
              Value w = castScalar(b, l, weight, b.getF32Type(), element);
              v = arith::MulFOp::create(b, l, v, w);
              result = result ? Value(arith::AddFOp::create(b, l, result, v))
                              : v;
            } else {
              result = v;
            }
            int64_t d = rank - 1;
            while (d >= 0 && ++choice[d] == int64_t(taps[d].indices.size()))
              choice[d--] = 0;
            if (d < 0)
              break;
          }
          if (crop) {
            double extrapolation = op.getExtrapolationValue().convertToDouble();
            result = arith::SelectOp::create(
                b, l, outside, scalarConstant(b, l, element, extrapolation),
                result);
          }
          return result;
        });
    rewriter.replaceOp(op, resized);
    return success();
  }
};

} // namespace

void populateResizePatterns(TypeConverter &converter,
                            RewritePatternSet &patterns) {
  patterns.add<ResizeLowering>(converter, patterns.getContext());
}

} // namespace onnxc
