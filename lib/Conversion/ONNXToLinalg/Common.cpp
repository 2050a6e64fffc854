//===- Common.cpp - Shared helpers of the ONNX to linalg patterns ---------===//

#include "Common.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"

#include <limits>

#include <cstring>

using namespace mlir;

namespace onnxc {

ONNXTypeConverter::ONNXTypeConverter() {
  addConversion([](Type type) { return type; });
  auto signless = [](Type element) -> Type {
    if (auto intType = llvm::dyn_cast<IntegerType>(element))
      if (!intType.isSignless())
        return IntegerType::get(element.getContext(), intType.getWidth());
    return element;
  };
  addConversion([signless](RankedTensorType type) -> Type {
    return type.clone(signless(type.getElementType()));
  });
  // The unsigned and signless forms share one bit pattern: a cast between
  // them is a no-op that disappears once both sides are converted.
  auto materialize = [](OpBuilder &b, Type type, ValueRange inputs,
                        Location loc) -> Value {
    return UnrealizedConversionCastOp::create(b, loc, type, inputs)
        .getResult(0);
  };
  addSourceMaterialization(materialize);
  addTargetMaterialization(materialize);
}

RankedTensorType convertTensorType(const TypeConverter &converter, Type type) {
  return llvm::dyn_cast_or_null<RankedTensorType>(converter.convertType(type));
}

Type elementTypeOf(Value value) {
  return llvm::cast<ShapedType>(value.getType()).getElementType();
}

bool isUnsignedInt(Type elementType) {
  auto intType = llvm::dyn_cast<IntegerType>(elementType);
  return intType && intType.isUnsigned();
}

FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return failure();
  return axis < 0 ? axis + rank : axis;
}

/// The constant attribute behind an original ONNX value (onnx.Constant or
/// arith.constant, through conversion casts and Identity nodes), or null.
static ElementsAttr constantAttr(Value value) {
  Operation *def = value ? value.getDefiningOp() : nullptr;
  // PyTorch exports every use of a shared or cloned weight after the first
  // through an Identity node.
  while (llvm::isa_and_nonnull<UnrealizedConversionCastOp, ONNXIdentityOp>(def))
    def = def->getOperand(0).getDefiningOp();
  if (auto constant = llvm::dyn_cast_or_null<ONNXConstantOp>(def))
    return llvm::dyn_cast_or_null<ElementsAttr>(constant.getValueAttr());
  if (auto constant = llvm::dyn_cast_or_null<arith::ConstantOp>(def))
    return llvm::dyn_cast<ElementsAttr>(constant.getValue());
  return nullptr;
}

DenseElementsAttr permuteConstant(DenseElementsAttr attr,
                                  ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> perm) {
  Type element = attr.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8)
    return {};
  SmallVector<int64_t> permuted;
  for (int64_t d : perm)
    permuted.push_back(shape[d]);
  auto type = RankedTensorType::get(permuted, element);
  if (attr.isSplat())
    return DenseElementsAttr::get(type, attr.getSplatValue<Attribute>());
  int64_t rank = shape.size();
  // Strides of the source, in elements, taken in the result's dim order.
  SmallVector<int64_t> strides(rank, 1), sourceStrides(rank);
  for (int64_t d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  for (int64_t d = 0; d < rank; ++d)
    sourceStrides[d] = strides[perm[d]];
  size_t bytes = element.getIntOrFloatBitWidth() / 8;
  ArrayRef<char> raw = attr.getRawData();
  std::vector<char> result(raw.size());
  SmallVector<int64_t> index(rank, 0);
  int64_t source = 0;
  for (size_t i = 0, e = type.getNumElements(); i < e; ++i) {
    std::memcpy(&result[i * bytes], &raw[source * bytes], bytes);
    // Step the result's index like an odometer, tracking the source offset.
    for (int64_t d = rank - 1; d >= 0; --d) {
      source += sourceStrides[d];
      if (++index[d] < permuted[d])
        break;
      source -= sourceStrides[d] * permuted[d];
      index[d] = 0;
    }
  }
  return DenseElementsAttr::getFromRawBuffer(type, result);
}

FailureOr<SmallVector<int64_t>> getConstantInts(Value value) {
  ElementsAttr attr = constantAttr(value);
  if (!attr || !llvm::isa<IntegerType>(attr.getElementType()))
    return failure();
  SmallVector<int64_t> result;
  for (APInt v : attr.getValues<APInt>())
    result.push_back(v.getSExtValue());
  return result;
}

FailureOr<SmallVector<double>> getConstantFloats(Value value) {
  ElementsAttr attr = constantAttr(value);
  if (!attr || !llvm::isa<FloatType>(attr.getElementType()))
    return failure();
  SmallVector<double> result;
  for (APFloat v : attr.getValues<APFloat>())
    result.push_back(v.convertToDouble());
  return result;
}

Value scalarConstant(OpBuilder &b, Location loc, Type elementType,
                     double value) {
  if (auto floatType = llvm::dyn_cast<FloatType>(elementType))
    return arith::ConstantOp::create(b, loc,
                                     b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(elementType, static_cast<int64_t>(value)));
}

Value extremeConstant(OpBuilder &b, Location loc, Type elementType,
                      bool lowest, bool isUnsigned) {
  if (auto floatType = llvm::dyn_cast<FloatType>(elementType))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/lowest)));
  unsigned width = elementType.getIntOrFloatBitWidth();
  APInt value = isUnsigned ? (lowest ? APInt::getMinValue(width)
                                     : APInt::getMaxValue(width))
                           : (lowest ? APInt::getSignedMinValue(width)
                                     : APInt::getSignedMaxValue(width));
  return arith::ConstantOp::create(b, loc,
                                   b.getIntegerAttr(elementType, value));
}

static Type signlessOf(Type type) {
  if (auto intType = llvm::dyn_cast<IntegerType>(type))
    return IntegerType::get(type.getContext(), intType.getWidth());
  return type;
}

Value castScalar(OpBuilder &b, Location loc, Value value, Type from, Type to) {
  Type target = signlessOf(to);
  if (signlessOf(from) == target)
    return value;
  bool fromFloat = llvm::isa<FloatType>(from);
  bool toFloat = llvm::isa<FloatType>(to);
  bool fromUnsigned = isUnsignedInt(from) || from.isInteger(1);
  if (to.isInteger(1)) {
    Value zero = scalarConstant(b, loc, value.getType(), 0);
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value,
                                 zero);
  }
  if (fromFloat && toFloat) {
    if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth() ||
        (from.getIntOrFloatBitWidth() == to.getIntOrFloatBitWidth() &&
         from.isBF16()))
      return arith::ExtFOp::create(b, loc, target, value);
    if (from.getIntOrFloatBitWidth() == to.getIntOrFloatBitWidth()) {
      // f16 <-> bf16: go through f32.
      Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
      return arith::TruncFOp::create(b, loc, target, wide);
    }
    return arith::TruncFOp::create(b, loc, target, value);
  }
  if (fromFloat) {
    if (isUnsignedInt(to))
      return arith::FPToUIOp::create(b, loc, target, value);
    return arith::FPToSIOp::create(b, loc, target, value);
  }
  if (toFloat) {
    if (fromUnsigned)
      return arith::UIToFPOp::create(b, loc, target, value);
    return arith::SIToFPOp::create(b, loc, target, value);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, target, value);
  if (fromUnsigned)
    return arith::ExtUIOp::create(b, loc, target, value);
  return arith::ExtSIOp::create(b, loc, target, value);
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value scalar) {
  Value empty = emptyTensor(b, loc, type);
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

Value reshapeTensor(OpBuilder &b, Location loc, Value value,
                    RankedTensorType type) {
  auto sourceType = llvm::cast<RankedTensorType>(value.getType());
  if (sourceType.getShape() == type.getShape())
    return value;
  // One collapse or expand when the shapes allow it (a view, and simple IR
  // for later transforms); otherwise through a 1-D tensor.
  if (std::optional<SmallVector<ReassociationIndices>> reassociation =
          getReassociationIndicesForReshape(sourceType, type)) {
    if (sourceType.getRank() > type.getRank())
      return tensor::CollapseShapeOp::create(b, loc, type, value,
                                             *reassociation);
    return tensor::ExpandShapeOp::create(b, loc, type, value, *reassociation);
  }
  Type element = type.getElementType();
  int64_t count = type.getNumElements();
  auto flatType = RankedTensorType::get({count}, element);
  auto allDims = [](int64_t rank) {
    ReassociationIndices indices;
    for (int64_t i = 0; i < rank; ++i)
      indices.push_back(i);
    return indices;
  };
  Value flat = value;
  if (sourceType.getRank() == 0)
    flat = tensor::ExpandShapeOp::create(b, loc, flatType, value,
                                         ArrayRef<ReassociationIndices>{});
  else if (sourceType.getRank() != 1)
    flat = tensor::CollapseShapeOp::create(
        b, loc, value, ArrayRef<ReassociationIndices>{allDims(sourceType.getRank())});
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, flat,
                                           ArrayRef<ReassociationIndices>{});
  if (type.getRank() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(
      b, loc, type, flat,
      ArrayRef<ReassociationIndices>{allDims(type.getRank())});
}

AffineMap broadcastMap(MLIRContext *ctx, RankedTensorType operandType,
                       ArrayRef<int64_t> resultShape) {
  int64_t rank = resultShape.size();
  int64_t offset = rank - operandType.getRank();
  SmallVector<AffineExpr> exprs;
  for (auto [i, dim] : llvm::enumerate(operandType.getShape())) {
    int64_t resultDim = offset + int64_t(i);
    if (dim == 1 && resultShape[resultDim] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(resultDim, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, const ScalarBuilder &body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(broadcastMap(
        ctx, llvm::cast<RankedTensorType>(input.getType()),
        resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, emptyTensor(b, loc, resultType), maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

} // namespace onnxc

namespace onnxc {

Value buildReduction(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> axes, Value init,
                     const Combiner &combine) {
  auto inputType = llvm::cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(axes, d)) {
      iterators.push_back(utils::IteratorType::reduction);
      continue;
    }
    iterators.push_back(utils::IteratorType::parallel);
    shape.push_back(inputType.getDimSize(d));
    outExprs.push_back(getAffineDimExpr(d, ctx));
  }
  auto resultType = RankedTensorType::get(shape, init.getType());
  Value filled = filledTensor(b, loc, resultType, init);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank),
                              AffineMap::get(rank, 0, outExprs, ctx)};
  return linalg::GenericOp::create(
             b, loc, resultType, input, filled, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc,
                                       combine(nb, nloc, args[0], args[1]));
             })
      .getResult(0);
}

Value buildReductionKeepDims(OpBuilder &b, Location loc, Value input,
                             ArrayRef<int64_t> axes, Value init,
                             const Combiner &combine) {
  auto inputType = llvm::cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> keptShape(inputType.getShape());
  for (int64_t axis : axes)
    keptShape[axis] = 1;
  Value reduced = buildReduction(b, loc, input, axes, init, combine);
  return reshapeTensor(b, loc, reduced,
                       RankedTensorType::get(keptShape, init.getType()));
}

} // namespace onnxc

namespace onnxc {

SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value flat,
                               ArrayRef<int64_t> shape) {
  SmallVector<Value> coords(shape.size());
  for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
    Value size = indexConstant(b, loc, shape[d]);
    coords[d] = arith::RemUIOp::create(b, loc, flat, size);
    flat = arith::DivUIOp::create(b, loc, flat, size);
  }
  return coords;
}

void emitRuntimeCheck(OpBuilder &b, Location loc, Value ok,
                      const llvm::Twine &what) {
  cf::AssertOp::create(b, loc, ok, b.getStringAttr(what));
}

Value extractScalar(OpBuilder &b, Location loc, Value tensor) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> zeros(type.getRank(), indexConstant(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, tensor, zeros);
}

LogicalResult unsupported(Operation *op, const llvm::Twine &reason) {
  StringRef name = op->getName().getStringRef();
  name.consume_front("onnx.");
  return op->emitError() << "operator '" << name
                         << "' cannot be compiled: " << reason;
}

} // namespace onnxc

namespace onnxc {

Value wrapIndex(OpBuilder &b, Location loc, Value index, int64_t dim) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value size = arith::ConstantIndexOp::create(b, loc, dim);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  return arith::SelectOp::create(b, loc, negative,
                                 arith::AddIOp::create(b, loc, i, size), i);
}

} // namespace onnxc

namespace onnxc {

Value buildFromIndices(
    OpBuilder &b, Location loc, RankedTensorType type,
    function_ref<Value(OpBuilder &, Location, ArrayRef<Value>)> body) {
  int64_t rank = type.getRank();
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{}, emptyTensor(b, loc, type),
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nloc, ValueRange) {
               SmallVector<Value> indices;
               for (int64_t d = 0; d < rank; ++d)
                 indices.push_back(linalg::IndexOp::create(nb, nloc, d));
               linalg::YieldOp::create(nb, nloc, body(nb, nloc, indices));
             })
      .getResult(0);
}

} // namespace onnxc
