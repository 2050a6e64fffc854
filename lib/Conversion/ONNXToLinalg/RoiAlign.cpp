//===- RoiAlign.cpp - RoiAlign (avg, max) ---------------------------------===//
//
// RoiAlign is a linalg.generic over the output (num_rois, C, out_h, out_w).
// Its body reads the region and batch index of its RoI, then samples a grid
// of points in its bin with bilinear interpolation (tensor.extract) in two
// scf.for loops, and averages them or takes their maximum. The grid is
// sampling_ratio^2 points, or, with sampling_ratio 0, ceil(bin size) points
// per axis, which depends on the RoI: a loop bound known only at run time.
// This follows ONNX Runtime and ONNX's reference (including max mode, which
// takes the maximum of the four weighted taps of each sample).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace onnxc {
namespace {

/// An adaptive grid of more points per axis than this is treated as this
/// many: it only bounds the loops for absurd (huge or NaN) RoIs, whose
/// float-to-integer conversion would otherwise be undefined.
constexpr double kMaxGridPoints = 1 << 20;

struct Region {
  Value startY, startX, binH, binW;
  Value gridH, gridW; ///< index-typed sample counts per axis.
};

class RoiAlignBody {
public:
  RoiAlignBody(ONNXRoiAlignOp op, OpBuilder &b, Location loc, Type type,
               int64_t height, int64_t width)
      : op(op), b(b), loc(loc), type(type), height(height), width(width) {}

  Value f(double v) { return scalarConstant(b, loc, type, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value maxnum(Value x, Value y) {
    return arith::MaxNumFOp::create(b, loc, x, y);
  }
  Value minnum(Value x, Value y) {
    return arith::MinNumFOp::create(b, loc, x, y);
  }
  Value cmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }

  /// A float in [0, limit] (NaN becomes 0) as an index.
  Value toIndex(Value x, double limit) {
    x = minnum(maxnum(x, f(0.0)), f(limit));
    return arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        arith::FPToSIOp::create(b, loc, b.getI64Type(), x));
  }

  /// The RoI's start and bin sizes in input coordinates, and its grid.
  Region region(ArrayRef<Value> coords) {
    double scale = op.getSpatialScale().convertToDouble();
    bool halfPixel = op.getCoordinateTransformationMode() == "half_pixel";
    double offset = halfPixel ? 0.5 : 0.0;
    SmallVector<Value> c;
    for (Value v : coords)
      c.push_back(sub(mul(v, f(scale)), f(offset)));
    Value roiW = sub(c[2], c[0]), roiH = sub(c[3], c[1]);
    // output_half_pixel (the legacy mode) forces malformed RoIs to 1x1.
    if (!halfPixel) {
      roiW = maxnum(roiW, f(1.0));
      roiH = maxnum(roiH, f(1.0));
    }
    int64_t outH = op.getOutputHeight(), outW = op.getOutputWidth();
    Region r;
    r.startY = c[1];
    r.startX = c[0];
    r.binH = div(roiH, f(double(outH)));
    r.binW = div(roiW, f(double(outW)));
    int64_t ratio = op.getSamplingRatio();
    if (ratio > 0) {
      r.gridH = r.gridW = indexConstant(b, loc, ratio);
    } else {
      r.gridH = toIndex(math::CeilOp::create(b, loc, r.binH), kMaxGridPoints);
      r.gridW = toIndex(math::CeilOp::create(b, loc, r.binW), kMaxGridPoints);
    }
    return r;
  }

  /// The sample coordinate of grid point `i` (index) of `grid` points in
  /// bin `bin` (index) of size `binSize` starting at `start`.
  Value samplePoint(Value start, Value bin, Value binSize, Value i,
                    Value grid) {
    auto toFloat = [&](Value v) {
      return Value(arith::SIToFPOp::create(
          b, loc, type, arith::IndexCastOp::create(b, loc, b.getI64Type(), v)));
    };
    return add(add(start, mul(toFloat(bin), binSize)),
               div(mul(add(toFloat(i), f(0.5)), binSize), toFloat(grid)));
  }

  /// The taps of one axis at `x`: low and high indices and their weights,
  /// clamped at the last pixel as ONNX Runtime does.
  struct AxisTaps {
    Value low, high, wLow, wHigh;
  };
  AxisTaps axisTaps(Value x, int64_t size) {
    x = maxnum(x, f(0.0));
    Value last = f(double(size - 1));
    Value atEnd =
        cmp(arith::CmpFPredicate::OGE, math::FloorOp::create(b, loc, x), last);
    x = select(atEnd, last, x);
    Value lowF = math::FloorOp::create(b, loc, x);
    Value highF = select(atEnd, last, add(lowF, f(1.0)));
    Value frac = sub(x, lowF);
    return {toIndex(lowF, double(size - 1)), toIndex(highF, double(size - 1)),
            sub(f(1.0), frac), frac};
  }

  /// The four weighted taps of the sample at (y, x), all 0 when the sample
  /// lies more than one pixel outside the input.
  SmallVector<Value> weightedTaps(Value input, Value batch, Value channel,
                                  Value y, Value x) {
    Value outside = arith::OrIOp::create(
        b, loc,
        arith::OrIOp::create(
            b, loc, cmp(arith::CmpFPredicate::OLT, y, f(-1.0)),
            cmp(arith::CmpFPredicate::OGT, y, f(double(height)))),
        arith::OrIOp::create(
            b, loc, cmp(arith::CmpFPredicate::OLT, x, f(-1.0)),
            cmp(arith::CmpFPredicate::OGT, x, f(double(width)))));
    AxisTaps ys = axisTaps(y, height), xs = axisTaps(x, width);
    Type element =
        llvm::cast<RankedTensorType>(input.getType()).getElementType();
    SmallVector<Value> taps;
    using Tap = std::pair<Value, Value>;
    for (auto [row, wy] : {Tap(ys.low, ys.wLow), Tap(ys.high, ys.wHigh)})
      for (auto [col, wx] : {Tap(xs.low, xs.wLow), Tap(xs.high, xs.wHigh)}) {
        Value v = tensor::ExtractOp::create(
            b, loc, input, ValueRange{batch, channel, row, col});
        v = castScalar(b, loc, v, element, type);
        Value w = select(outside, f(0.0), mul(wy, wx));
        taps.push_back(mul(w, v));
      }
    return taps;
  }

  /// The output element at `out` (roi, c, bin y, bin x).
  Value pool(Value input, Value rois, Value batchIndices, ArrayRef<Value> out) {
    Type roiElement =
        llvm::cast<RankedTensorType>(rois.getType()).getElementType();
    SmallVector<Value> box;
    for (int64_t i = 0; i < 4; ++i) {
      Value v = tensor::ExtractOp::create(
          b, loc, rois, ValueRange{out[0], indexConstant(b, loc, i)});
      box.push_back(castScalar(b, loc, v, roiElement, type));
    }
    // A bad batch index is clamped rather than read out of bounds.
    int64_t batches =
        llvm::cast<RankedTensorType>(input.getType()).getDimSize(0);
    Value batch = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        tensor::ExtractOp::create(b, loc, batchIndices, ValueRange{out[0]}));
    batch = arith::MinSIOp::create(
        b, loc, arith::MaxSIOp::create(b, loc, batch, indexConstant(b, loc, 0)),
        indexConstant(b, loc, batches - 1));
    Region r = region(box);
    Value acc = accumulateBin(input, batch, out, r);
    return finish(acc, r);
  }

  /// Sums (avg) or maximizes (max) the weighted taps of every grid point of
  /// the bin at (out[2], out[3]).
  Value accumulateBin(Value input, Value batch, ArrayRef<Value> out,
                      const Region &r) {
    bool isMax = op.getMode() == "max";
    Value init = isMax ? extremeConstant(b, loc, type, true, false) : f(0.0);
    auto rows = scf::ForOp::create(
        b, loc, indexConstant(b, loc, 0), r.gridH, indexConstant(b, loc, 1),
        ValueRange{init},
        [&](OpBuilder &rb, Location rl, Value iy, ValueRange rowArgs) {
          RoiAlignBody row(op, rb, rl, type, height, width);
          Value y = row.samplePoint(r.startY, out[2], r.binH, iy, r.gridH);
          auto cols = scf::ForOp::create(
              rb, rl, indexConstant(rb, rl, 0), r.gridW,
              indexConstant(rb, rl, 1), rowArgs,
              [&](OpBuilder &cb, Location cl, Value ix, ValueRange colArgs) {
                RoiAlignBody col(op, cb, cl, type, height, width);
                Value x =
                    col.samplePoint(r.startX, out[3], r.binW, ix, r.gridW);
                Value acc = colArgs[0];
                for (Value tap : col.weightedTaps(input, batch, out[1], y, x))
                  acc = isMax
                            ? Value(arith::MaximumFOp::create(cb, cl, acc, tap))
                            : col.add(acc, tap);
                scf::YieldOp::create(cb, cl, acc);
              });
          scf::YieldOp::create(rb, rl, cols.getResult(0));
        });
    return rows.getResult(0);
  }

  /// The average (over max(count, 1) samples) or the maximum; a bin without
  /// samples (an empty adaptive grid) is 0, as in the reference.
  Value finish(Value acc, const Region &r) {
    Value zero = indexConstant(b, loc, 0);
    if (op.getMode() == "max") {
      Value any = arith::AndIOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, r.gridH,
                                zero),
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, r.gridW,
                                zero));
      return select(any, acc, f(0.0));
    }
    Value count = arith::MaxSIOp::create(
        b, loc, arith::MulIOp::create(b, loc, r.gridH, r.gridW),
        indexConstant(b, loc, 1));
    return div(acc,
               arith::SIToFPOp::create(
                   b, loc, type,
                   arith::IndexCastOp::create(b, loc, b.getI64Type(), count)));
  }

private:
  ONNXRoiAlignOp op;
  OpBuilder &b;
  Location loc;
  Type type;
  int64_t height, width;
};

struct RoiAlignLowering : OpConversionPattern<ONNXRoiAlignOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ONNXRoiAlignOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getX(), rois = adaptor.getRois(),
          batchIndices = adaptor.getBatchIndices();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto roisType = llvm::cast<RankedTensorType>(rois.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !inputType.hasStaticShape() ||
        !roisType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    if (inputType.getRank() != 4 || roisType.getRank() != 2 ||
        roisType.getDimSize(1) != 4 || type.getRank() != 4)
      return unsupported(op, "needs X (N, C, H, W) and rois (num_rois, 4)");
    int64_t outH = op.getOutputHeight(), outW = op.getOutputWidth();
    if (type.getShape() != ArrayRef<int64_t>{roisType.getDimSize(0),
                                             inputType.getDimSize(1), outH,
                                             outW})
      return unsupported(op, "the result must be (num_rois, C, output_height, "
                             "output_width)");
    StringRef mode = op.getMode();
    if (mode != "avg" && mode != "max")
      return unsupported(op, "unknown mode '" + mode + "'");
    StringRef transform = op.getCoordinateTransformationMode();
    if (transform != "half_pixel" && transform != "output_half_pixel")
      return unsupported(op, "unknown coordinate_transformation_mode '" +
                                 transform + "'");
    int64_t height = inputType.getDimSize(2), width = inputType.getDimSize(3);
    if (inputType.getNumElements() == 0)
      return unsupported(op, "needs a non-empty X");
    Type element = type.getElementType();
    Type computeType = element.isF64() ? Type(rewriter.getF64Type())
                                       : Type(rewriter.getF32Type());
    Value result = buildFromIndices(
        rewriter, op.getLoc(), type,
        [&](OpBuilder &b, Location l, ArrayRef<Value> out) -> Value {
          RoiAlignBody body(op, b, l, computeType, height, width);
          Value value = body.pool(input, rois, batchIndices, out);
          return castScalar(b, l, value, computeType, element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateRoiAlignPatterns(TypeConverter &converter,
                              RewritePatternSet &patterns) {
  patterns.add<RoiAlignLowering>(converter, patterns.getContext());
}

} // namespace onnxc
