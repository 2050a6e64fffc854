//===- ElementwiseFramework.h - One pattern for all elementwise ops -*- C++ -*-===//
//
// Every elementwise op becomes one parallel linalg.generic with numpy
// broadcasting in its indexing maps; only the scalar body differs. Each op
// declares which element types its body handles so that an unsupported type
// is a reported error rather than wrong code.
//
//===----------------------------------------------------------------------===//

#ifndef ONNXCOMPILE_LIB_CONVERSION_ONNXTOLINALG_ELEMENTWISEFRAMEWORK_H
#define ONNXCOMPILE_LIB_CONVERSION_ONNXTOLINALG_ELEMENTWISEFRAMEWORK_H

#include "Common.h"

namespace onnxc {
namespace elementwise {

using namespace mlir;

enum class TypeClass { Float, Numeric, Integer, Bool, Any };

inline bool supports(TypeClass cls, Type element) {
  switch (cls) {
  case TypeClass::Float:
    return llvm::isa<FloatType>(element);
  case TypeClass::Numeric:
    return llvm::isa<FloatType>(element) ||
           (element.isInteger() && !element.isInteger(1));
  case TypeClass::Integer:
    return element.isInteger() && !element.isInteger(1);
  case TypeClass::Bool:
    return element.isInteger(1);
  case TypeClass::Any:
    return element.isIntOrFloat();
  }
  return false;
}

/// The scalar body of an op. `types` are the original element types of the
/// present operands (which may be unsigned), `args` their block arguments.
template <typename OpTy>
using Body = std::function<Value(OpTy, OpBuilder &, Location,
                                 ArrayRef<Type> types, ValueRange args)>;

template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  ElementwiseLowering(const TypeConverter &converter, MLIRContext *ctx,
                      TypeClass typeClass, Body<OpTy> body)
      : OpConversionPattern<OpTy>(converter, ctx), typeClass(typeClass),
        body(std::move(body)) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Operation *operation = op.getOperation();
    auto resultType = convertTensorType(*this->getTypeConverter(),
                                        operation->getResult(0).getType());
    if (!resultType || !resultType.hasStaticShape())
      return unsupported(op, "needs a static result shape");
    SmallVector<Value> inputs;
    SmallVector<Type> types;
    for (auto [original, converted] :
         llvm::zip(operation->getOperands(), adaptor.getOperands())) {
      if (isNone(original))
        continue;
      inputs.push_back(converted);
      types.push_back(elementTypeOf(original));
    }
    if (inputs.empty() || !supports(typeClass, types.front()))
      return unsupported(op, "unsupported element type");
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, inputs,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return body(op, b, loc, types, args);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  TypeClass typeClass;
  Body<OpTy> body;
};

template <typename OpTy>
inline void add(RewritePatternSet &patterns, const TypeConverter &converter,
         TypeClass cls, Body<OpTy> body) {
  patterns.add<ElementwiseLowering<OpTy>>(converter, patterns.getContext(),
                                          cls, std::move(body));
}

/// A body that applies one math/arith op to a float operand.
template <typename OpTy, typename MathOp>
Body<OpTy> unaryFloat() {
  return [](OpTy, OpBuilder &b, Location loc, ArrayRef<Type>, ValueRange a) {
    return MathOp::create(b, loc, a[0]).getResult();
  };
}

/// A scalar constant of the type of `like`.
inline Value cst(OpBuilder &b, Location loc, Value like, double v) {
  return scalarConstant(b, loc, like.getType(), v);
}

/// The value of a float attribute.
inline double attr(const APFloat &value) { return value.convertToDouble(); }

} // namespace elementwise
} // namespace onnxc

#endif // ONNXCOMPILE_LIB_CONVERSION_ONNXTOLINALG_ELEMENTWISEFRAMEWORK_H
