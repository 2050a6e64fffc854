//===- Pooling.cpp - MaxPool, MaxUnpool, AveragePool, global pooling ------===//
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

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace onnxc {
namespace {

/// The iteration space of windowed pooling, (n, c, out spatial..., kernel
/// spatial...): the maps of the padded input, the unread kernel-shaped
/// operand and `numOutputs` outputs, and the iterator types.
struct WindowSpace {
  SmallVector<AffineMap> maps;
  SmallVector<utils::IteratorType> iterators;
};

WindowSpace windowSpace(MLIRContext *ctx, const Window &window,
                        unsigned numOutputs) {
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
  WindowSpace space;
  space.maps = {AffineMap::get(numDims, 0, inExprs, ctx),
                AffineMap::get(numDims, 0, kernelExprs, ctx)};
  space.maps.append(numOutputs, AffineMap::get(numDims, 0, outExprs, ctx));
  space.iterators.assign(numDims, utils::IteratorType::parallel);
  for (unsigned i = 2 + spatial; i < numDims; ++i)
    space.iterators[i] = utils::IteratorType::reduction;
  return space;
}

/// Reduces windows of `padded` into `init` (shape N, C, out...).
Value poolWindows(OpBuilder &b, Location loc, Value padded, Value init,
                  const Window &window, const Combiner &combine) {
  auto initType = llvm::cast<RankedTensorType>(init.getType());
  Value kernel = tensor::EmptyOp::create(b, loc, window.kernel,
                                         initType.getElementType());
  WindowSpace space = windowSpace(b.getContext(), window, 1);
  return linalg::GenericOp::create(
             b, loc, initType, ValueRange{padded, kernel}, init, space.maps,
             space.iterators,
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

/// The flat index of an input element as MaxPool's Indices output reports
/// it: over the whole N x C x D1 x ... tensor, with the spatial dims row-major
/// (storage_order 0) or column-major (storage_order 1).
Value flatInputIndex(OpBuilder &b, Location loc, Value n, Value c,
                     ArrayRef<Value> position, ArrayRef<int64_t> inputShape,
                     bool columnMajor) {
  auto mul = [&](Value x, int64_t y) {
    return Value(arith::MulIOp::create(b, loc, x, indexConstant(b, loc, y)));
  };
  auto add = [&](Value x, Value y) {
    return Value(arith::AddIOp::create(b, loc, x, y));
  };
  int64_t spatial = position.size(), planeSize = 1;
  for (int64_t i = 0; i < spatial; ++i)
    planeSize *= inputShape[2 + i];
  Value inPlane = indexConstant(b, loc, 0);
  for (int64_t j = 0; j < spatial; ++j) {
    int64_t i = columnMajor ? spatial - 1 - j : j;
    inPlane = add(mul(inPlane, inputShape[2 + i]), position[i]);
  }
  Value plane = add(mul(n, inputShape[1]), c);
  return add(mul(plane, planeSize), inPlane);
}

/// Inside the pooling generic: the unpadded input position of the current
/// window element, and whether it lies in the input (not in padding).
std::pair<SmallVector<Value>, Value>
windowInputPosition(OpBuilder &b, Location loc, const Window &window,
                    ArrayRef<int64_t> inputShape) {
  int64_t spatial = window.kernel.size();
  Value valid = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
  SmallVector<Value> position;
  for (int64_t i = 0; i < spatial; ++i) {
    Value o = linalg::IndexOp::create(b, loc, 2 + i);
    Value k = linalg::IndexOp::create(b, loc, 2 + spatial + i);
    // The padded position o * stride + k * dilation (never negative, so
    // unsigned compares suffice), minus the begin padding.
    Value raw = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, o,
                              indexConstant(b, loc, window.strides[i])),
        arith::MulIOp::create(b, loc, k,
                              indexConstant(b, loc, window.dilations[i])));
    Value begin = indexConstant(b, loc, window.padBegin[i]);
    Value end = indexConstant(b, loc, window.padBegin[i] + inputShape[2 + i]);
    Value inside = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, raw, begin),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, raw, end));
    valid = arith::AndIOp::create(b, loc, valid, inside);
    position.push_back(arith::SubIOp::create(b, loc, raw, begin));
  }
  return {position, valid};
}

/// Whether element `x` replaces the running maximum `acc`: only when it is
/// strictly greater (so the first of equal maxima is kept, as ONNX Runtime
/// does), or when it is the first NaN (which then stays, as the maximum
/// propagates NaN).
Value replacesMaximum(OpBuilder &b, Location loc, Value x, Value acc) {
  if (!llvm::isa<FloatType>(x.getType()))
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, acc);
  Value greater =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, acc);
  Value nanOverNumber = arith::AndIOp::create(
      b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x),
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ORD, acc, acc));
  return arith::OrIOp::create(b, loc, greater, nanOverNumber);
}

/// MaxPool with its Indices output: one generic with two outputs, the
/// maximum and the flat input index of its first occurrence (the kernel
/// dims are reduced in row-major order). Padding never wins: its positions
/// are masked, not just filled with the lowest value, so that a window of
/// lowest values still reports a real element; the index starts at -1
/// until the window's first real element is seen.
std::pair<Value, Value> maxPoolWithIndices(OpBuilder &b, Location loc,
                                           Value padded, RankedTensorType type,
                                           RankedTensorType indicesType,
                                           ArrayRef<int64_t> inputShape,
                                           const Window &window,
                                           bool columnMajor) {
  Type element = type.getElementType();
  Value kernel = tensor::EmptyOp::create(b, loc, window.kernel, element);
  Value lowest = extremeConstant(b, loc, element, true, false);
  Value noIndex = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(-1));
  WindowSpace space = windowSpace(b.getContext(), window, 2);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type, indicesType}, ValueRange{padded, kernel},
      ValueRange{filledTensor(b, loc, type, lowest),
                 filledTensor(b, loc, indicesType, noIndex)},
      space.maps, space.iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value x = args[0], acc = args[2], accIndex = args[3];
        auto [position, valid] = windowInputPosition(nb, l, window, inputShape);
        Value flat = flatInputIndex(nb, l, linalg::IndexOp::create(nb, l, 0),
                                    linalg::IndexOp::create(nb, l, 1), position,
                                    inputShape, columnMajor);
        flat = arith::IndexCastOp::create(nb, l, nb.getI64Type(), flat);
        Value first = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                            accIndex, noIndex);
        Value take = arith::AndIOp::create(
            nb, l, valid,
            arith::OrIOp::create(nb, l, first, replacesMaximum(nb, l, x, acc)));
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::SelectOp::create(nb, l, take, x, acc),
                       arith::SelectOp::create(nb, l, take, flat, accIndex)});
      });
  return {generic.getResult(0), generic.getResult(1)};
}

struct MaxPoolLowering : OpConversionPattern<ONNXMaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXMaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool wantIndices =
        !isNone(op->getResult(1)) && !op->getResult(1).use_empty();
    if (wantIndices)
      return lowerWithIndices(op, adaptor, rewriter);
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

  LogicalResult lowerWithIndices(ONNXMaxPoolOp op, OpAdaptor adaptor,
                                 ConversionPatternRewriter &rewriter) const {
    Value input = adaptor.getX();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    auto indicesType =
        convertTensorType(*getTypeConverter(), op->getResult(1).getType());
    if (!type || !indicesType || !type.hasStaticShape() ||
        !indicesType.hasStaticShape() || !inputType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    if (isUnsignedInt(elementTypeOf(op.getX())))
      return unsupported(op, "the Indices output needs float or signed data");
    if (op.getStorageOrder() > 1)
      return unsupported(op, "storage_order must be 0 or 1");
    FailureOr<Window> window = windowOf(op, inputType, type);
    if (failed(window))
      return unsupported(op, "unsupported window");
    Location loc = op.getLoc();
    Value lowest =
        extremeConstant(rewriter, loc, type.getElementType(), true, false);
    Value padded = padForWindow(rewriter, loc, input, *window, lowest);
    auto [values, indices] = maxPoolWithIndices(
        rewriter, loc, padded, type, indicesType, inputType.getShape(), *window,
        op.getStorageOrder() == 1);
    rewriter.replaceOp(op, ValueRange{values, indices});
    return success();
  }
};

/// MaxUnpool's default output shape: (in - 1) * stride + kernel - pads per
/// spatial dim, or failure when the attributes do not fit the rank.
FailureOr<SmallVector<int64_t>> unpooledShape(ONNXMaxUnpoolOp op,
                                              RankedTensorType inputType) {
  int64_t spatial = inputType.getRank() - 2;
  ArrayAttr kernel = op.getKernelShape();
  SmallVector<int64_t> strides = intsOr(op.getStridesAttr(), spatial, 1);
  SmallVector<int64_t> pads = intsOr(op.getPadsAttr(), 2 * spatial, 0);
  if (spatial < 1 || int64_t(kernel.size()) != spatial ||
      int64_t(strides.size()) != spatial || int64_t(pads.size()) != 2 * spatial)
    return failure();
  SmallVector<int64_t> shape(inputType.getShape().take_front(2));
  for (int64_t i = 0; i < spatial; ++i)
    shape.push_back((inputType.getDimSize(2 + i) - 1) * strides[i] +
                    llvm::cast<IntegerAttr>(kernel[i]).getInt() - pads[i] -
                    pads[spatial + i]);
  return shape;
}

/// A zero 1-D tensor of `size` elements with flatValues[i] written at
/// flatIndices[i], in order (scf.for of tensor.insert, as the scatters).
/// An index outside the tensor rewrites element 0 with its own value
/// instead of writing out of bounds.
Value scatterFlat(OpBuilder &b, Location loc, Value flatValues,
                  Value flatIndices, int64_t size, Value zero) {
  int64_t count =
      llvm::cast<RankedTensorType>(flatValues.getType()).getNumElements();
  auto type = RankedTensorType::get({size}, zero.getType());
  auto loop = scf::ForOp::create(
      b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, count),
      indexConstant(b, loc, 1), ValueRange{filledTensor(b, loc, type, zero)},
      [&](OpBuilder &nb, Location l, Value iv, ValueRange iterArgs) {
        Value acc = iterArgs[0];
        Value raw = tensor::ExtractOp::create(nb, l, flatIndices, iv);
        Value inside = arith::AndIOp::create(
            nb, l,
            arith::CmpIOp::create(
                nb, l, arith::CmpIPredicate::sge, raw,
                arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(0))),
            arith::CmpIOp::create(
                nb, l, arith::CmpIPredicate::slt, raw,
                arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(size))));
        Value target = arith::SelectOp::create(
            nb, l, inside,
            arith::IndexCastOp::create(nb, l, nb.getIndexType(), raw),
            indexConstant(nb, l, 0));
        Value value = arith::SelectOp::create(
            nb, l, inside, tensor::ExtractOp::create(nb, l, flatValues, iv),
            tensor::ExtractOp::create(nb, l, acc, target));
        scf::YieldOp::create(
            nb, l, Value(tensor::InsertOp::create(nb, l, value, acc, target)));
      });
  return loop.getResult(0);
}

/// MaxUnpool writes each X element at its flat index into a zero tensor of
/// the default unpooled shape. A larger output (the output_shape input) is
/// that tensor zero-padded at the end of each spatial dim, as ONNX Runtime
/// does (the node tests' expected data): the indices keep addressing the
/// unpooled shape.
struct MaxUnpoolLowering : OpConversionPattern<ONNXMaxUnpoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXMaxUnpoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getX(), indices = adaptor.getI();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto indicesType = llvm::cast<RankedTensorType>(indices.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !inputType.hasStaticShape() ||
        indicesType.getShape() != inputType.getShape())
      return unsupported(op, "needs static shapes, with I shaped as X");
    FailureOr<SmallVector<int64_t>> unpooled = unpooledShape(op, inputType);
    if (failed(unpooled) || type.getRank() != inputType.getRank())
      return unsupported(op, "kernel_shape, strides and pads must match the "
                             "spatial rank");
    for (int64_t d = 0; d < type.getRank(); ++d)
      if ((*unpooled)[d] <= 0 || type.getDimSize(d) < (*unpooled)[d] ||
          (d < 2 && type.getDimSize(d) != (*unpooled)[d]))
        return unsupported(op, "the output shape is smaller than the "
                               "unpooled shape");

    Location loc = op.getLoc();
    Type element = type.getElementType();
    Value zero = scalarConstant(rewriter, loc, element, 0.0);
    auto unpooledType = RankedTensorType::get(*unpooled, element);
    int64_t count = inputType.getNumElements();
    Value flat =
        scatterFlat(rewriter, loc,
                    reshapeTensor(rewriter, loc, input,
                                  RankedTensorType::get({count}, element)),
                    reshapeTensor(rewriter, loc, indices,
                                  RankedTensorType::get(
                                      {count}, indicesType.getElementType())),
                    unpooledType.getNumElements(), zero);
    Value result = reshapeTensor(rewriter, loc, flat, unpooledType);
    int64_t spatial = type.getRank() - 2;
    SmallVector<int64_t> low(spatial, 0), high;
    for (int64_t i = 0; i < spatial; ++i)
      high.push_back(type.getDimSize(2 + i) - (*unpooled)[2 + i]);
    rewriter.replaceOp(op, padSpatial(rewriter, loc, result, low, high, zero));
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
  patterns.add<MaxPoolLowering, MaxUnpoolLowering, AveragePoolLowering,
               GlobalPoolLowering<ONNXGlobalAveragePoolOp, false>,
               GlobalPoolLowering<ONNXGlobalMaxPoolOp, true>>(
      converter, patterns.getContext());
}

} // namespace onnxc
