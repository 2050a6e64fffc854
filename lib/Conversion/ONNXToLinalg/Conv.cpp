//===- Conv.cpp - Conv (1-D, 2-D, 3-D, grouped) to linalg -----------------===//
//
// Conv lowers to one linalg.generic over the iteration space
// (n, group, out-channel-in-group, out spatial..., in-channel-in-group,
// kernel spatial...), reading a zero-padded input. Groups and channels are
// split with reshapes so that every indexing map is a projected permutation
// plus the strided window expressions; the bias initializes the accumulator.
//
//===----------------------------------------------------------------------===//

#include "Window.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace onnxc {
namespace {

/// How a (grouped) convolution reads its input and weight. Output position
/// o and kernel position k read input position
/// o * stride + offset + k * dilation.
struct ConvSpec {
  int64_t groups = 1;
  /// ConvTranspose: the weight is [C, M/g, K...] and read spatially flipped.
  bool transposed = false;
  SmallVector<int64_t> strides, offsets, dilations;
};

/// One linalg.generic over (n, group, out-channel-in-group, out spatial...,
/// in-channel-in-group, kernel spatial...), reading the (already padded)
/// input; channels are split into groups with reshapes so that every
/// indexing map stays simple, and the bias initializes the accumulator.
Value buildGroupedConv(OpBuilder &b, Location loc, Value padded, Value weight,
                       Value bias, RankedTensorType resultType,
                       const ConvSpec &spec) {
  MLIRContext *ctx = b.getContext();
  auto paddedType = llvm::cast<RankedTensorType>(padded.getType());
  auto weightType = llvm::cast<RankedTensorType>(weight.getType());
  Type element = resultType.getElementType();
  int64_t spatial = paddedType.getRank() - 2;
  int64_t groups = spec.groups;
  int64_t cg = paddedType.getDimSize(1) / groups;
  int64_t mg = resultType.getDimSize(1) / groups;
  ArrayRef<int64_t> kernel = weightType.getShape().drop_front(2);

  SmallVector<int64_t> inShape{paddedType.getDimSize(0), groups, cg};
  llvm::append_range(inShape, paddedType.getShape().drop_front(2));
  Value groupedInput = reshapeTensor(b, loc, padded, paddedType.clone(inShape));
  SmallVector<int64_t> wShape =
      spec.transposed ? SmallVector<int64_t>{groups, cg, mg}
                      : SmallVector<int64_t>{groups, mg, cg};
  llvm::append_range(wShape, kernel);
  // A constant weight is stored output-channel innermost, [g, c, k..., m]:
  // then consecutive output channels are consecutive in memory, and a
  // micro-kernel can vectorize along them (vectorize-contractions picks
  // them when the output rows are too short for full vectors).
  DenseElementsAttr constantWeight;
  Value groupedWeight;
  bool channelsLast = false;
  if (!spec.transposed && mg > 1 && matchPattern(weight, m_Constant(&constantWeight))) {
    SmallVector<int64_t> perm{0, 2};
    for (int64_t i = 0; i < spatial; ++i)
      perm.push_back(3 + i);
    perm.push_back(1);
    if (DenseElementsAttr packed = permuteConstant(constantWeight, wShape, perm)) {
      groupedWeight = arith::ConstantOp::create(b, loc, packed);
      channelsLast = true;
    }
  }
  if (!groupedWeight)
    groupedWeight = reshapeTensor(b, loc, weight, weightType.clone(wShape));
  SmallVector<int64_t> outShape{resultType.getDimSize(0), groups, mg};
  llvm::append_range(outShape, resultType.getShape().drop_front(2));
  auto outType = resultType.clone(outShape);
  int64_t outRank = outType.getRank();

  // Accumulator: zeros, or the bias broadcast along n and spatial dims.
  Value init = filledTensor(b, loc, outType, scalarConstant(b, loc, element, 0));
  if (bias) {
    Value groupedBias = reshapeTensor(
        b, loc, bias, RankedTensorType::get({groups, mg}, element));
    SmallVector<AffineMap> maps{
        AffineMap::get(outRank, 0,
                       {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx),
        b.getMultiDimIdentityMap(outRank)};
    init = linalg::GenericOp::create(
               b, loc, outType, groupedBias, init, maps,
               SmallVector<utils::IteratorType>(outRank,
                                                utils::IteratorType::parallel),
               [](OpBuilder &nb, Location l, ValueRange args) {
                 linalg::YieldOp::create(nb, l, args[0]);
               })
               .getResult(0);
  }

  // Iteration dims: n, g, m, out..., c, k...
  unsigned numDims = 3 + spatial + 1 + spatial;
  unsigned firstOut = 3, cDim = 3 + spatial, firstKernel = 4 + spatial;
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inExprs{d(0), d(1), d(cDim)};
  SmallVector<AffineExpr> wExprs =
      spec.transposed || channelsLast
          ? SmallVector<AffineExpr>{d(1), d(cDim)}
          : SmallVector<AffineExpr>{d(1), d(2), d(cDim)};
  if (spec.transposed)
    wExprs.push_back(d(2));
  SmallVector<AffineExpr> outExprs{d(0), d(1), d(2)}, kernelExprs;
  for (int64_t i = 0; i < spatial; ++i) {
    inExprs.push_back(d(firstOut + i) * spec.strides[i] + spec.offsets[i] +
                      d(firstKernel + i) * spec.dilations[i]);
    wExprs.push_back(spec.transposed
                         ? getAffineConstantExpr(kernel[i] - 1, ctx) -
                               d(firstKernel + i)
                         : d(firstKernel + i));
    outExprs.push_back(d(firstOut + i));
    kernelExprs.push_back(d(firstKernel + i));
  }
  if (channelsLast)
    wExprs.push_back(d(2));
  SmallVector<Value> inputs{groupedInput, groupedWeight};
  SmallVector<AffineMap> maps{AffineMap::get(numDims, 0, inExprs, ctx),
                              AffineMap::get(numDims, 0, wExprs, ctx)};
  if (spec.transposed) {
    // A flipped kernel index does not bound its loop; a kernel-shaped
    // operand does (as for pooling).
    inputs.push_back(tensor::EmptyOp::create(b, loc, kernel, element));
    maps.push_back(AffineMap::get(numDims, 0, kernelExprs, ctx));
  }
  maps.push_back(AffineMap::get(numDims, 0, outExprs, ctx));
  SmallVector<utils::IteratorType> iterators(numDims,
                                             utils::IteratorType::parallel);
  for (unsigned i = cDim; i < numDims; ++i)
    iterators[i] = utils::IteratorType::reduction;
  Value conv =
      linalg::GenericOp::create(
          b, loc, outType, inputs, init, maps, iterators,
          [](OpBuilder &nb, Location l, ValueRange args) {
            Value acc = args.back(), sum;
            if (llvm::isa<FloatType>(acc.getType()))
              sum = arith::AddFOp::create(
                  nb, l, acc, arith::MulFOp::create(nb, l, args[0], args[1]));
            else
              sum = arith::AddIOp::create(
                  nb, l, acc, arith::MulIOp::create(nb, l, args[0], args[1]));
            linalg::YieldOp::create(nb, l, sum);
          })
          .getResult(0);
  return reshapeTensor(b, loc, conv, resultType);
}

} // namespace

FailureOr<Value> buildConvolution(OpBuilder &b, Location loc, Operation *op,
                                  Value input, Value weight, Value bias,
                                  RankedTensorType resultType,
                                  const ConvAttributes &attrs) {
  auto inputType = llvm::cast<RankedTensorType>(input.getType());
  auto weightType = llvm::cast<RankedTensorType>(weight.getType());
  if (!resultType || !resultType.hasStaticShape() ||
      !inputType.hasStaticShape() || !weightType.hasStaticShape())
    return unsupported(op, "needs static shapes");
  int64_t groups = attrs.group;
  int64_t spatial = inputType.getRank() - 2;
  int64_t channels = inputType.getDimSize(1);
  int64_t outChannels = weightType.getDimSize(0);
  if (groups <= 0 || channels % groups || outChannels % groups ||
      weightType.getDimSize(1) != channels / groups)
    return unsupported(op, "inconsistent group count");
  FailureOr<Window> window = computeWindow(
      inputType.getShape(), resultType.getShape(),
      weightType.getShape().drop_front(2), attrs.strides, attrs.dilations,
      attrs.pads, attrs.autoPad);
  if (failed(window))
    return unsupported(op, "unsupported window attributes");
  Value zero = scalarConstant(b, loc, inputType.getElementType(), 0.0);
  SmallVector<int64_t> end(window->padEnd);
  for (int64_t i = 0; i < spatial; ++i)
    end[i] += window->extraEnd[i];
  Value padded = padSpatial(b, loc, input, window->padBegin, end, zero);
  ConvSpec spec;
  spec.groups = groups;
  spec.strides = window->strides;
  spec.dilations = window->dilations;
  spec.offsets.assign(spatial, 0);
  return buildGroupedConv(b, loc, padded, weight, bias, resultType, spec);
}

namespace {

struct ConvLowering : OpConversionPattern<ONNXConvOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ONNXConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!resultType || !llvm::isa<FloatType>(resultType.getElementType()))
      return unsupported(op, "needs a float result");
    ValueRange operands = adaptor.getOperands();
    Value bias = isNone(op->getOperand(2)) ? Value() : operands[2];
    ConvAttributes attrs{op.getStridesAttr(), op.getDilationsAttr(),
                         op.getPadsAttr(), op.getAutoPad(),
                         int64_t(op.getGroup())};
    FailureOr<Value> conv =
        buildConvolution(rewriter, op.getLoc(), op, operands[0], operands[1],
                         bias, resultType, attrs);
    if (failed(conv))
      return failure();
    rewriter.replaceOp(op, *conv);
    return success();
  }
};

/// ConvTranspose as a convolution: insert stride - 1 zeros between input
/// elements, pad by the dilated kernel extent, and correlate with the
/// spatially flipped kernel, whose in/out channel roles are swapped. Each
/// output position o reads position o + begin-pad + k * dilation.
struct ConvTransposeLowering : OpConversionPattern<ONNXConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ONNXConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ValueRange operands = adaptor.getOperands();
    Value input = operands[0], weight = operands[1];
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto weightType = llvm::cast<RankedTensorType>(weight.getType());
    auto resultType =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!resultType || !resultType.hasStaticShape() ||
        !inputType.hasStaticShape() || !weightType.hasStaticShape() ||
        !llvm::isa<FloatType>(resultType.getElementType()))
      return unsupported(op, "needs static float shapes");
    int64_t groups = op.getGroup();
    int64_t spatial = inputType.getRank() - 2;
    int64_t channels = inputType.getDimSize(1);
    int64_t mg = weightType.getDimSize(1);
    if (groups <= 0 || channels % groups || weightType.getDimSize(0) != channels ||
        resultType.getDimSize(1) != mg * groups)
      return unsupported(op, "inconsistent channel or group counts");
    SmallVector<int64_t> strides = intsOr(op.getStridesAttr(), spatial, 1);
    SmallVector<int64_t> dilations = intsOr(op.getDilationsAttr(), spatial, 1);
    SmallVector<int64_t> outputPadding =
        intsOr(op.getOutputPaddingAttr(), spatial, 0);
    SmallVector<int64_t> pads = intsOr(op.getPadsAttr(), 2 * spatial, 0);
    StringRef autoPad = op.getAutoPad();
    if (strides.size() != size_t(spatial) || dilations.size() != size_t(spatial) ||
        outputPadding.size() != size_t(spatial) || pads.size() != size_t(2 * spatial))
      return unsupported(op, "attribute lengths do not match the rank");

    // Where the output starts inside the full transposed convolution.
    SmallVector<int64_t> begin(spatial);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = inputType.getDimSize(i + 2), k = weightType.getDimSize(i + 2);
      int64_t full = strides[i] * (in - 1) + outputPadding[i] +
                     (k - 1) * dilations[i] + 1;
      int64_t total = full - resultType.getDimSize(i + 2);
      // ONNX halves the total with floor division (it may be negative
      // when output_shape asks for more than the full result).
      int64_t half = llvm::divideFloorSigned(total, int64_t(2));
      if (op.getOutputShape() || autoPad == "SAME_UPPER" ||
          autoPad == "SAME_LOWER")
        begin[i] = autoPad == "SAME_UPPER" ? half : total - half;
      else if (autoPad == "VALID")
        begin[i] = 0;
      else
        begin[i] = pads[i];
    }

    Type element = resultType.getElementType();
    Value zero = scalarConstant(rewriter, loc, element, 0.0);
    // Zero insertion: a strided insert into zeros.
    SmallVector<int64_t> upShape(inputType.getShape());
    for (int64_t i = 0; i < spatial; ++i)
      upShape[i + 2] = (upShape[i + 2] - 1) * strides[i] + 1;
    auto upType = inputType.clone(upShape);
    SmallVector<int64_t> insertStrides(2, 1);
    llvm::append_range(insertStrides, strides);
    Value upsampled = tensor::InsertSliceOp::create(
        rewriter, loc, input, filledTensor(rewriter, loc, upType, zero),
        ValueRange{}, ValueRange{}, ValueRange{},
        SmallVector<int64_t>(inputType.getRank(), 0), inputType.getShape(),
        insertStrides);
    // Pad so that every read o + begin + k * dilation is in bounds.
    // An output that starts before the full convolution (negative begin
    // padding) needs that much more low padding; `offset` is where output 0
    // reads with kernel index 0.
    SmallVector<int64_t> padLow(spatial), padHigh(spatial), offset(spatial);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t extent = (weightType.getDimSize(i + 2) - 1) * dilations[i];
      int64_t shift = std::max<int64_t>(0, -begin[i]);
      padLow[i] = extent + shift;
      offset[i] = begin[i] + shift;
      int64_t lastRead = resultType.getDimSize(i + 2) - 1 + offset[i] + extent;
      padHigh[i] =
          std::max<int64_t>(0, lastRead + 1 - (padLow[i] + upShape[i + 2]));
    }
    Value padded = padSpatial(rewriter, loc, upsampled, padLow, padHigh, zero);

    ConvSpec spec;
    spec.groups = groups;
    spec.transposed = true;
    spec.strides.assign(spatial, 1);
    spec.offsets = offset;
    spec.dilations = dilations;
    Value bias = isNone(op->getOperand(2)) ? Value() : operands[2];
    rewriter.replaceOp(op, buildGroupedConv(rewriter, loc, padded, weight, bias,
                                            resultType, spec));
    return success();
  }
};

} // namespace

void populateConvPatterns(TypeConverter &converter,
                          RewritePatternSet &patterns) {
  patterns.add<ConvLowering, ConvTransposeLowering>(converter,
                                                    patterns.getContext());
}

} // namespace onnxc
