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

using namespace mlir;

namespace onnxc {
namespace {

struct ConvLowering : OpConversionPattern<ONNXConvOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ONNXConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
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
    int64_t outChannels = weightType.getDimSize(0);
    if (groups <= 0 || channels % groups || outChannels % groups ||
        weightType.getDimSize(1) != channels / groups)
      return unsupported(op, "inconsistent group count");
    FailureOr<Window> window = computeWindow(
        inputType.getShape(), resultType.getShape(),
        weightType.getShape().drop_front(2), op.getStridesAttr(),
        op.getDilationsAttr(), op.getPadsAttr(), op.getAutoPad());
    if (failed(window))
      return unsupported(op, "unsupported window attributes");

    Type element = resultType.getElementType();
    Value zero = scalarConstant(rewriter, loc, element, 0.0);
    SmallVector<int64_t> end(window->padEnd);
    for (int64_t i = 0; i < spatial; ++i)
      end[i] += window->extraEnd[i];
    Value padded = padSpatial(rewriter, loc, input, window->padBegin, end, zero);

    // Split channels into (group, channel-in-group).
    int64_t cg = channels / groups, mg = outChannels / groups;
    auto paddedType = llvm::cast<RankedTensorType>(padded.getType());
    SmallVector<int64_t> inShape{paddedType.getDimSize(0), groups, cg};
    llvm::append_range(inShape, paddedType.getShape().drop_front(2));
    Value groupedInput =
        reshapeTensor(rewriter, loc, padded, paddedType.clone(inShape));
    SmallVector<int64_t> wShape{groups, mg, cg};
    llvm::append_range(wShape, weightType.getShape().drop_front(2));
    Value groupedWeight =
        reshapeTensor(rewriter, loc, weight, weightType.clone(wShape));
    SmallVector<int64_t> outShape{resultType.getDimSize(0), groups, mg};
    llvm::append_range(outShape, resultType.getShape().drop_front(2));
    auto groupedOutType = resultType.clone(outShape);

    // Accumulator: zeros, or the bias broadcast along n and spatial dims.
    Value init;
    if (!isNone(op->getOperand(2))) {
      Value bias = reshapeTensor(
          rewriter, loc, operands[2],
          RankedTensorType::get({groups, mg}, element));
      SmallVector<AffineMap> maps{AffineMap::get(
          groupedOutType.getRank(), 0,
          {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx)};
      maps.push_back(rewriter.getMultiDimIdentityMap(groupedOutType.getRank()));
      init = linalg::GenericOp::create(
                 rewriter, loc, groupedOutType, bias,
                 emptyTensor(rewriter, loc, groupedOutType), maps,
                 SmallVector<utils::IteratorType>(
                     groupedOutType.getRank(), utils::IteratorType::parallel),
                 [](OpBuilder &b, Location l, ValueRange args) {
                   linalg::YieldOp::create(b, l, args[0]);
                 })
                 .getResult(0);
    } else {
      init = filledTensor(rewriter, loc, groupedOutType, zero);
    }

    // Iteration dims: n, g, m, out..., c, k...
    unsigned numDims = 3 + spatial + 1 + spatial;
    unsigned firstOut = 3, cDim = 3 + spatial, firstKernel = 4 + spatial;
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> inExprs{d(0), d(1), d(cDim)};
    llvm::append_range(inExprs, windowExprs(ctx, *window, firstOut,
                                            firstKernel));
    SmallVector<AffineExpr> wExprs{d(1), d(2), d(cDim)};
    SmallVector<AffineExpr> outExprs{d(0), d(1), d(2)};
    for (int64_t i = 0; i < spatial; ++i) {
      wExprs.push_back(d(firstKernel + i));
      outExprs.push_back(d(firstOut + i));
    }
    SmallVector<utils::IteratorType> iterators(numDims,
                                               utils::IteratorType::parallel);
    for (unsigned i = cDim; i < numDims; ++i)
      iterators[i] = utils::IteratorType::reduction;
    SmallVector<AffineMap> maps{AffineMap::get(numDims, 0, inExprs, ctx),
                                AffineMap::get(numDims, 0, wExprs, ctx),
                                AffineMap::get(numDims, 0, outExprs, ctx)};
    Value conv =
        linalg::GenericOp::create(
            rewriter, loc, groupedOutType, ValueRange{groupedInput, groupedWeight},
            init, maps, iterators,
            [](OpBuilder &b, Location l, ValueRange args) {
              Value product = arith::MulFOp::create(b, l, args[0], args[1]);
              linalg::YieldOp::create(
                  b, l, Value(arith::AddFOp::create(b, l, args[2], product)));
            })
            .getResult(0);
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, conv, resultType));
    return success();
  }
};

} // namespace

void populateConvPatterns(TypeConverter &converter,
                          RewritePatternSet &patterns) {
  patterns.add<ConvLowering>(converter, patterns.getContext());
}

} // namespace onnxc
