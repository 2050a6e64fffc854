//===- Spectral.cpp - DFT and STFT ----------------------------------------===//
//
// Both are the direct O(n^2) transform as one linalg.generic: the output's
// dims (the last one picks the real or imaginary part) plus a reduction
// over the signal index n. The transform length L may be a run-time value
// (DFT's dft_length, STFT's frame_length); the reduction then runs over the
// largest L the static output shape allows and masks n >= L, and the value
// is checked against the shapes at run time.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include <cmath>

using namespace mlir;

namespace onnxc {
namespace {

Value toIndex(OpBuilder &b, Location loc, Value value) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
}

Value f64Of(OpBuilder &b, Location loc, Value index) {
  return arith::SIToFPOp::create(
      b, loc, b.getF64Type(),
      arith::IndexCastOp::create(b, loc, b.getI64Type(), index));
}

/// The contribution of sample (re, im) at index n to bin k of an L-point
/// transform, part `part` (0 real, 1 imaginary): (re + i im) * w^(kn) with
/// w = exp(-+2 pi i / L). k * n is reduced mod L first for accuracy.
Value twiddle(OpBuilder &b, Location loc, Value re, Value im, Value k, Value n,
              Value length, Value part, bool inverse) {
  Value kn = arith::RemUIOp::create(b, loc, arith::MulIOp::create(b, loc, k, n),
                                    length);
  Value theta = arith::DivFOp::create(
      b, loc,
      arith::MulFOp::create(
          b, loc, f64Of(b, loc, kn),
          arith::ConstantOp::create(b, loc, b.getF64FloatAttr(2 * M_PI))),
      f64Of(b, loc, length));
  Value c = math::CosOp::create(b, loc, theta);
  Value s = math::SinOp::create(b, loc, theta);
  if (!inverse)
    s = arith::NegFOp::create(b, loc, s);
  // (re + i im)(c + i s) = (re c - im s) + i (re s + im c)
  Value real = arith::SubFOp::create(b, loc, arith::MulFOp::create(b, loc, re, c),
                                     arith::MulFOp::create(b, loc, im, s));
  Value imag = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, re, s),
                                     arith::MulFOp::create(b, loc, im, c));
  Value isImag = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, part,
                                       indexConstant(b, loc, 1));
  return arith::SelectOp::create(b, loc, isImag, imag, real);
}

/// A sample source: (re, im) in f64 at signal index n of the output point
/// `out` (its dims without the final re/im dim), or zeros when absent.
using SampleReader = llvm::function_ref<std::pair<Value, Value>(
    OpBuilder &, Location, ArrayRef<Value> out, Value n)>;

/// out[..., k, ..., part] = sum_{n < L} sample(n) w^(kn) (divided by L when
/// inverse), the reduction running over n < maxLength.
Value buildTransform(OpBuilder &b, Location loc, RankedTensorType type,
                     int64_t axis, Value length, int64_t maxLength,
                     bool inverse, SampleReader sample) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  Type element = type.getElementType();
  Value init = filledTensor(b, loc, type, scalarConstant(b, loc, element, 0));
  // Only a loop dim for n: the samples are read with tensor.extract.
  auto loopShape = RankedTensorType::get({maxLength}, element);
  Value loopOperand = emptyTensor(b, loc, loopShape);
  SmallVector<AffineMap> maps{
      AffineMap::get(rank + 1, 0, {getAffineDimExpr(rank, ctx)}, ctx),
      AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Value total = linalg::GenericOp::create(
                    b, loc, type, loopOperand, init, maps, iterators,
                    [&](OpBuilder &nb, Location l, ValueRange args) {
                      SmallVector<Value> out;
                      for (int64_t d = 0; d + 1 < rank; ++d)
                        out.push_back(linalg::IndexOp::create(nb, l, d));
                      Value part = linalg::IndexOp::create(nb, l, rank - 1);
                      Value n = linalg::IndexOp::create(nb, l, rank);
                      auto [re, im] = sample(nb, l, out, n);
                      Value term = twiddle(nb, l, re, im, out[axis], n, length,
                                           part, inverse);
                      Value inside = arith::CmpIOp::create(
                          nb, l, arith::CmpIPredicate::ult, n, length);
                      term = arith::SelectOp::create(
                          nb, l, inside, term,
                          arith::ConstantOp::create(nb, l,
                                                    nb.getF64FloatAttr(0)));
                      Value sum = arith::AddFOp::create(
                          nb, l, castScalar(nb, l, args[1], element,
                                            nb.getF64Type()),
                          term);
                      linalg::YieldOp::create(
                          nb, l,
                          castScalar(nb, l, sum, nb.getF64Type(), element));
                    })
                    .getResult(0);
  if (!inverse)
    return total;
  return buildElementwise(
      b, loc, type, total, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value scaled = arith::DivFOp::create(
            nb, l, castScalar(nb, l, args[0], element, nb.getF64Type()),
            f64Of(nb, l, length));
        return castScalar(nb, l, scaled, nb.getF64Type(), element);
      });
}

/// Reads component `part` (0 or 1) of a [..., 1|2] signal at `coords`, in
/// f64; a real signal's imaginary part is 0.
Value readComponent(OpBuilder &b, Location loc, Value signal,
                    SmallVector<Value> coords, int64_t part) {
  auto type = llvm::cast<RankedTensorType>(signal.getType());
  if (part >= type.getShape().back())
    return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(0));
  coords.push_back(indexConstant(b, loc, part));
  Value value = tensor::ExtractOp::create(b, loc, signal, coords);
  return castScalar(b, loc, value, type.getElementType(), b.getF64Type());
}

/// The transform length: a constant, or a run-time scalar checked to be
/// one the output shape allows. `minLength`..`maxLength` are those lengths.
FailureOr<Value> transformLength(ConversionPatternRewriter &rewriter,
                                 Location loc, Operation *op, Value original,
                                 Value converted, int64_t minLength,
                                 int64_t maxLength, StringRef what) {
  if (auto constant = getConstantInts(original); succeeded(constant)) {
    if (constant->size() != 1 || (*constant)[0] < minLength ||
        (*constant)[0] > maxLength)
      return unsupported(op, what + " does not match the output shape");
    return indexConstant(rewriter, loc, (*constant)[0]);
  }
  Value length = toIndex(rewriter, loc, extractScalar(rewriter, loc, converted));
  using P = arith::CmpIPredicate;
  emitRuntimeCheck(
      rewriter, loc,
      arith::AndIOp::create(
          rewriter, loc,
          arith::CmpIOp::create(rewriter, loc, P::sge, length,
                                indexConstant(rewriter, loc, minLength)),
          arith::CmpIOp::create(rewriter, loc, P::sle, length,
                                indexConstant(rewriter, loc, maxLength))),
      what + " gives another output shape than compiled");
  return length;
}

struct DFTLowering : OpConversionPattern<ONNXDFTOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXDFTOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    auto inType = llvm::cast<RankedTensorType>(input.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!inType.hasStaticShape() || !type || !type.hasStaticShape() ||
        type.getRank() != inType.getRank() || type.getShape().back() != 2 ||
        inType.getShape().back() > 2)
      return unsupported(op, "needs static [batch, ..., 1 or 2] shapes");
    int64_t rank = type.getRank();
    int64_t axis = int64_t(op.getAxis());
    if (axis < 0)
      axis += rank;
    if (axis < 1 || axis >= rank - 1)
      return unsupported(op, "the axis must be a signal dim");
    bool inverse = op.getInverse() != 0, onesided = op.getOnesided() != 0;
    if (onesided && inType.getShape().back() == 2)
      return unsupported(op, "onesided needs a real input");
    int64_t bins = type.getDimSize(axis);
    // Lengths whose output has `bins` bins along the axis.
    int64_t minLength = onesided ? 2 * bins - 2 : bins;
    int64_t maxLength = onesided ? 2 * bins - 1 : bins;
    Location loc = op.getLoc();
    Value length = indexConstant(rewriter, loc, inType.getDimSize(axis));
    if (!isNone(op.getDftLength())) {
      FailureOr<Value> given =
          transformLength(rewriter, loc, op, op.getDftLength(),
                          adaptor.getDftLength(), minLength, maxLength,
                          "dft_length");
      if (failed(given))
        return failure();
      length = *given;
    } else if (inType.getDimSize(axis) < minLength ||
               inType.getDimSize(axis) > maxLength) {
      return unsupported(op, "the output shape does not match the input");
    }
    int64_t available = inType.getDimSize(axis);
    auto sample = [&](OpBuilder &b, Location l, ArrayRef<Value> out,
                      Value n) -> std::pair<Value, Value> {
      // Samples past the input are the zero padding.
      Value inside = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, n,
                                           indexConstant(b, l, available));
      SmallVector<Value> coords(out);
      coords[axis] = arith::MinUIOp::create(
          b, l, n, indexConstant(b, l, available - 1));
      Value zero = arith::ConstantOp::create(b, l, b.getF64FloatAttr(0));
      Value re = readComponent(b, l, input, coords, 0);
      Value im = readComponent(b, l, input, coords, 1);
      return {arith::SelectOp::create(b, l, inside, re, zero),
              arith::SelectOp::create(b, l, inside, im, zero)};
    };
    rewriter.replaceOp(op, buildTransform(rewriter, loc, type, axis, length,
                                          maxLength, inverse, sample));
    return success();
  }
};

/// STFT: frame f of batch b is signal[b, f * step + n] * window[n] for
/// n < L; its DFT gives out[b, f, k, :].
struct STFTLowering : OpConversionPattern<ONNXSTFTOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXSTFTOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value signal = adaptor.getSignal();
    auto inType = llvm::cast<RankedTensorType>(signal.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!inType.hasStaticShape() || inType.getRank() != 3 ||
        inType.getDimSize(2) > 2 || !type || !type.hasStaticShape() ||
        type.getRank() != 4 || type.getDimSize(3) != 2)
      return unsupported(op, "needs static [batch, length, 1 or 2] shapes");
    bool onesided = op.getOnesided() != 0;
    if (onesided && inType.getDimSize(2) == 2)
      return unsupported(op, "onesided needs a real signal");
    int64_t frames = type.getDimSize(1), bins = type.getDimSize(2);
    int64_t samples = inType.getDimSize(1);
    int64_t minLength = onesided ? 2 * bins - 2 : bins;
    int64_t maxLength = onesided ? 2 * bins - 1 : bins;
    Location loc = op.getLoc();
    Value window = isNone(op.getWindow()) ? Value() : adaptor.getWindow();
    Value length;
    if (window) {
      auto windowType = llvm::cast<RankedTensorType>(window.getType());
      if (!windowType.hasStaticShape() || windowType.getRank() != 1)
        return unsupported(op, "the window must be a static 1-D tensor");
      int64_t w = windowType.getDimSize(0);
      if (w < minLength || w > maxLength)
        return unsupported(op, "the window does not match the output shape");
      length = indexConstant(rewriter, loc, w);
      maxLength = minLength = w;
    }
    if (!isNone(op.getFrameLength())) {
      FailureOr<Value> given = transformLength(
          rewriter, loc, op, op.getFrameLength(), adaptor.getFrameLength(),
          minLength, maxLength, "frame_length");
      if (failed(given))
        return failure();
      if (length)
        emitRuntimeCheck(rewriter, loc,
                         arith::CmpIOp::create(rewriter, loc,
                                               arith::CmpIPredicate::eq,
                                               length, *given),
                         "STFT: frame_length differs from the window length");
      length = *given;
    }
    if (!length)
      return unsupported(op, "needs a window or a frame_length");
    // frames = (samples - L) / step + 1 must be the compiled count.
    Value step = toIndex(rewriter, loc,
                         extractScalar(rewriter, loc, adaptor.getFrameStep()));
    using P = arith::CmpIPredicate;
    Value positive = arith::CmpIOp::create(rewriter, loc, P::sgt, step,
                                           indexConstant(rewriter, loc, 0));
    Value safeStep = arith::SelectOp::create(rewriter, loc, positive, step,
                                             indexConstant(rewriter, loc, 1));
    Value counted = arith::AddIOp::create(
        rewriter, loc,
        arith::DivSIOp::create(
            rewriter, loc,
            arith::SubIOp::create(rewriter, loc,
                                  indexConstant(rewriter, loc, samples), length),
            safeStep),
        indexConstant(rewriter, loc, 1));
    emitRuntimeCheck(
        rewriter, loc,
        arith::AndIOp::create(
            rewriter, loc, positive,
            arith::CmpIOp::create(rewriter, loc, P::eq, counted,
                                  indexConstant(rewriter, loc, frames))),
        "STFT: frame_step gives another number of frames than compiled");
    auto sample = [&](OpBuilder &b, Location l, ArrayRef<Value> out,
                      Value n) -> std::pair<Value, Value> {
      Value position = arith::AddIOp::create(
          b, l, arith::MulIOp::create(b, l, out[1], safeStep), n);
      Value inside = arith::CmpIOp::create(b, l, P::ult, position,
                                           indexConstant(b, l, samples));
      position = arith::MinUIOp::create(b, l, position,
                                        indexConstant(b, l, samples - 1));
      SmallVector<Value> coords{out[0], position};
      Value zero = arith::ConstantOp::create(b, l, b.getF64FloatAttr(0));
      Value re = readComponent(b, l, signal, coords, 0);
      Value im = readComponent(b, l, signal, coords, 1);
      if (window) {
        Value at = arith::MinUIOp::create(b, l, n,
                                          indexConstant(b, l, maxLength - 1));
        auto windowType = llvm::cast<RankedTensorType>(window.getType());
        Value weight = castScalar(
            b, l, tensor::ExtractOp::create(b, l, window, ValueRange{at}),
            windowType.getElementType(), b.getF64Type());
        re = arith::MulFOp::create(b, l, re, weight);
        im = arith::MulFOp::create(b, l, im, weight);
      }
      return {arith::SelectOp::create(b, l, inside, re, zero),
              arith::SelectOp::create(b, l, inside, im, zero)};
    };
    rewriter.replaceOp(op, buildTransform(rewriter, loc, type, /*axis=*/2,
                                          length, maxLength, /*inverse=*/false,
                                          sample));
    return success();
  }
};

/// MelWeightMatrix: triangular filters between mel-spaced spectrogram bins,
/// as ONNX's reference computes them (f64, bins truncated to integers).
/// The output shape [dft_length / 2 + 1, num_mel_bins] is checked.
struct MelWeightMatrixLowering : OpConversionPattern<ONNXMelWeightMatrixOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXMelWeightMatrixOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || type.getRank() != 2)
      return unsupported(op, "needs a static 2-D result shape");
    Location loc = op.getLoc();
    Type f64 = rewriter.getF64Type();
    auto scalarF64 = [&](Value original, Value converted) {
      return castScalar(rewriter, loc, extractScalar(rewriter, loc, converted),
                        elementTypeOf(original), f64);
    };
    Value mels = toIndex(rewriter, loc,
                         extractScalar(rewriter, loc, adaptor.getNumMelBins()));
    Value dft = toIndex(rewriter, loc,
                        extractScalar(rewriter, loc, adaptor.getDftLength()));
    Value rate = scalarF64(op.getSampleRate(), adaptor.getSampleRate());
    Value lower = scalarF64(op.getLowerEdgeHertz(), adaptor.getLowerEdgeHertz());
    Value upper = scalarF64(op.getUpperEdgeHertz(), adaptor.getUpperEdgeHertz());
    using P = arith::CmpIPredicate;
    Value bins = arith::AddIOp::create(
        rewriter, loc,
        arith::DivUIOp::create(rewriter, loc, dft,
                               indexConstant(rewriter, loc, 2)),
        indexConstant(rewriter, loc, 1));
    emitRuntimeCheck(
        rewriter, loc,
        arith::AndIOp::create(
            rewriter, loc,
            arith::CmpIOp::create(rewriter, loc, P::eq, bins,
                                  indexConstant(rewriter, loc,
                                                type.getDimSize(0))),
            arith::CmpIOp::create(rewriter, loc, P::eq, mels,
                                  indexConstant(rewriter, loc,
                                                type.getDimSize(1)))),
        "MelWeightMatrix: the inputs give another shape than compiled");
    auto c = [&](OpBuilder &b, Location l, double v) -> Value {
      return arith::ConstantOp::create(b, l, b.getF64FloatAttr(v));
    };
    // mel(f) = 2595 log10(1 + f / 700)
    auto toMel = [&](Value hertz) -> Value {
      Value ratio = arith::AddFOp::create(
          rewriter, loc, c(rewriter, loc, 1),
          arith::DivFOp::create(rewriter, loc, hertz, c(rewriter, loc, 700)));
      return arith::MulFOp::create(rewriter, loc, c(rewriter, loc, 2595),
                                   math::Log10Op::create(rewriter, loc, ratio));
    };
    Value low = toMel(lower);
    Value step = arith::DivFOp::create(
        rewriter, loc, arith::SubFOp::create(rewriter, loc, toMel(upper), low),
        f64Of(rewriter, loc,
              arith::AddIOp::create(rewriter, loc, mels,
                                    indexConstant(rewriter, loc, 2))));
    Value dftPlusOne = f64Of(
        rewriter, loc,
        arith::AddIOp::create(rewriter, loc, dft, indexConstant(rewriter, loc, 1)));
    Type resultElement = elementTypeOf(op->getResult(0));
    rewriter.replaceOp(
        op, buildFromIndices(
                rewriter, loc, type,
                [&](OpBuilder &b, Location l, ArrayRef<Value> out) -> Value {
                  // Spectrogram bin of mel point m: the reference's
                  // ((dft + 1) * hertz) // rate, then a truncation to int.
                  auto bin = [&](int64_t offset) -> Value {
                    Value m = f64Of(b, l,
                                    arith::AddIOp::create(
                                        b, l, out[1], indexConstant(b, l, offset)));
                    Value mel = arith::AddFOp::create(
                        b, l, arith::MulFOp::create(b, l, m, step), low);
                    Value hertz = arith::MulFOp::create(
                        b, l, c(b, l, 700),
                        arith::SubFOp::create(
                            b, l,
                            math::PowFOp::create(
                                b, l, c(b, l, 10),
                                arith::DivFOp::create(b, l, mel, c(b, l, 2595))),
                            c(b, l, 1)));
                    Value scaled = math::FloorOp::create(
                        b, l,
                        arith::DivFOp::create(
                            b, l, arith::MulFOp::create(b, l, dftPlusOne, hertz),
                            rate));
                    return arith::FPToSIOp::create(b, l, b.getI64Type(), scaled);
                  };
                  Value left = bin(0), center = bin(1), right = bin(2);
                  Value j = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                                       out[0]);
                  auto cmp = [&](P p, Value x, Value y) -> Value {
                    return arith::CmpIOp::create(b, l, p, x, y);
                  };
                  auto ratio = [&](Value num, Value den) -> Value {
                    return arith::DivFOp::create(
                        b, l, arith::SIToFPOp::create(b, l, b.getF64Type(), num),
                        arith::SIToFPOp::create(b, l, b.getF64Type(), den));
                  };
                  Value zero = c(b, l, 0), one = c(b, l, 1);
                  // Rising edge [left, center], or 1 at center when empty.
                  Value rising = ratio(arith::SubIOp::create(b, l, j, left),
                                       arith::SubIOp::create(b, l, center, left));
                  Value onRise = arith::AndIOp::create(
                      b, l, cmp(P::sge, j, left), cmp(P::sle, j, center));
                  Value flat = cmp(P::eq, left, center);
                  Value value = arith::SelectOp::create(
                      b, l, flat,
                      arith::SelectOp::create(b, l, cmp(P::eq, j, center), one,
                                              zero),
                      arith::SelectOp::create(b, l, onRise, rising, zero));
                  // Falling edge [center, right) overwrites.
                  Value falling = ratio(arith::SubIOp::create(b, l, right, j),
                                        arith::SubIOp::create(b, l, right, center));
                  Value onFall = arith::AndIOp::create(
                      b, l,
                      arith::AndIOp::create(b, l, cmp(P::sge, j, center),
                                            cmp(P::slt, j, right)),
                      cmp(P::sgt, right, center));
                  value = arith::SelectOp::create(b, l, onFall, falling, value);
                  return castScalar(b, l, value, b.getF64Type(), resultElement);
                }));
    return success();
  }
};

} // namespace

void populateSpectralPatterns(TypeConverter &converter,
                              RewritePatternSet &patterns) {
  patterns.add<DFTLowering, STFTLowering, MelWeightMatrixLowering>(
      converter, patterns.getContext());
}

} // namespace onnxc
