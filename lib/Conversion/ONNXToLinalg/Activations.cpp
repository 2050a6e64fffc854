//===- Activations.cpp - Activation functions and math ops ----------------===//
//
// Elementwise ops beyond plain arithmetic: the activation functions of
// ONNX (Elu, Selu, HardSigmoid, Softplus, ...), trigonometric and
// hyperbolic functions, float classification, Sign, PRelu, Mod and
// BitShift. Each is a scalar body for the shared elementwise pattern.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseFramework.h"

using namespace mlir;

namespace onnxc {
namespace {

using namespace elementwise;

Value select(OpBuilder &b, Location loc, Value cond, Value x, Value y) {
  return arith::SelectOp::create(b, loc, cond, x, y);
}

Value cmpf(OpBuilder &b, Location loc, arith::CmpFPredicate p, Value x,
           Value y) {
  return arith::CmpFOp::create(b, loc, p, x, y);
}

Value mulf(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MulFOp::create(b, loc, x, y);
}

Value addf(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}

using FP = arith::CmpFPredicate;

void populateMath(const TypeConverter &c, RewritePatternSet &p) {
  add<ONNXTanOp>(p, c, TypeClass::Float, unaryFloat<ONNXTanOp, math::TanOp>());
  add<ONNXSinhOp>(p, c, TypeClass::Float,
                  unaryFloat<ONNXSinhOp, math::SinhOp>());
  add<ONNXCoshOp>(p, c, TypeClass::Float,
                  unaryFloat<ONNXCoshOp, math::CoshOp>());
  add<ONNXAsinOp>(p, c, TypeClass::Float,
                  unaryFloat<ONNXAsinOp, math::AsinOp>());
  add<ONNXAcosOp>(p, c, TypeClass::Float,
                  unaryFloat<ONNXAcosOp, math::AcosOp>());
  add<ONNXAtanOp>(p, c, TypeClass::Float,
                  unaryFloat<ONNXAtanOp, math::AtanOp>());
  add<ONNXAsinhOp>(p, c, TypeClass::Float,
                   unaryFloat<ONNXAsinhOp, math::AsinhOp>());
  add<ONNXAcoshOp>(p, c, TypeClass::Float,
                   unaryFloat<ONNXAcoshOp, math::AcoshOp>());
  add<ONNXAtanhOp>(p, c, TypeClass::Float,
                   unaryFloat<ONNXAtanhOp, math::AtanhOp>());
  add<ONNXIsNaNOp>(p, c, TypeClass::Float,
                   [](ONNXIsNaNOp, OpBuilder &b, Location loc, ArrayRef<Type>,
                      ValueRange a) { return cmpf(b, loc, FP::UNO, a[0], a[0]); });
  add<ONNXIsInfOp>(p, c, TypeClass::Float,
                   [](ONNXIsInfOp op, OpBuilder &b, Location loc,
                      ArrayRef<Type>, ValueRange a) -> Value {
                     auto type = llvm::cast<FloatType>(a[0].getType());
                     auto inf = [&](bool negative) -> Value {
                       return arith::ConstantOp::create(
                           b, loc,
                           b.getFloatAttr(type, APFloat::getInf(
                                                    type.getFloatSemantics(),
                                                    negative)));
                     };
                     Value result = arith::ConstantOp::create(
                         b, loc, b.getBoolAttr(false));
                     if (op.getDetectPositive())
                       result = arith::OrIOp::create(
                           b, loc, result,
                           cmpf(b, loc, FP::OEQ, a[0], inf(false)));
                     if (op.getDetectNegative())
                       result = arith::OrIOp::create(
                           b, loc, result,
                           cmpf(b, loc, FP::OEQ, a[0], inf(true)));
                     return result;
                   });
  add<ONNXSignOp>(p, c, TypeClass::Numeric,
                  [](ONNXSignOp, OpBuilder &b, Location loc, ArrayRef<Type> t,
                     ValueRange a) -> Value {
                    Value x = a[0];
                    Value zero = cst(b, loc, x, 0), one = cst(b, loc, x, 1);
                    Value minusOne = cst(b, loc, x, -1);
                    Value positive, negative;
                    if (llvm::isa<FloatType>(x.getType())) {
                      positive = cmpf(b, loc, FP::OGT, x, zero);
                      negative = cmpf(b, loc, FP::OLT, x, zero);
                    } else {
                      bool isUnsigned = isUnsignedInt(t[0]);
                      positive = arith::CmpIOp::create(
                          b, loc,
                          isUnsigned ? arith::CmpIPredicate::ugt
                                     : arith::CmpIPredicate::sgt,
                          x, zero);
                      negative = isUnsigned
                                     ? Value(arith::ConstantOp::create(
                                           b, loc, b.getBoolAttr(false)))
                                     : Value(arith::CmpIOp::create(
                                           b, loc, arith::CmpIPredicate::slt,
                                           x, zero));
                    }
                    return select(b, loc, positive, one,
                                  select(b, loc, negative, minusOne, zero));
                  });
}

void populateActivations(const TypeConverter &c, RewritePatternSet &p) {
  add<ONNXEluOp>(p, c, TypeClass::Float,
                 [](ONNXEluOp op, OpBuilder &b, Location loc, ArrayRef<Type>,
                    ValueRange a) -> Value {
                   Value x = a[0];
                   Value expm1 = math::ExpM1Op::create(b, loc, x);
                   Value neg = mulf(b, loc, cst(b, loc, x, attr(op.getAlpha())),
                                    expm1);
                   return select(b, loc,
                                 cmpf(b, loc, FP::OLT, x, cst(b, loc, x, 0)),
                                 neg, x);
                 });
  add<ONNXSeluOp>(p, c, TypeClass::Float,
                  [](ONNXSeluOp op, OpBuilder &b, Location loc,
                     ArrayRef<Type>, ValueRange a) -> Value {
                    Value x = a[0];
                    Value alpha = cst(b, loc, x, attr(op.getAlpha()));
                    Value gamma = cst(b, loc, x, attr(op.getGamma()));
                    Value neg = mulf(b, loc, alpha,
                                     math::ExpM1Op::create(b, loc, x));
                    Value y = select(
                        b, loc, cmpf(b, loc, FP::OLE, x, cst(b, loc, x, 0)),
                        neg, x);
                    return mulf(b, loc, gamma, y);
                  });
  add<ONNXHardSigmoidOp>(
      p, c, TypeClass::Float,
      [](ONNXHardSigmoidOp op, OpBuilder &b, Location loc, ArrayRef<Type>,
         ValueRange a) -> Value {
        Value x = a[0];
        Value y = addf(b, loc, mulf(b, loc, cst(b, loc, x, attr(op.getAlpha())), x),
                       cst(b, loc, x, attr(op.getBeta())));
        y = arith::MinimumFOp::create(b, loc, y, cst(b, loc, x, 1));
        return arith::MaximumFOp::create(b, loc, y, cst(b, loc, x, 0));
      });
  add<ONNXSoftplusOp>(p, c, TypeClass::Float,
                      [](ONNXSoftplusOp, OpBuilder &b, Location loc,
                         ArrayRef<Type>, ValueRange a) -> Value {
                        // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no
                        // overflow for large x.
                        Value x = a[0];
                        Value absX = math::AbsFOp::create(b, loc, x);
                        Value e = math::ExpOp::create(
                            b, loc, arith::NegFOp::create(b, loc, absX));
                        return addf(b, loc,
                                    arith::MaximumFOp::create(
                                        b, loc, x, cst(b, loc, x, 0)),
                                    math::Log1pOp::create(b, loc, e));
                      });
  add<ONNXSoftsignOp>(p, c, TypeClass::Float,
                      [](ONNXSoftsignOp, OpBuilder &b, Location loc,
                         ArrayRef<Type>, ValueRange a) -> Value {
                        Value x = a[0];
                        Value den = addf(b, loc, cst(b, loc, x, 1),
                                         math::AbsFOp::create(b, loc, x));
                        return arith::DivFOp::create(b, loc, x, den);
                      });
  add<ONNXThresholdedReluOp>(
      p, c, TypeClass::Float,
      [](ONNXThresholdedReluOp op, OpBuilder &b, Location loc, ArrayRef<Type>,
         ValueRange a) -> Value {
        Value x = a[0];
        return select(
            b, loc,
            cmpf(b, loc, FP::OGT, x, cst(b, loc, x, attr(op.getAlpha()))), x,
            cst(b, loc, x, 0));
      });
  add<ONNXShrinkOp>(p, c, TypeClass::Float,
                    [](ONNXShrinkOp op, OpBuilder &b, Location loc,
                       ArrayRef<Type>, ValueRange a) -> Value {
                      Value x = a[0];
                      Value lambd = cst(b, loc, x, attr(op.getLambd()));
                      Value bias = cst(b, loc, x, attr(op.getBias()));
                      Value negLambd = arith::NegFOp::create(b, loc, lambd);
                      Value low = addf(b, loc, x, bias);
                      Value high = arith::SubFOp::create(b, loc, x, bias);
                      return select(
                          b, loc, cmpf(b, loc, FP::OLT, x, negLambd), low,
                          select(b, loc, cmpf(b, loc, FP::OGT, x, lambd), high,
                                 cst(b, loc, x, 0)));
                    });
  add<ONNXPReluOp>(p, c, TypeClass::Float,
                   [](ONNXPReluOp, OpBuilder &b, Location loc, ArrayRef<Type>,
                      ValueRange a) -> Value {
                     Value x = a[0];
                     return select(b, loc,
                                   cmpf(b, loc, FP::OLT, x, cst(b, loc, x, 0)),
                                   mulf(b, loc, a[1], x), x);
                   });
}

/// Mod: fmod=1 is C's fmod (sign of the dividend); fmod=0 (integers only)
/// is Python's % (sign of the divisor).
Value modulo(ONNXModOp op, OpBuilder &b, Location loc, ArrayRef<Type> t,
             ValueRange a) {
  Value x = a[0], y = a[1];
  if (llvm::isa<FloatType>(x.getType()))
    return arith::RemFOp::create(b, loc, x, y);
  if (isUnsignedInt(t[0]))
    return arith::RemUIOp::create(b, loc, x, y);
  Value rem = arith::RemSIOp::create(b, loc, x, y);
  if (op.getFmod())
    return rem;
  Value zero = cst(b, loc, x, 0);
  Value nonzero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, rem, zero);
  Value remNegative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, rem, zero);
  Value divisorNegative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, y, zero);
  Value signsDiffer =
      arith::XOrIOp::create(b, loc, remNegative, divisorNegative);
  Value adjust = arith::AndIOp::create(b, loc, nonzero, signsDiffer);
  return select(b, loc, adjust, arith::AddIOp::create(b, loc, rem, y), rem);
}

void populateIntegerOps(const TypeConverter &c, RewritePatternSet &p) {
  add<ONNXModOp>(p, c, TypeClass::Numeric, modulo);
  add<ONNXBitShiftOp>(p, c, TypeClass::Integer,
                      [](ONNXBitShiftOp op, OpBuilder &b, Location loc,
                         ArrayRef<Type>, ValueRange a) -> Value {
                        if (op.getDirection() == "LEFT")
                          return arith::ShLIOp::create(b, loc, a[0], a[1]);
                        return arith::ShRUIOp::create(b, loc, a[0], a[1]);
                      });
}

} // namespace

void populateActivationPatterns(TypeConverter &converter,
                                RewritePatternSet &patterns) {
  populateMath(converter, patterns);
  populateActivations(converter, patterns);
  populateIntegerOps(converter, patterns);
}

} // namespace onnxc
