//===- MatMul.cpp - MatMul and Gemm to linalg -----------------------------===//
//
// Both lower to a contraction: a linalg.generic with parallel dims for the
// (broadcast) batch, M and N, and one reduction dim K, accumulating into a
// zero-filled tensor. Gemm then applies alpha, beta and C elementwise.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace onnxc {
namespace {

Value multiplyAdd(OpBuilder &b, Location loc, Value x, Value y, Value acc) {
  if (llvm::isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, acc,
                                 arith::MulFOp::create(b, loc, x, y));
  return arith::AddIOp::create(b, loc, acc,
                               arith::MulIOp::create(b, loc, x, y));
}

/// Builds out[batch..., m?, n?] += a[...] * b[...] over the iteration space
/// (result dims..., k). `aMap`/`bMap` index the operands.
Value contract(OpBuilder &b, Location loc, RankedTensorType resultType,
               Value lhs, Value rhs, AffineMap lhsMap, AffineMap rhsMap) {
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  AffineMap outMap = AffineMap::getMultiDimIdentityMap(rank + 1, ctx)
                         .getMajorSubMap(rank);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Value zero =
      scalarConstant(b, loc, resultType.getElementType(), 0.0);
  Value init = filledTensor(b, loc, resultType, zero);
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{lhs, rhs}, init,
             ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iterators,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nloc, multiplyAdd(nb, nloc, args[0], args[1], args[2]));
             })
      .getResult(0);
}

/// Maps the batch dims of a matrix operand of rank `rank` onto the result's
/// batch dims (numpy broadcasting), then appends `rowExpr`, `colExpr`.
SmallVector<AffineExpr> batchExprs(MLIRContext *ctx, ArrayRef<int64_t> shape,
                                   ArrayRef<int64_t> resultBatch) {
  SmallVector<AffineExpr> exprs;
  int64_t operandBatch = int64_t(shape.size()) - 2;
  int64_t offset = int64_t(resultBatch.size()) - operandBatch;
  for (int64_t i = 0; i < operandBatch; ++i) {
    if (shape[i] == 1 && resultBatch[offset + i] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(offset + i, ctx));
  }
  return exprs;
}

/// The transpose of a constant matrix (a converted operand), computed at
/// compile time, or null when `value` is not a dense constant matrix of a
/// float type.
Value transposedConstant(OpBuilder &b, Location loc, Value value) {
  DenseElementsAttr dense;
  if (!matchPattern(value, m_Constant(&dense)) || dense.getType().getRank() != 2 ||
      !llvm::isa<FloatType>(dense.getElementType()))
    return {};
  DenseElementsAttr transposed =
      permuteConstant(dense, dense.getType().getShape(), {1, 0});
  return transposed ? Value(arith::ConstantOp::create(b, loc, transposed))
                    : Value();
}

} // namespace

Value buildMatMul(OpBuilder &b, Location loc, RankedTensorType resultType,
                  Value lhs, Value rhs) {
  auto lhsType = llvm::cast<RankedTensorType>(lhs.getType());
  auto rhsType = llvm::cast<RankedTensorType>(rhs.getType());
  MLIRContext *ctx = b.getContext();
  int64_t rank = resultType.getRank();
  bool lhsVector = lhsType.getRank() == 1, rhsVector = rhsType.getRank() == 1;
  int64_t matrixDims = (lhsVector ? 0 : 1) + (rhsVector ? 0 : 1);
  ArrayRef<int64_t> resultBatch =
      resultType.getShape().take_front(rank - matrixDims);
  AffineExpr k = getAffineDimExpr(rank, ctx);
  AffineExpr m = getAffineDimExpr(resultBatch.size(), ctx);
  AffineExpr n = getAffineDimExpr(rank - 1, ctx);
  SmallVector<AffineExpr> lhsExprs, rhsExprs;
  if (lhsVector) {
    lhsExprs = {k};
  } else {
    lhsExprs = batchExprs(ctx, lhsType.getShape(), resultBatch);
    lhsExprs.append({m, k});
  }
  if (rhsVector) {
    rhsExprs = {k};
  } else {
    rhsExprs = batchExprs(ctx, rhsType.getShape(), resultBatch);
    rhsExprs.append({k, n});
  }
  return contract(b, loc, resultType, lhs, rhs,
                  AffineMap::get(rank + 1, 0, lhsExprs, ctx),
                  AffineMap::get(rank + 1, 0, rhsExprs, ctx));
}

namespace {

struct MatMulLowering : OpConversionPattern<ONNXMatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXMatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    Value lhs = adaptor.getOperands()[0], rhs = adaptor.getOperands()[1];
    if (!resultType || !resultType.hasStaticShape() ||
        !llvm::cast<RankedTensorType>(lhs.getType()).hasStaticShape() ||
        !llvm::cast<RankedTensorType>(rhs.getType()).hasStaticShape())
      return unsupported(op, "needs static shapes");
    rewriter.replaceOp(op,
                       buildMatMul(rewriter, op.getLoc(), resultType, lhs, rhs));
    return success();
  }
};

struct GemmLowering : OpConversionPattern<ONNXGemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXGemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!resultType || !resultType.hasStaticShape() ||
        !llvm::isa<FloatType>(resultType.getElementType()))
      return unsupported(op, "needs a static float result");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    AffineMap lhsMap = AffineMap::get(
        3, 0, op.getTransA() ? ArrayRef<AffineExpr>{k, m} : ArrayRef<AffineExpr>{m, k},
        ctx);
    // A constant B (the weight of a linear layer, which PyTorch exports
    // with transB) is transposed at compile time: the contraction then
    // reads B's rows contiguously along N.
    ValueRange operands = adaptor.getOperands();
    Value rhs = operands[1];
    bool transB = op.getTransB();
    if (transB)
      if (Value transposed = transposedConstant(rewriter, loc, rhs)) {
        rhs = transposed;
        transB = false;
      }
    AffineMap rhsMap = AffineMap::get(
        3, 0, transB ? ArrayRef<AffineExpr>{n, k} : ArrayRef<AffineExpr>{k, n},
        ctx);
    Value product = contract(rewriter, loc, resultType, operands[0], rhs,
                             lhsMap, rhsMap);

    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    bool hasC = !isNone(op->getOperand(2)) && beta != 0.0;
    if (alpha == 1.0 && !hasC) {
      rewriter.replaceOp(op, product);
      return success();
    }
    SmallVector<Value> inputs{product};
    if (hasC)
      inputs.push_back(operands[2]);
    Value result = buildElementwise(
        rewriter, loc, resultType, inputs,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value acc = args[0];
          if (alpha != 1.0)
            acc = arith::MulFOp::create(
                b, l, acc, scalarConstant(b, l, acc.getType(), alpha));
          if (!hasC)
            return acc;
          Value c = args[1];
          if (beta != 1.0)
            c = arith::MulFOp::create(b, l, c,
                                      scalarConstant(b, l, c.getType(), beta));
          return Value(arith::AddFOp::create(b, l, acc, c));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateMatMulPatterns(TypeConverter &converter,
                            RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, GemmLowering>(converter, patterns.getContext());
}

} // namespace onnxc
