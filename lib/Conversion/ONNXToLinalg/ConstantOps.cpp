//===- ConstantOps.cpp - Constant, Shape, Size, ConstantOfShape -----------===//
//
// Ops whose value is known at compile time become arith.constant (a dense
// tensor, which bufferizes to a read-only global), or a fill.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

using namespace mlir;

namespace onnxc {
namespace {

/// Re-types a constant of unsigned integers as signless (same bits).
ElementsAttr toSignless(ElementsAttr attr, RankedTensorType type) {
  if (attr.getType() == type)
    return attr;
  auto dense = llvm::dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return nullptr;
  return DenseElementsAttr::getFromRawBuffer(type, dense.getRawData());
}

struct ConstantLowering : OpConversionPattern<ONNXConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type)
      return unsupported(op, "unranked result");
    Attribute value;
    if (ElementsAttr elements = op.getValueAttr())
      value = toSignless(elements, type);
    else if (auto f = op.getValueFloatAttr())
      value = DenseElementsAttr::get(type, f.getValue());
    else if (auto i = op.getValueIntAttr())
      value = DenseElementsAttr::get(type, i.getValue());
    else if (auto fs = op.getValueFloatsAttr())
      value = DenseElementsAttr::get(
          type, llvm::to_vector(llvm::map_range(fs, [](Attribute a) {
            return llvm::cast<FloatAttr>(a).getValue();
          })));
    else if (auto is = op.getValueIntsAttr())
      value = DenseElementsAttr::get(
          type, llvm::to_vector(llvm::map_range(is, [](Attribute a) {
            return llvm::cast<IntegerAttr>(a).getValue();
          })));
    if (!value)
      return unsupported(
          op, "only tensor, float and int constants are supported");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type,
                                                   llvm::cast<TypedAttr>(value));
    return success();
  }
};

/// Shape of a static tensor: a constant (with opset-15 start/end).
struct ShapeLowering : OpConversionPattern<ONNXShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXShapeOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = llvm::dyn_cast<RankedTensorType>(op.getData().getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!inputType || !inputType.hasStaticShape() || !type ||
        !type.hasStaticShape())
      return unsupported(op, "needs a static input shape");
    int64_t rank = inputType.getRank();
    auto clampIndex = [&](int64_t i) {
      if (i < 0)
        i += rank;
      return std::clamp<int64_t>(i, 0, rank);
    };
    int64_t start = clampIndex(int64_t(op.getStart()));
    int64_t end = op.getEnd() ? clampIndex(int64_t(*op.getEnd())) : rank;
    SmallVector<int64_t> dims;
    for (int64_t i = start; i < end; ++i)
      dims.push_back(inputType.getDimSize(i));
    if (int64_t(dims.size()) != type.getNumElements())
      return unsupported(op, "result size mismatch");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, type, DenseElementsAttr::get(type, ArrayRef<int64_t>(dims)));
    return success();
  }
};

struct SizeLowering : OpConversionPattern<ONNXSizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXSizeOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = llvm::dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!inputType || !inputType.hasStaticShape() || !type)
      return unsupported(op, "needs a static input shape");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, type,
        DenseElementsAttr::get(type, {inputType.getNumElements()}));
    return success();
  }
};

struct ConstantOfShapeLowering : OpConversionPattern<ONNXConstantOfShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXConstantOfShapeOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static result shape");
    Location loc = op.getLoc();
    Value scalar;
    if (auto value = llvm::dyn_cast_or_null<DenseElementsAttr>(
            op.getValueAttr())) {
      auto scalarType = RankedTensorType::get({}, type.getElementType());
      auto attr = toSignless(value, type.clone(value.getType().getShape()));
      if (!attr || attr.getNumElements() != 1)
        return unsupported(op, "value must hold one element");
      Value tensor = arith::ConstantOp::create(
          rewriter, loc,
          llvm::cast<TypedAttr>(llvm::cast<DenseElementsAttr>(attr).reshape(
              scalarType)));
      scalar = tensor::ExtractOp::create(rewriter, loc, tensor, ValueRange{});
    } else {
      scalar = scalarConstant(rewriter, loc, type.getElementType(), 0.0);
    }
    rewriter.replaceOp(op, filledTensor(rewriter, loc, type, scalar));
    return success();
  }
};

} // namespace

void populateConstantPatterns(TypeConverter &converter,
                              RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, ShapeLowering, SizeLowering,
               ConstantOfShapeLowering>(converter, patterns.getContext());
}

} // namespace onnxc
