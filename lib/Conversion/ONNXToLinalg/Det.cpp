//===- Det.cpp - Det by Gaussian elimination ------------------------------===//
//
// Det of each [M, M] matrix of a [..., M, M] tensor is the product of the
// pivots of Gaussian elimination with partial pivoting (each row swap
// negates it). The elimination is sequential and data-dependent (the pivot
// row), so it is nested scf.for loops of tensor.extract / tensor.insert on
// a working copy of all matrices, carried as a loop value so that it
// bufferizes in place: one buffer, allocated outside the loops. The working
// copy and the arithmetic are f32 (f64 for f64 input) so that f16 matrices
// do not lose precision at every step.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace onnxc {
namespace {

class Elimination {
public:
  Elimination(OpBuilder &b, Location loc, int64_t size, Type type)
      : b(b), loc(loc), size(size), type(type) {}

  /// The determinant of matrix `batch` of `work` ([B, M, M]); returns it and
  /// the updated working tensor.
  std::pair<Value, Value> determinant(Value work, Value batch) {
    auto loop = scf::ForOp::create(
        b, loc, idx(0), idx(size), idx(1),
        ValueRange{work, scalarConstant(b, loc, type, 1.0)},
        [&](OpBuilder &nb, Location l, Value k, ValueRange args) {
          Elimination inner(nb, l, size, type);
          auto [w, det] = inner.step(args[0], args[1], batch, k);
          scf::YieldOp::create(nb, l, ValueRange{w, det});
        });
    return {loop.getResult(1), loop.getResult(0)};
  }

private:
  Value idx(int64_t v) { return indexConstant(b, loc, v); }
  Value at(Value work, Value batch, Value row, Value col) {
    return tensor::ExtractOp::create(b, loc, work, ValueRange{batch, row, col});
  }

  /// Eliminates column `k`: swaps the pivot row up, multiplies the
  /// determinant by the pivot, and subtracts multiples of row k below it.
  std::pair<Value, Value> step(Value work, Value det, Value batch, Value k) {
    Value pivotRow = findPivot(work, batch, k);
    Value swapped =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, pivotRow, k);
    work = swapRows(work, batch, k, pivotRow);
    det = arith::SelectOp::create(b, loc, swapped,
                                  arith::NegFOp::create(b, loc, det), det);
    Value pivot = at(work, batch, k, k);
    det = arith::MulFOp::create(b, loc, det, pivot);
    // A zero pivot makes the determinant 0; skipping the elimination keeps
    // later pivots finite so that it stays 0 rather than NaN.
    Value singular =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, pivot,
                              scalarConstant(b, loc, type, 0.0));
    Value next = arith::AddIOp::create(b, loc, k, idx(1));
    auto rows = scf::ForOp::create(
        b, loc, next, idx(size), idx(1), ValueRange{work},
        [&](OpBuilder &nb, Location l, Value i, ValueRange args) {
          Value w = args[0];
          Value factor = arith::DivFOp::create(
              nb, l,
              tensor::ExtractOp::create(nb, l, w, ValueRange{batch, i, k}),
              pivot);
          factor = arith::SelectOp::create(
              nb, l, singular, scalarConstant(nb, l, type, 0.0), factor);
          auto cols = scf::ForOp::create(
              nb, l, next, indexConstant(nb, l, size), indexConstant(nb, l, 1),
              ValueRange{w},
              [&](OpBuilder &cb, Location cl, Value j, ValueRange cargs) {
                Value cw = cargs[0];
                Value top = tensor::ExtractOp::create(cb, cl, cw,
                                                      ValueRange{batch, k, j});
                Value cur = tensor::ExtractOp::create(cb, cl, cw,
                                                      ValueRange{batch, i, j});
                Value updated = arith::SubFOp::create(
                    cb, cl, cur, arith::MulFOp::create(cb, cl, factor, top));
                scf::YieldOp::create(
                    cb, cl,
                    Value(tensor::InsertOp::create(cb, cl, updated, cw,
                                                   ValueRange{batch, i, j})));
              });
          scf::YieldOp::create(nb, l, cols.getResult(0));
        });
    return {rows.getResult(0), det};
  }

  /// The row at or below k with the largest |A[row, k]| (the first one on
  /// ties; k itself when all are NaN).
  Value findPivot(Value work, Value batch, Value k) {
    Value next = arith::AddIOp::create(b, loc, k, idx(1));
    Value start = math::AbsFOp::create(b, loc, at(work, batch, k, k));
    auto loop = scf::ForOp::create(
        b, loc, next, idx(size), idx(1), ValueRange{k, start},
        [&](OpBuilder &nb, Location l, Value i, ValueRange args) {
          Value candidate = math::AbsFOp::create(
              nb, l,
              tensor::ExtractOp::create(nb, l, work, ValueRange{batch, i, k}));
          Value better = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT,
                                               candidate, args[1]);
          scf::YieldOp::create(
              nb, l,
              ValueRange{
                  arith::SelectOp::create(nb, l, better, i, args[0]),
                  arith::SelectOp::create(nb, l, better, candidate, args[1])});
        });
    return loop.getResult(0);
  }

  /// Swaps rows k and p from column k on (the columns before k are already
  /// eliminated and no longer read). A no-op when p == k.
  Value swapRows(Value work, Value batch, Value k, Value p) {
    auto loop = scf::ForOp::create(
        b, loc, k, idx(size), idx(1), ValueRange{work},
        [&](OpBuilder &nb, Location l, Value j, ValueRange args) {
          Value w = args[0];
          Value fromK =
              tensor::ExtractOp::create(nb, l, w, ValueRange{batch, k, j});
          Value fromP =
              tensor::ExtractOp::create(nb, l, w, ValueRange{batch, p, j});
          w = tensor::InsertOp::create(nb, l, fromP, w,
                                       ValueRange{batch, k, j});
          w = tensor::InsertOp::create(nb, l, fromK, w,
                                       ValueRange{batch, p, j});
          scf::YieldOp::create(nb, l, w);
        });
    return loop.getResult(0);
  }

  OpBuilder &b;
  Location loc;
  int64_t size;
  Type type;
};

struct DetLowering : OpConversionPattern<ONNXDetOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ONNXDetOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getX();
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !inputType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    int64_t rank = inputType.getRank();
    if (rank < 2 ||
        inputType.getDimSize(rank - 1) != inputType.getDimSize(rank - 2))
      return unsupported(op, "needs square matrices [..., M, M]");
    Type element = inputType.getElementType();
    if (!llvm::isa<FloatType>(element) || type.getElementType() != element)
      return unsupported(op, "needs float data");
    int64_t size = inputType.getDimSize(rank - 1);
    int64_t batches = 1;
    for (int64_t d : inputType.getShape().drop_back(2))
      batches *= d;
    if (type.getNumElements() != batches)
      return unsupported(op, "the result must hold one value per matrix");

    Location loc = op.getLoc();
    Type computeType = element.isF64() ? Type(rewriter.getF64Type())
                                       : Type(rewriter.getF32Type());
    auto workType = RankedTensorType::get({batches, size, size}, computeType);
    Value work =
        reshapeTensor(rewriter, loc, input,
                      RankedTensorType::get({batches, size, size}, element));
    // The working copy: a fresh tensor, so that the input (read-only) is
    // never written, in the compute type.
    work =
        buildElementwise(rewriter, loc, workType, work,
                         [&](OpBuilder &b, Location l, ValueRange a) {
                           return castScalar(b, l, a[0], element, computeType);
                         });
    auto resultType = RankedTensorType::get({batches}, element);
    auto loop = scf::ForOp::create(
        rewriter, loc, indexConstant(rewriter, loc, 0),
        indexConstant(rewriter, loc, batches), indexConstant(rewriter, loc, 1),
        ValueRange{work, emptyTensor(rewriter, loc, resultType)},
        [&](OpBuilder &b, Location l, Value batch, ValueRange args) {
          Elimination elimination(b, l, size, computeType);
          auto [det, w] = elimination.determinant(args[0], batch);
          Value value = castScalar(b, l, det, computeType, element);
          Value results =
              tensor::InsertOp::create(b, l, value, args[1], ValueRange{batch});
          scf::YieldOp::create(b, l, ValueRange{w, results});
        });
    rewriter.replaceOp(op,
                       reshapeTensor(rewriter, loc, loop.getResult(1), type));
    return success();
  }
};

} // namespace

void populateDetPatterns(TypeConverter &converter,
                         RewritePatternSet &patterns) {
  patterns.add<DetLowering>(converter, patterns.getContext());
}

} // namespace onnxc
