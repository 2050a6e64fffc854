//===- Elementwise.cpp - Elementwise ONNX ops to linalg.generic -----------===//
//
// Every elementwise op becomes one parallel linalg.generic with numpy
// broadcasting in its indexing maps; only the scalar body differs. Each op
// declares which element types its body handles so that an unsupported type
// is a reported error rather than wrong code. Activation functions and the
// remaining math ops are in Activations.cpp.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseFramework.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace onnxc {
namespace {

using namespace elementwise;

/// Folds a variadic op (Max, Min, Sum, Mean) pairwise.
template <typename OpTy>
Body<OpTy> variadic(
    std::function<Value(OpBuilder &, Location, Type, Value, Value)> combine) {
  return [combine](OpTy, OpBuilder &b, Location loc, ArrayRef<Type> types,
                   ValueRange a) {
    Value acc = a[0];
    for (Value v : a.drop_front())
      acc = combine(b, loc, types[0], acc, v);
    return acc;
  };
}

Value addValues(OpBuilder &b, Location loc, Type, Value x, Value y) {
  if (llvm::isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value maxValues(OpBuilder &b, Location loc, Type t, Value x, Value y) {
  if (llvm::isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y);
  if (isUnsignedInt(t))
    return arith::MaxUIOp::create(b, loc, x, y);
  return arith::MaxSIOp::create(b, loc, x, y);
}

Value minValues(OpBuilder &b, Location loc, Type t, Value x, Value y) {
  if (llvm::isa<FloatType>(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
  if (isUnsignedInt(t))
    return arith::MinUIOp::create(b, loc, x, y);
  return arith::MinSIOp::create(b, loc, x, y);
}

/// base^exponent for integers of one type, exact and wrapping like integer
/// multiplication: square and multiply over the exponent's bits. A negative
/// exponent gives trunc(base^exponent): 1 for base 1, +-1 for base -1, else 0.
Value integerPower(OpBuilder &b, Location loc, Value base, Value exponent,
                   bool isUnsigned) {
  Type type = base.getType();
  auto constant = [&](int64_t value) -> Value {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
  };
  Value one = constant(1);
  auto loop = scf::ForOp::create(
      b, loc, indexConstant(b, loc, 0),
      indexConstant(b, loc, type.getIntOrFloatBitWidth()),
      indexConstant(b, loc, 1), ValueRange{one, base, exponent},
      [&](OpBuilder &nb, Location l, Value, ValueRange it) {
        Value odd = arith::TruncIOp::create(nb, l, nb.getI1Type(), it[2]);
        Value times = arith::MulIOp::create(nb, l, it[0], it[1]);
        Value result = arith::SelectOp::create(nb, l, odd, times, it[0]);
        Value square = arith::MulIOp::create(nb, l, it[1], it[1]);
        Value rest = arith::ShRUIOp::create(nb, l, it[2], one);
        scf::YieldOp::create(nb, l, ValueRange{result, square, rest});
      });
  Value power = loop.getResult(0);
  if (isUnsigned)
    return power;
  using P = arith::CmpIPredicate;
  Value minusOne = constant(-1);
  Value oddExponent = arith::TruncIOp::create(b, loc, b.getI1Type(), exponent);
  Value fraction = arith::SelectOp::create(
      b, loc, arith::CmpIOp::create(b, loc, P::eq, base, one), one,
      arith::SelectOp::create(
          b, loc, arith::CmpIOp::create(b, loc, P::eq, base, minusOne),
          arith::SelectOp::create(b, loc, oddExponent, minusOne, one),
          constant(0)));
  Value negative = arith::CmpIOp::create(b, loc, P::slt, exponent, constant(0));
  return arith::SelectOp::create(b, loc, negative, fraction, power);
}

/// Pow of an integer base, as numpy computes it: exact for whole exponents;
/// other float exponents go through double and truncate.
Value integerBasePow(OpBuilder &b, Location loc, ArrayRef<Type> t,
                     ValueRange a) {
  bool isUnsigned = isUnsignedInt(t[0]);
  if (llvm::isa<IntegerType>(t[1]))
    return integerPower(b, loc, a[0], castScalar(b, loc, a[1], t[1], t[0]),
                        isUnsigned);
  Type f64 = b.getF64Type();
  Value y = castScalar(b, loc, a[1], t[1], f64);
  // |y| <= 64 keeps the conversion defined; larger whole powers overflow
  // every integer type anyway.
  Value whole = arith::AndIOp::create(
      b, loc,
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                            math::TruncOp::create(b, loc, y), y),
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE,
                            math::AbsFOp::create(b, loc, y),
                            arith::ConstantOp::create(
                                b, loc, b.getFloatAttr(f64, 64.0))));
  if (isUnsigned) // A negative exponent does not convert to an unsigned one.
    whole = arith::AndIOp::create(
        b, loc, whole,
        arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OGE, y,
            arith::ConstantOp::create(b, loc, b.getFloatAttr(f64, 0.0))));
  Value exact = integerPower(b, loc, a[0], castScalar(b, loc, y, f64, t[0]),
                             isUnsigned);
  Value power = math::PowFOp::create(b, loc, castScalar(b, loc, a[0], t[0], f64),
                                     y);
  return arith::SelectOp::create(b, loc, whole, exact,
                                 castScalar(b, loc, power, f64, t[0]));
}

/// A body for the arithmetic binary ops; `f`, `s`, `u` build the float,
/// signed and unsigned forms.
template <typename OpTy, typename F, typename S, typename U>
Body<OpTy> binaryArith() {
  return [](OpTy, OpBuilder &b, Location loc, ArrayRef<Type> types,
            ValueRange a) -> Value {
    if (llvm::isa<FloatType>(a[0].getType()))
      return F::create(b, loc, a[0], a[1]);
    if (isUnsignedInt(types[0]))
      return U::create(b, loc, a[0], a[1]);
    return S::create(b, loc, a[0], a[1]);
  };
}

template <typename OpTy>
Body<OpTy> compare(arith::CmpFPredicate f, arith::CmpIPredicate s,
                   arith::CmpIPredicate u) {
  return [=](OpTy, OpBuilder &b, Location loc, ArrayRef<Type> types,
             ValueRange a) -> Value {
    if (llvm::isa<FloatType>(a[0].getType()))
      return arith::CmpFOp::create(b, loc, f, a[0], a[1]);
    return arith::CmpIOp::create(
        b, loc, isUnsignedInt(types[0]) || types[0].isInteger(1) ? u : s,
        a[0], a[1]);
  };
}

void populateUnary(const TypeConverter &c, RewritePatternSet &p) {
  add<ONNXExpOp>(p, c, TypeClass::Float, unaryFloat<ONNXExpOp, math::ExpOp>());
  add<ONNXLogOp>(p, c, TypeClass::Float, unaryFloat<ONNXLogOp, math::LogOp>());
  add<ONNXSqrtOp>(p, c, TypeClass::Float,
                  unaryFloat<ONNXSqrtOp, math::SqrtOp>());
  add<ONNXTanhOp>(p, c, TypeClass::Float,
                  unaryFloat<ONNXTanhOp, math::TanhOp>());
  add<ONNXErfOp>(p, c, TypeClass::Float, unaryFloat<ONNXErfOp, math::ErfOp>());
  add<ONNXSinOp>(p, c, TypeClass::Float, unaryFloat<ONNXSinOp, math::SinOp>());
  add<ONNXCosOp>(p, c, TypeClass::Float, unaryFloat<ONNXCosOp, math::CosOp>());
  add<ONNXFloorOp>(p, c, TypeClass::Float,
                   unaryFloat<ONNXFloorOp, math::FloorOp>());
  add<ONNXCeilOp>(p, c, TypeClass::Float,
                  unaryFloat<ONNXCeilOp, math::CeilOp>());
  add<ONNXRoundOp>(p, c, TypeClass::Float,
                   unaryFloat<ONNXRoundOp, math::RoundEvenOp>());
  add<ONNXSigmoidOp>(p, c, TypeClass::Float,
                     [](ONNXSigmoidOp, OpBuilder &b, Location loc,
                        ArrayRef<Type>, ValueRange a) -> Value {
                       Value neg = arith::NegFOp::create(b, loc, a[0]);
                       Value e = math::ExpOp::create(b, loc, neg);
                       Value one = cst(b, loc, a[0], 1.0);
                       Value den = arith::AddFOp::create(b, loc, one, e);
                       return arith::DivFOp::create(b, loc, one, den);
                     });
  add<ONNXReciprocalOp>(p, c, TypeClass::Float,
                        [](ONNXReciprocalOp, OpBuilder &b, Location loc,
                           ArrayRef<Type>, ValueRange a) -> Value {
                          return arith::DivFOp::create(
                              b, loc, cst(b, loc, a[0], 1.0), a[0]);
                        });
  add<ONNXLeakyReluOp>(p, c, TypeClass::Float,
                       [](ONNXLeakyReluOp op, OpBuilder &b, Location loc,
                          ArrayRef<Type>, ValueRange a) -> Value {
                         Value zero = cst(b, loc, a[0], 0.0);
                         Value alpha =
                             cst(b, loc, a[0], attr(op.getAlpha()));
                         Value scaled = arith::MulFOp::create(b, loc, a[0],
                                                              alpha);
                         Value neg = arith::CmpFOp::create(
                             b, loc, arith::CmpFPredicate::OLT, a[0], zero);
                         return arith::SelectOp::create(b, loc, neg, scaled,
                                                        a[0]);
                       });
  add<ONNXReluOp>(p, c, TypeClass::Numeric,
                  [](ONNXReluOp, OpBuilder &b, Location loc,
                     ArrayRef<Type> t, ValueRange a) -> Value {
                    return maxValues(b, loc, t[0], a[0],
                                     cst(b, loc, a[0], 0.0));
                  });
  add<ONNXNegOp>(p, c, TypeClass::Numeric,
                 [](ONNXNegOp, OpBuilder &b, Location loc, ArrayRef<Type>,
                    ValueRange a) -> Value {
                   if (llvm::isa<FloatType>(a[0].getType()))
                     return arith::NegFOp::create(b, loc, a[0]);
                   return arith::SubIOp::create(b, loc,
                                                cst(b, loc, a[0], 0), a[0]);
                 });
  add<ONNXAbsOp>(p, c, TypeClass::Numeric,
                 [](ONNXAbsOp, OpBuilder &b, Location loc, ArrayRef<Type> t,
                    ValueRange a) -> Value {
                   if (llvm::isa<FloatType>(a[0].getType()))
                     return math::AbsFOp::create(b, loc, a[0]);
                   if (isUnsignedInt(t[0]))
                     return a[0];
                   return math::AbsIOp::create(b, loc, a[0]);
                 });
  add<ONNXNotOp>(p, c, TypeClass::Bool,
                 [](ONNXNotOp, OpBuilder &b, Location loc, ArrayRef<Type>,
                    ValueRange a) -> Value {
                   return arith::XOrIOp::create(b, loc, a[0],
                                                cst(b, loc, a[0], 1));
                 });
}

void populateBinary(const TypeConverter &c, RewritePatternSet &p) {
  add<ONNXAddOp>(p, c, TypeClass::Numeric,
                 binaryArith<ONNXAddOp, arith::AddFOp, arith::AddIOp,
                             arith::AddIOp>());
  add<ONNXSubOp>(p, c, TypeClass::Numeric,
                 binaryArith<ONNXSubOp, arith::SubFOp, arith::SubIOp,
                             arith::SubIOp>());
  add<ONNXMulOp>(p, c, TypeClass::Numeric,
                 binaryArith<ONNXMulOp, arith::MulFOp, arith::MulIOp,
                             arith::MulIOp>());
  add<ONNXDivOp>(p, c, TypeClass::Numeric,
                 binaryArith<ONNXDivOp, arith::DivFOp, arith::DivSIOp,
                             arith::DivUIOp>());
  add<ONNXPowOp>(p, c, TypeClass::Numeric,
                 [](ONNXPowOp op, OpBuilder &b, Location loc,
                    ArrayRef<Type> t, ValueRange a) -> Value {
                   // The exponent may have another type than the base.
                   if (llvm::isa<FloatType>(t[0])) {
                     Value exponent = castScalar(b, loc, a[1], t[1], t[0]);
                     return math::PowFOp::create(b, loc, a[0], exponent);
                   }
                   return integerBasePow(b, loc, t, a);
                 });
  add<ONNXMaxOp>(p, c, TypeClass::Numeric, variadic<ONNXMaxOp>(maxValues));
  add<ONNXMinOp>(p, c, TypeClass::Numeric, variadic<ONNXMinOp>(minValues));
  add<ONNXSumOp>(p, c, TypeClass::Numeric, variadic<ONNXSumOp>(addValues));
  add<ONNXMeanOp>(p, c, TypeClass::Float,
                  [](ONNXMeanOp, OpBuilder &b, Location loc,
                     ArrayRef<Type> t, ValueRange a) -> Value {
                    Value sum = variadic<ONNXMeanOp>(addValues)(
                        ONNXMeanOp(), b, loc, t, a);
                    return arith::DivFOp::create(
                        b, loc, sum, cst(b, loc, sum, double(a.size())));
                  });
  using FP = arith::CmpFPredicate;
  using IP = arith::CmpIPredicate;
  add<ONNXEqualOp>(p, c, TypeClass::Any,
                   compare<ONNXEqualOp>(FP::OEQ, IP::eq, IP::eq));
  add<ONNXLessOp>(p, c, TypeClass::Numeric,
                  compare<ONNXLessOp>(FP::OLT, IP::slt, IP::ult));
  add<ONNXLessOrEqualOp>(p, c, TypeClass::Numeric,
                         compare<ONNXLessOrEqualOp>(FP::OLE, IP::sle,
                                                    IP::ule));
  add<ONNXGreaterOp>(p, c, TypeClass::Numeric,
                     compare<ONNXGreaterOp>(FP::OGT, IP::sgt, IP::ugt));
  add<ONNXGreaterOrEqualOp>(p, c, TypeClass::Numeric,
                            compare<ONNXGreaterOrEqualOp>(FP::OGE, IP::sge,
                                                          IP::uge));
  add<ONNXAndOp>(p, c, TypeClass::Bool,
                 binaryArith<ONNXAndOp, arith::AndIOp, arith::AndIOp,
                             arith::AndIOp>());
  add<ONNXOrOp>(p, c, TypeClass::Bool,
                binaryArith<ONNXOrOp, arith::OrIOp, arith::OrIOp,
                            arith::OrIOp>());
  add<ONNXXorOp>(p, c, TypeClass::Bool,
                 binaryArith<ONNXXorOp, arith::XOrIOp, arith::XOrIOp,
                             arith::XOrIOp>());
}

void populateOther(const TypeConverter &c, RewritePatternSet &p) {
  add<ONNXWhereOp>(p, c, TypeClass::Bool,
                   [](ONNXWhereOp, OpBuilder &b, Location loc,
                      ArrayRef<Type>, ValueRange a) -> Value {
                     return arith::SelectOp::create(b, loc, a[0], a[1],
                                                    a[2]);
                   });
  // Clip's min and max are optional; absent ones are skipped by the pattern,
  // so the body sees which are present from the op.
  add<ONNXClipOp>(p, c, TypeClass::Numeric,
                  [](ONNXClipOp op, OpBuilder &b, Location loc,
                     ArrayRef<Type> t, ValueRange a) -> Value {
                    Value x = a[0];
                    unsigned next = 1;
                    if (!isNone(op->getOperand(1)))
                      x = maxValues(b, loc, t[0], x, a[next++]);
                    if (!isNone(op->getOperand(2)))
                      x = minValues(b, loc, t[0], x, a[next]);
                    return x;
                  });
  add<ONNXCastOp>(p, c, TypeClass::Any,
                  [](ONNXCastOp op, OpBuilder &b, Location loc,
                     ArrayRef<Type> t, ValueRange a) -> Value {
                    return castScalar(b, loc, a[0], t[0],
                                      elementTypeOf(op->getResult(0)));
                  });
}

/// Identity forwards its operand.
struct IdentityLowering : OpConversionPattern<ONNXIdentityOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXIdentityOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getOperands().front());
    return success();
  }
};

} // namespace

void populateElementwisePatterns(TypeConverter &converter,
                                 RewritePatternSet &patterns) {
  populateUnary(converter, patterns);
  populateBinary(converter, patterns);
  populateOther(converter, patterns);
  patterns.add<IdentityLowering>(converter, patterns.getContext());
}

} // namespace onnxc
