//===- Indexing.cpp - Ops defined by index arithmetic ---------------------===//
//
// Ops whose output element is a function of its own index: Pad (constant,
// edge, reflect), Tile, OneHot, EyeLike, DepthToSpace and SpaceToDepth
// (reshape - transpose - reshape), ReverseSequence, and Dropout at inference
// (the identity).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

using namespace mlir;

namespace onnxc {
namespace {

/// The begin pads of Pad as index values. Constant pads are used as they
/// are; run-time pads must give the compiled output shape (checked), and
/// reflect needs pads smaller than the dim (checked too).
FailureOr<SmallVector<Value>> padBegins(OpBuilder &b, Location loc,
                                        ONNXPadOp op, Value pads,
                                        RankedTensorType dataType,
                                        RankedTensorType type) {
  int64_t rank = type.getRank();
  SmallVector<Value> begins;
  if (auto constant = getConstantInts(op.getPads()); succeeded(constant)) {
    if (int64_t(constant->size()) != 2 * rank)
      return unsupported(op, "pads must have 2 * rank values");
    for (int64_t d = 0; d < rank; ++d)
      begins.push_back(indexConstant(b, loc, (*constant)[d]));
    return begins;
  }
  auto padsType = llvm::cast<RankedTensorType>(pads.getType());
  if (!padsType.hasStaticShape() || padsType.getNumElements() != 2 * rank)
    return unsupported(op, "pads must have 2 * rank values");
  auto padAt = [&](int64_t i) -> Value {
    Value value = tensor::ExtractOp::create(b, loc, pads,
                                            ValueRange{indexConstant(b, loc, i)});
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
  };
  using P = arith::CmpIPredicate;
  Value ok = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
  for (int64_t d = 0; d < rank; ++d) {
    Value begin = padAt(d), end = padAt(d + rank);
    int64_t n = dataType.getDimSize(d);
    Value size = arith::AddIOp::create(
        b, loc, indexConstant(b, loc, n),
        arith::AddIOp::create(b, loc, begin, end));
    ok = arith::AndIOp::create(
        b, loc, ok,
        arith::CmpIOp::create(b, loc, P::eq, size,
                              indexConstant(b, loc, type.getDimSize(d))));
    if (op.getMode() == "reflect")
      for (Value pad : {begin, end})
        ok = arith::AndIOp::create(
            b, loc, ok,
            arith::CmpIOp::create(b, loc, P::slt, pad,
                                  indexConstant(b, loc, n)));
    begins.push_back(begin);
  }
  emitRuntimeCheck(b, loc, ok,
                   "Pad: the pads give another shape than compiled");
  return begins;
}

struct PadLowering : OpConversionPattern<ONNXPadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXPadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value data = adaptor.getData();
    auto dataType = llvm::cast<RankedTensorType>(data.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !dataType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    int64_t rank = type.getRank();
    StringRef mode = op.getMode();
    if (mode != "constant" && mode != "edge" && mode != "reflect")
      return unsupported(op, "unknown mode '" + mode + "'");
    Location loc = op.getLoc();
    FailureOr<SmallVector<Value>> begins =
        padBegins(rewriter, loc, op, adaptor.getPads(), dataType, type);
    if (failed(begins))
      return failure();
    Type element = type.getElementType();
    Value padValue;
    if (mode == "constant") {
      if (isNone(op.getConstantValue()))
        padValue = scalarConstant(rewriter, loc, element, 0);
      else
        padValue = tensor::ExtractOp::create(
            rewriter, loc, adaptor.getConstantValue(),
            SmallVector<Value>(llvm::cast<RankedTensorType>(
                                   adaptor.getConstantValue().getType())
                                   .getRank(),
                               indexConstant(rewriter, loc, 0)));
    }
    rewriter.replaceOp(
        op, buildFromIndices(
                rewriter, loc, type,
                [&](OpBuilder &b, Location l, ArrayRef<Value> out) -> Value {
                  // Source index = output index - begin pad, then clamped
                  // (edge), mirrored (reflect) or checked (constant).
                  SmallVector<Value> source;
                  Value inside = arith::ConstantOp::create(
                      b, l, b.getBoolAttr(true));
                  for (int64_t d = 0; d < rank; ++d) {
                    int64_t n = dataType.getDimSize(d);
                    Value i = arith::SubIOp::create(b, l, out[d], (*begins)[d]);
                    Value zero = indexConstant(b, l, 0);
                    Value last = indexConstant(b, l, n - 1);
                    Value below = arith::CmpIOp::create(
                        b, l, arith::CmpIPredicate::slt, i, zero);
                    Value above = arith::CmpIOp::create(
                        b, l, arith::CmpIPredicate::sgt, i, last);
                    if (mode == "reflect") {
                      Value negated = arith::SubIOp::create(b, l, zero, i);
                      Value mirrored = arith::SubIOp::create(
                          b, l, indexConstant(b, l, 2 * (n - 1)), i);
                      i = arith::SelectOp::create(b, l, below, negated, i);
                      i = arith::SelectOp::create(b, l, above, mirrored, i);
                    } else {
                      Value outside = arith::OrIOp::create(b, l, below, above);
                      inside = arith::AndIOp::create(
                          b, l, inside,
                          arith::XOrIOp::create(
                              b, l, outside,
                              arith::ConstantOp::create(b, l,
                                                        b.getBoolAttr(true))));
                      i = arith::MaxSIOp::create(b, l, i, zero);
                      i = arith::MinSIOp::create(b, l, i, last);
                    }
                    source.push_back(i);
                  }
                  Value value = tensor::ExtractOp::create(b, l, data, source);
                  if (mode != "constant")
                    return value;
                  return arith::SelectOp::create(b, l, inside, value,
                                                 padValue);
                }));
    return success();
  }
};

struct TileLowering : OpConversionPattern<ONNXTileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXTileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !inputType.hasStaticShape() ||
        llvm::is_contained(inputType.getShape(), 0))
      return unsupported(op, "needs static, non-empty shapes");
    int64_t rank = type.getRank();
    MLIRContext *ctx = getContext();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      exprs.push_back(getAffineDimExpr(d, ctx) % inputType.getDimSize(d));
    Location loc = op.getLoc();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, input, emptyTensor(rewriter, loc, type),
        ArrayRef<AffineMap>{AffineMap::get(rank, 0, exprs, ctx),
                            rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct EyeLikeLowering : OpConversionPattern<ONNXEyeLikeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXEyeLikeOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || type.getRank() != 2)
      return unsupported(op, "needs a static 2-D shape");
    int64_t k = op.getK();
    Type element = type.getElementType();
    rewriter.replaceOp(
        op, buildFromIndices(
                rewriter, op.getLoc(), type,
                [&](OpBuilder &b, Location l, ArrayRef<Value> idx) -> Value {
                  Value diff = arith::SubIOp::create(b, l, idx[1], idx[0]);
                  Value onDiagonal = arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::eq, diff,
                      indexConstant(b, l, k));
                  return arith::SelectOp::create(
                      b, l, onDiagonal, scalarConstant(b, l, element, 1),
                      scalarConstant(b, l, element, 0));
                }));
    return success();
  }
};

struct OneHotLowering : OpConversionPattern<ONNXOneHotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXOneHotOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static result shape");
    int64_t rank = type.getRank();
    FailureOr<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    if (failed(axis))
      return unsupported(op, "bad axis");
    int64_t depth = type.getDimSize(*axis);
    Value indices = adaptor.getIndices(), values = adaptor.getValues();
    Type indexElement = elementTypeOf(op.getIndices());
    Location loc = op.getLoc();
    rewriter.replaceOp(
        op, buildFromIndices(
                rewriter, loc, type,
                [&](OpBuilder &b, Location l, ArrayRef<Value> out) -> Value {
                  SmallVector<Value> at;
                  for (int64_t d = 0; d < rank; ++d)
                    if (d != *axis)
                      at.push_back(out[d]);
                  Value raw = tensor::ExtractOp::create(b, l, indices, at);
                  // Float indices truncate; negative ones count from the end.
                  Value index = castScalar(b, l, raw, indexElement,
                                           b.getI64Type());
                  index = arith::IndexCastOp::create(b, l, b.getIndexType(),
                                                     index);
                  Value negative = arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::slt, index,
                      indexConstant(b, l, 0));
                  index = arith::SelectOp::create(
                      b, l, negative,
                      arith::AddIOp::create(b, l, index,
                                            indexConstant(b, l, depth)),
                      index);
                  Value hot = arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::eq, index, out[*axis]);
                  Value on = tensor::ExtractOp::create(
                      b, l, values, ValueRange{indexConstant(b, l, 1)});
                  Value off = tensor::ExtractOp::create(
                      b, l, values, ValueRange{indexConstant(b, l, 0)});
                  return arith::SelectOp::create(b, l, hot, on, off);
                }));
    return success();
  }
};

/// Reshape - transpose - reshape, the definition of both ops in ONNX.
Value permuteBlocks(OpBuilder &b, Location loc, Value input,
                    ArrayRef<int64_t> blockedShape, ArrayRef<int64_t> perm,
                    RankedTensorType resultType) {
  auto inputType = llvm::cast<RankedTensorType>(input.getType());
  Value blocked =
      reshapeTensor(b, loc, input, inputType.clone(blockedShape));
  SmallVector<int64_t> permutedShape;
  for (int64_t p : perm)
    permutedShape.push_back(blockedShape[p]);
  auto permutedType = inputType.clone(permutedShape);
  Value permuted =
      linalg::TransposeOp::create(b, loc, blocked,
                                  emptyTensor(b, loc, permutedType), perm)
          .getResult()[0];
  return reshapeTensor(b, loc, permuted, resultType);
}

struct DepthToSpaceLowering : OpConversionPattern<ONNXDepthToSpaceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXDepthToSpaceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    int64_t bs = op.getBlocksize();
    if (!type || !type.hasStaticShape() || inputType.getRank() != 4 ||
        bs <= 0 || inputType.getDimSize(1) % (bs * bs))
      return unsupported(op, "needs a static NCHW input");
    int64_t n = inputType.getDimSize(0), c = inputType.getDimSize(1),
            h = inputType.getDimSize(2), w = inputType.getDimSize(3);
    bool dcr = op.getMode() == "DCR";
    SmallVector<int64_t> blocked =
        dcr ? SmallVector<int64_t>{n, bs, bs, c / (bs * bs), h, w}
            : SmallVector<int64_t>{n, c / (bs * bs), bs, bs, h, w};
    SmallVector<int64_t> perm = dcr ? SmallVector<int64_t>{0, 3, 4, 1, 5, 2}
                                    : SmallVector<int64_t>{0, 1, 4, 2, 5, 3};
    rewriter.replaceOp(op, permuteBlocks(rewriter, op.getLoc(),
                                         adaptor.getInput(), blocked, perm,
                                         type));
    return success();
  }
};

struct SpaceToDepthLowering : OpConversionPattern<ONNXSpaceToDepthOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXSpaceToDepthOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    int64_t bs = op.getBlocksize();
    if (!type || !type.hasStaticShape() || inputType.getRank() != 4 ||
        bs <= 0 || inputType.getDimSize(2) % bs || inputType.getDimSize(3) % bs)
      return unsupported(op, "needs a static NCHW input");
    int64_t n = inputType.getDimSize(0), c = inputType.getDimSize(1),
            h = inputType.getDimSize(2), w = inputType.getDimSize(3);
    rewriter.replaceOp(
        op, permuteBlocks(rewriter, op.getLoc(), adaptor.getInput(),
                          {n, c, h / bs, bs, w / bs, bs}, {0, 3, 5, 1, 2, 4},
                          type));
    return success();
  }
};

/// Dropout at inference is the identity with an all-true mask. Training
/// mode with a nonzero ratio is random: refused when the constants say so,
/// and when they are run-time inputs, a run that asks for it returns 2.
struct DropoutLowering : OpConversionPattern<ONNXDropoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXDropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    if (!isNone(op.getTrainingMode())) {
      auto training = getConstantInts(op.getTrainingMode());
      auto ratio = isNone(op.getRatio())
                       ? FailureOr<SmallVector<double>>(
                             SmallVector<double>{0.5})
                       : getConstantFloats(op.getRatio());
      bool trainingOff = succeeded(training) && training->front() == 0;
      bool ratioZero = succeeded(ratio) && ratio->front() == 0.0;
      if (!trainingOff && !ratioZero) {
        if (succeeded(training) && succeeded(ratio))
          return unsupported(op, "random dropout in training mode");
        // Identity unless training with a nonzero ratio, decided at run time.
        Value off = arith::ConstantOp::create(rewriter, loc,
                                              rewriter.getBoolAttr(false));
        if (failed(training))
          off = arith::CmpIOp::create(
              rewriter, loc, arith::CmpIPredicate::eq,
              extractScalar(rewriter, loc, adaptor.getTrainingMode()),
              arith::ConstantOp::create(rewriter, loc,
                                        rewriter.getBoolAttr(false)));
        Value zero = arith::ConstantOp::create(rewriter, loc,
                                               rewriter.getBoolAttr(false));
        if (failed(ratio)) {
          Value r = extractScalar(rewriter, loc, adaptor.getRatio());
          zero = arith::CmpFOp::create(
              rewriter, loc, arith::CmpFPredicate::OEQ, r,
              arith::ConstantOp::create(rewriter, loc,
                                        rewriter.getFloatAttr(r.getType(), 0)));
        }
        emitRuntimeCheck(rewriter, loc,
                         arith::OrIOp::create(rewriter, loc, off, zero),
                         "Dropout: random dropout in training mode");
      }
    }
    SmallVector<Value> results{adaptor.getData()};
    Value mask = op->getResult(1);
    if (isNone(mask)) {
      results.push_back(ONNXNoValueOp::create(rewriter, loc,
                                              rewriter.getNoneType()));
    } else {
      auto maskType = convertTensorType(*getTypeConverter(), mask.getType());
      if (!maskType || !maskType.hasStaticShape())
        return unsupported(op, "needs a static mask shape");
      results.push_back(filledTensor(
          rewriter, loc, maskType,
          arith::ConstantOp::create(rewriter, loc, rewriter.getBoolAttr(true))));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// ReverseSequence: along the time axis, the first sequence_lens[b]
/// elements of batch entry b are reversed and the rest copied. Lengths are
/// clamped to [0, time] so that a bad length cannot read out of bounds.
struct ReverseSequenceLowering : OpConversionPattern<ONNXReverseSequenceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXReverseSequenceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput(), lengths = adaptor.getSequenceLens();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || type != inputType)
      return unsupported(op, "needs a static result shaped as the input");
    int64_t batchAxis = op.getBatchAxis(), timeAxis = op.getTimeAxis();
    bool axesOk =
        (batchAxis == 0 && timeAxis == 1) || (batchAxis == 1 && timeAxis == 0);
    if (type.getRank() < 2 || !axesOk)
      return unsupported(op, "batch_axis and time_axis must be 0 and 1");
    auto lengthsType = llvm::cast<RankedTensorType>(lengths.getType());
    if (lengthsType.getShape() != ArrayRef<int64_t>{type.getDimSize(batchAxis)})
      return unsupported(op, "sequence_lens must have one length per batch");
    int64_t time = type.getDimSize(timeAxis);
    Location loc = op.getLoc();
    Value result = buildFromIndices(
        rewriter, loc, type,
        [&](OpBuilder &b, Location l, ArrayRef<Value> out) -> Value {
          Value length = arith::IndexCastOp::create(
              b, l, b.getIndexType(),
              tensor::ExtractOp::create(b, l, lengths,
                                        ValueRange{out[batchAxis]}));
          length = arith::MinSIOp::create(
              b, l,
              arith::MaxSIOp::create(b, l, length, indexConstant(b, l, 0)),
              indexConstant(b, l, time));
          Value t = out[timeAxis];
          Value reversed = arith::SubIOp::create(
              b, l, arith::SubIOp::create(b, l, length, t),
              indexConstant(b, l, 1));
          Value inside =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, t, length);
          SmallVector<Value> source(out);
          source[timeAxis] = arith::SelectOp::create(b, l, inside, reversed, t);
          return tensor::ExtractOp::create(b, l, input, source);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateIndexingPatterns(TypeConverter &converter,
                              RewritePatternSet &patterns) {
  patterns.add<PadLowering, TileLowering, EyeLikeLowering, OneHotLowering,
               DepthToSpaceLowering, SpaceToDepthLowering, DropoutLowering,
               ReverseSequenceLowering>(converter, patterns.getContext());
}

} // namespace onnxc
