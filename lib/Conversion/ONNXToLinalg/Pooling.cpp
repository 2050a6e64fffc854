//===- Pooling.cpp - MaxPool, AveragePool and global pooling --------------===//
//
// Windowed pooling is a linalg.generic over (n, c, out spatial..., kernel
// spatial...) with the kernel dims as reductions; a tensor of the kernel's
// shape is passed as an extra, unread operand so that linalg can derive the
// kernel loop bounds (as linalg's named pooling ops do). AveragePool divides
// by a per-position element count computed at compile time, which handles
// count_include_pad and ceil_mode exactly.
//
//===----------------------------------------------------------------------===//

#include "Window.h"

using namespace mlir;

namespace onnxc {
namespace {

/// Reduces windows of `padded` into `init` (shape N, C, out...).
Value poolWindows(OpBuilder &b, Location loc, Value padded, Value init,
                  const Window &window, const Combiner &combine) {
  MLIRContext *ctx = b.getContext();
  auto initType = llvm::cast<RankedTensorType>(init.getType());
  int64_t spatial = window.kernel.size();
  unsigned numDims = 2 + 2 * spatial;
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inExprs{d(0), d(1)};
  llvm::append_range(inExprs, windowExprs(ctx, window, 2, 2 + spatial));
  SmallVector<AffineExpr> kernelExprs, outExprs{d(0), d(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    kernelExprs.push_back(d(2 + spatial + i));
    outExprs.push_back(d(2 + i));
  }
  Value kernel = tensor::EmptyOp::create(b, loc, window.kernel,
                                         initType.getElementType());
  SmallVector<AffineMap> maps{AffineMap::get(numDims, 0, inExprs, ctx),
                              AffineMap::get(numDims, 0, kernelExprs, ctx),
                              AffineMap::get(numDims, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(numDims,
                                             utils::IteratorType::parallel);
  for (unsigned i = 2 + spatial; i < numDims; ++i)
    iterators[i] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, initType, ValueRange{padded, kernel}, init, maps,
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc,
                                       combine(nb, nloc, args[0], args[2]));
             })
      .getResult(0);
}

/// Pads with explicit and ceil_mode padding alike.
Value padForWindow(OpBuilder &b, Location loc, Value input,
                   const Window &window, Value padValue) {
  SmallVector<int64_t> end(window.padEnd);
  for (size_t i = 0; i < end.size(); ++i)
    end[i] += window.extraEnd[i];
  return padSpatial(b, loc, input, window.padBegin, end, padValue);
}

template <typename OpTy>
FailureOr<Window> windowOf(OpTy op, RankedTensorType inputType,
                           RankedTensorType resultType) {
  SmallVector<int64_t> kernel;
  for (Attribute a : op.getKernelShapeAttr())
    kernel.push_back(llvm::cast<IntegerAttr>(a).getInt());
  ArrayAttr dilations;
  if constexpr (std::is_same_v<OpTy, ONNXMaxPoolOp>)
    dilations = op.getDilationsAttr();
  return computeWindow(inputType.getShape(), resultType.getShape(), kernel,
                       op.getStridesAttr(), dilations, op.getPadsAttr(),
                       op.getAutoPad());
}

struct MaxPoolLowering : OpConversionPattern<ONNXMaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXMaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isNone(op->getResult(1)) && !op->getResult(1).use_empty())
      return unsupported(op, "the Indices output is not "
                                             "supported");
    Value input = adaptor.getX();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !inputType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    FailureOr<Window> window = windowOf(op, inputType, type);
    if (failed(window))
      return unsupported(op, "unsupported window");
    Location loc = op.getLoc();
    Type element = type.getElementType();
    bool isUnsigned = isUnsignedInt(elementTypeOf(op.getX()));
    Value lowest = extremeConstant(rewriter, loc, element, true, isUnsigned);
    Value padded = padForWindow(rewriter, loc, input, *window, lowest);
    Value init = filledTensor(rewriter, loc, type, lowest);
    Value result = poolWindows(
        rewriter, loc, padded, init, *window,
        [&](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          if (llvm::isa<FloatType>(x.getType()))
            return arith::MaximumFOp::create(b, l, acc, x);
          if (isUnsigned)
            return arith::MaxUIOp::create(b, l, acc, x);
          return arith::MaxSIOp::create(b, l, acc, x);
        });
    SmallVector<Value> results{result};
    // The absent Indices output stays an absent value.
    if (op->getNumResults() > 1)
      results.push_back(
          ONNXNoValueOp::create(rewriter, loc, rewriter.getNoneType()));
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// The number of input elements (or, with count_include_pad, of input and
/// explicit padding elements) that each output position averages.
DenseElementsAttr averageCounts(RankedTensorType type, const Window &window,
                                ArrayRef<int64_t> inputShape,
                                bool countPad) {
  int64_t spatial = window.kernel.size();
  SmallVector<SmallVector<int64_t>> perDim;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t lo = countPad ? -window.padBegin[i] : 0;
    int64_t hi = inputShape[i + 2] + (countPad ? window.padEnd[i] : 0);
    SmallVector<int64_t> counts;
    for (int64_t o = 0; o < type.getDimSize(i + 2); ++o) {
      int64_t count = 0;
      for (int64_t k = 0; k < window.kernel[i]; ++k) {
        int64_t pos = o * window.strides[i] + k * window.dilations[i] -
                      window.padBegin[i];
        count += pos >= lo && pos < hi;
      }
      counts.push_back(std::max<int64_t>(count, 1));
    }
    perDim.push_back(counts);
  }
  SmallVector<int64_t> shape{1, 1};
  for (int64_t i = 0; i < spatial; ++i)
    shape.push_back(type.getDimSize(i + 2));
  auto countType = RankedTensorType::get(shape, type.getElementType());
  SmallVector<Attribute> values;
  int64_t total = countType.getNumElements();
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rest = flat, count = 1;
    for (int64_t i = spatial - 1; i >= 0; --i) {
      int64_t size = shape[i + 2];
      count *= perDim[i][rest % size];
      rest /= size;
    }
    values.push_back(FloatAttr::get(type.getElementType(), double(count)));
  }
  return DenseElementsAttr::get(countType, values);
}

struct AveragePoolLowering : OpConversionPattern<ONNXAveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXAveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getX();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !inputType.hasStaticShape() ||
        !llvm::isa<FloatType>(type.getElementType()))
      return unsupported(op, "needs static float shapes");
    FailureOr<Window> window = windowOf(op, inputType, type);
    if (failed(window))
      return unsupported(op, "unsupported window");
    Location loc = op.getLoc();
    Value zero = scalarConstant(rewriter, loc, type.getElementType(), 0.0);
    Value padded = padForWindow(rewriter, loc, input, *window, zero);
    Value sums = poolWindows(
        rewriter, loc, padded, filledTensor(rewriter, loc, type, zero),
        *window, [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          return arith::AddFOp::create(b, l, acc, x);
        });
    Value counts = arith::ConstantOp::create(
        rewriter, loc,
        averageCounts(type, *window, inputType.getShape(),
                      op.getCountIncludePad() != 0));
    rewriter.replaceOp(
        op, buildElementwise(rewriter, loc, type, ValueRange{sums, counts},
                             [](OpBuilder &b, Location l, ValueRange a) {
                               return Value(
                                   arith::DivFOp::create(b, l, a[0], a[1]));
                             }));
    return success();
  }
};

/// GlobalAveragePool and GlobalMaxPool reduce all spatial dims.
template <typename OpTy, bool isMax>
struct GlobalPoolLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getX();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto type = convertTensorType(*this->getTypeConverter(),
                                  op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !inputType.hasStaticShape() ||
        !llvm::isa<FloatType>(type.getElementType()))
      return unsupported(op, "needs static float shapes");
    Location loc = op.getLoc();
    Type element = type.getElementType();
    SmallVector<int64_t> axes;
    int64_t count = 1;
    for (int64_t d = 2; d < inputType.getRank(); ++d) {
      axes.push_back(d);
      count *= inputType.getDimSize(d);
    }
    Value init = isMax ? extremeConstant(rewriter, loc, element, true, false)
                       : scalarConstant(rewriter, loc, element, 0.0);
    Value reduced = buildReductionKeepDims(
        rewriter, loc, input, axes, init,
        [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          if (isMax)
            return arith::MaximumFOp::create(b, l, acc, x);
          return arith::AddFOp::create(b, l, acc, x);
        });
    if (!isMax)
      reduced = buildElementwise(
          rewriter, loc, type, reduced,
          [&](OpBuilder &b, Location l, ValueRange a) {
            return Value(arith::DivFOp::create(
                b, l, a[0], scalarConstant(b, l, element, double(count))));
          });
    rewriter.replaceOp(op, reduced);
    return success();
  }
};

} // namespace

void populatePoolingPatterns(TypeConverter &converter,
                             RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, AveragePoolLowering,
               GlobalPoolLowering<ONNXGlobalAveragePoolOp, false>,
               GlobalPoolLowering<ONNXGlobalMaxPoolOp, true>>(
      converter, patterns.getContext());
}

} // namespace onnxc
