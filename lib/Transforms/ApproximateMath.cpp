//===- ApproximateMath.cpp - Transcendentals without libm -----------------===//
//
// Firmware often links no C math library. This pass rewrites every math op
// that would become a libm call into arithmetic, with upstream MLIR's
// expansions and polynomial approximations (float32) and our own exp and log
// for float64, and reports the ones it cannot.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace onnxc {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// Math ops that LLVM lowers to instructions (or integer code) on every
/// target we emit for, rather than to calls into libm. Rounding is not among
/// them: it is expanded below.
bool lowersWithoutLibm(Operation *op) {
  return isa<math::AbsFOp, math::AbsIOp, math::CopySignOp, math::SqrtOp,
             math::FmaOp, math::CountLeadingZerosOp,
             math::CountTrailingZerosOp, math::CtPopOp, math::IsNaNOp,
             math::IsInfOp, math::IsFiniteOp, math::IsNormalOp>(op);
}

/// floor, ceil, trunc, round and roundeven from integer conversions: CPUs
/// without rounding instructions (a Cortex-M4's FPv4, x86 without SSE4.1)
/// call libm for them, and the exp/log approximations create them. Exact:
/// values of magnitude 2^mantissa-bits or more (and NaN, infinities) are
/// already integral and pass through; x - trunc(x) is exact.
template <typename OpTy>
struct ExpandRounding : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto type = llvm::dyn_cast<FloatType>(op.getType());
    if (!type || (!type.isF32() && !type.isF64()))
      return rewriter.notifyMatchFailure(op, "not a float32/float64 scalar");
    Location loc = op.getLoc();
    Value x = op.getOperand();
    auto cst = [&](double value) -> Value {
      return arith::ConstantOp::create(rewriter, loc,
                                       rewriter.getFloatAttr(type, value));
    };
    IntegerType intType = rewriter.getIntegerType(type.getWidth());
    Value asInt = arith::FPToSIOp::create(rewriter, loc, intType, x);
    Value truncated = math::CopySignOp::create(
        rewriter, loc, arith::SIToFPOp::create(rewriter, loc, type, asInt), x);
    Value result = truncated;
    using P = arith::CmpFPredicate;
    auto select = [&](P predicate, Value lhs, Value rhs, Value yes) {
      Value cond = arith::CmpFOp::create(rewriter, loc, predicate, lhs, rhs);
      return arith::SelectOp::create(rewriter, loc, cond, yes, result);
    };
    if (isa<math::FloorOp>(op)) {
      result = select(P::OGT, truncated, x,
                      arith::SubFOp::create(rewriter, loc, truncated, cst(1)));
    } else if (isa<math::CeilOp>(op)) {
      result = select(P::OLT, truncated, x,
                      arith::AddFOp::create(rewriter, loc, truncated, cst(1)));
    } else if (isa<math::RoundOp, math::RoundEvenOp>(op)) {
      Value fraction = math::AbsFOp::create(
          rewriter, loc, arith::SubFOp::create(rewriter, loc, x, truncated));
      Value away = arith::AddFOp::create(
          rewriter, loc, truncated,
          math::CopySignOp::create(rewriter, loc, cst(1), x));
      Value up = arith::CmpFOp::create(rewriter, loc, P::OGT, fraction,
                                       cst(0.5));
      Value half = arith::CmpFOp::create(rewriter, loc, P::OEQ, fraction,
                                         cst(0.5));
      if (isa<math::RoundEvenOp>(op)) {
        Value one = arith::ConstantOp::create(
            rewriter, loc, rewriter.getIntegerAttr(intType, 1));
        Value odd = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq,
            arith::AndIOp::create(rewriter, loc, asInt, one), one);
        half = arith::AndIOp::create(rewriter, loc, half, odd);
      }
      Value roundAway = arith::OrIOp::create(rewriter, loc, up, half);
      result = arith::SelectOp::create(rewriter, loc, roundAway, away, result);
    }
    // Large magnitudes and NaN are their own rounding.
    double limit = type.isF32() ? 8388608.0 : 4503599627370496.0;
    Value small = arith::CmpFOp::create(
        rewriter, loc, P::OLT, math::AbsFOp::create(rewriter, loc, x),
        cst(limit));
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, small, result, x);
    return success();
  }
};

/// Helpers for the float64 approximations below.
struct F64Builder {
  PatternRewriter &rewriter;
  Location loc;

  Value f(double value) {
    return arith::ConstantOp::create(rewriter, loc,
                                     rewriter.getF64FloatAttr(value));
  }
  Value i(int64_t value) {
    return arith::ConstantOp::create(rewriter, loc,
                                     rewriter.getI64IntegerAttr(value));
  }
  Value add(Value a, Value b) {
    return arith::AddFOp::create(rewriter, loc, a, b);
  }
  Value sub(Value a, Value b) {
    return arith::SubFOp::create(rewriter, loc, a, b);
  }
  Value mul(Value a, Value b) {
    return arith::MulFOp::create(rewriter, loc, a, b);
  }
  Value cmp(arith::CmpFPredicate predicate, Value a, Value b) {
    return arith::CmpFOp::create(rewriter, loc, predicate, a, b);
  }
  Value select(Value cond, Value a, Value b) {
    return arith::SelectOp::create(rewriter, loc, cond, a, b);
  }
  /// c[0] + x * (c[1] + x * (...)).
  Value horner(Value x, ArrayRef<double> coefficients) {
    Value acc = f(coefficients.back());
    for (double c : llvm::reverse(coefficients.drop_back()))
      acc = add(f(c), mul(x, acc));
    return acc;
  }
  /// 2^k for an integer k in [-1022, 1023], built from its exponent bits.
  Value exp2i(Value k) {
    Value bits = arith::ShLIOp::create(
        rewriter, loc, arith::AddIOp::create(rewriter, loc, k, i(1023)),
        i(52));
    return arith::BitcastOp::create(rewriter, loc, rewriter.getF64Type(),
                                    bits);
  }
};

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11 (fdlibm's values).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;

/// exp on float64 (upstream approximates float32 only): exp(x) = 2^k e^r
/// with k = round(x / ln 2), |r| <= ln(2)/2, and e^r from its Taylor series
/// to r^13 (truncation below 1e-17 relative).
struct ExpF64 : OpRewritePattern<math::ExpOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::ExpOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().isF64())
      return rewriter.notifyMatchFailure(op, "not a float64 scalar");
    F64Builder b{rewriter, op.getLoc()};
    Value x = op.getOperand();
    // Beyond +-750 the result is inf or 0 anyway; clamping keeps k small.
    Value clamped = arith::MinimumFOp::create(
        rewriter, b.loc, arith::MaximumFOp::create(rewriter, b.loc, x, b.f(-750)),
        b.f(750));
    Value t = b.mul(clamped, b.f(1.4426950408889634074));
    Value half = math::CopySignOp::create(rewriter, b.loc, b.f(0.5), t);
    Value k = arith::FPToSIOp::create(rewriter, b.loc, rewriter.getI64Type(),
                                      b.add(t, half));
    Value kf = arith::SIToFPOp::create(rewriter, b.loc, rewriter.getF64Type(), k);
    Value r = b.sub(b.sub(clamped, b.mul(kf, b.f(kLn2Hi))), b.mul(kf, b.f(kLn2Lo)));
    SmallVector<double> taylor{1.0};
    for (int n = 1; n <= 13; ++n)
      taylor.push_back(taylor.back() / n);
    Value p = b.horner(r, taylor);
    // 2^k in two factors: k reaches -1082 and 1083, past one exponent field.
    Value k1 = arith::ShRSIOp::create(rewriter, b.loc, k, b.i(1));
    Value k2 = arith::SubIOp::create(rewriter, b.loc, k, k1);
    Value result = b.mul(b.mul(p, b.exp2i(k1)), b.exp2i(k2));
    Value isNaN = b.cmp(arith::CmpFPredicate::UNO, x, x);
    rewriter.replaceOp(op, b.select(isNaN, x, result));
    return success();
  }
};

/// log on float64: x = 2^e m with m in [sqrt(1/2), sqrt(2)), and
/// log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172, from its series
/// to s^21 (truncation below 1e-17).
struct LogF64 : OpRewritePattern<math::LogOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::LogOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().isF64())
      return rewriter.notifyMatchFailure(op, "not a float64 scalar");
    F64Builder b{rewriter, op.getLoc()};
    Type i64 = rewriter.getI64Type();
    Value x = op.getOperand();
    // Subnormals: scale into the normal range first.
    Value tiny = b.cmp(arith::CmpFPredicate::OLT, x, b.f(0x1p-1022));
    Value scaled = b.select(tiny, b.mul(x, b.f(0x1p54)), x);
    Value bits = arith::BitcastOp::create(rewriter, b.loc, i64, scaled);
    Value biased = arith::ShRUIOp::create(rewriter, b.loc, bits, b.i(52));
    Value mantissaBits = arith::OrIOp::create(
        rewriter, b.loc,
        arith::AndIOp::create(rewriter, b.loc, bits, b.i((1LL << 52) - 1)),
        b.i(1023LL << 52));
    Value m = arith::BitcastOp::create(rewriter, b.loc, rewriter.getF64Type(),
                                       mantissaBits);
    Value e = arith::SIToFPOp::create(
        rewriter, b.loc, rewriter.getF64Type(),
        arith::SubIOp::create(rewriter, b.loc, biased, b.i(1023)));
    e = b.select(tiny, b.sub(e, b.f(54)), e);
    Value large = b.cmp(arith::CmpFPredicate::OGT, m, b.f(1.4142135623730951));
    m = b.select(large, b.mul(m, b.f(0.5)), m);
    e = b.select(large, b.add(e, b.f(1)), e);
    Value s = arith::DivFOp::create(rewriter, b.loc, b.sub(m, b.f(1)),
                                    b.add(m, b.f(1)));
    SmallVector<double> series;
    for (int n = 0; n <= 10; ++n)
      series.push_back(1.0 / (2 * n + 1));
    Value logM = b.mul(b.mul(b.f(2), s), b.horner(b.mul(s, s), series));
    Value result = b.add(b.mul(e, b.f(kLn2Hi)), b.add(logM, b.mul(e, b.f(kLn2Lo))));
    // log(0) = -inf, log(inf) = inf, log(x < 0) and log(NaN) = NaN.
    double inf = std::numeric_limits<double>::infinity();
    result = b.select(b.cmp(arith::CmpFPredicate::OEQ, x, b.f(inf)), x, result);
    result = b.select(b.cmp(arith::CmpFPredicate::OEQ, x, b.f(0)), b.f(-inf),
                      result);
    result = b.select(b.cmp(arith::CmpFPredicate::ULT, x, b.f(0)),
                      b.f(std::numeric_limits<double>::quiet_NaN()), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ApproximateMathPass : impl::ApproximateMathBase<ApproximateMathPass> {
  using Base::Base;

  /// exp, tanh and erf on float32 only: the polynomials of the loops that
  /// LLVM should vectorize.
  void approximateForVectorization() {
    auto selected = [](StringRef name) {
      name.consume_front("math.");
      return name == "exp" || name == "tanh" || name == "erf";
    };
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, selected);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }

  void runOnOperation() override {
    if (vectorizableOnly)
      return approximateForVectorization();
    RewritePatternSet patterns(&getContext());
    auto all = [](StringRef) { return true; };
    // sinh, powf, ... become exp/log first; float16 math runs in float32;
    // then exp, log, erf, ... become polynomials.
    math::populateExpansionPatterns(patterns);
    populateMathF32ExpansionPatterns(patterns, all);
    populateMathPolynomialApproximationPatterns(patterns, all);
    patterns.add<ExpandRounding<math::FloorOp>, ExpandRounding<math::CeilOp>,
                 ExpandRounding<math::TruncOp>, ExpandRounding<math::RoundOp>,
                 ExpandRounding<math::RoundEvenOp>, ExpF64, LogF64>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();

    WalkResult walk = getOperation()->walk([](Operation *op) {
      if (!isa<math::MathDialect>(op->getDialect()) || lowersWithoutLibm(op))
        return WalkResult::advance();
      Type type = op->getResultTypes().empty()
                      ? Type()
                      : getElementTypeOrSelf(op->getResult(0).getType());
      InFlightDiagnostic diag = op->emitError()
                                << "-no-libm: '" << op->getName() << "'";
      if (type)
        diag << " on " << type;
      diag << " has no polynomial approximation and would call libm";
      return WalkResult::interrupt();
    });
    if (walk.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
} // namespace onnxc
