//===- DataDependent.cpp - Ops whose output size depends on data ----------===//
//
// Range, TopK with a K input, NonZero, Compress and the window generators
// have outputs whose size depends on input values. Every shape in the
// compiler is static, so these are compiled for the size that shape
// inference or the model declares, and the lowering checks the data at run
// time (emitRuntimeCheck): when the data asks for another size, NAME_run
// returns 2. The code never reads or writes out of bounds either way.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace onnxc {
namespace {

Value indexCast(OpBuilder &b, Location loc, Value value) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
}

Value i64Cast(OpBuilder &b, Location loc, Value value) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), value);
}

Value equalsIndex(OpBuilder &b, Location loc, Value value, int64_t expected) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, value,
                               indexConstant(b, loc, expected));
}

Value isNonZero(OpBuilder &b, Location loc, Value value) {
  if (llvm::isa<FloatType>(value.getType()))
    return arith::CmpFOp::create(
        b, loc, arith::CmpFPredicate::UNE, value,
        arith::ConstantOp::create(b, loc, b.getFloatAttr(value.getType(), 0)));
  return arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::ne, value,
      arith::ConstantOp::create(b, loc, b.getIntegerAttr(value.getType(), 0)));
}

//===----------------------------------------------------------------------===//
// Range
//===----------------------------------------------------------------------===//

/// max(ceil((limit - start) / delta), 0) as an index.
Value rangeCount(OpBuilder &b, Location loc, Value start, Value limit,
                 Value delta) {
  Value count;
  if (llvm::isa<FloatType>(start.getType())) {
    Value quotient = arith::DivFOp::create(
        b, loc, arith::SubFOp::create(b, loc, limit, start), delta);
    Value ceiled = math::CeilOp::create(b, loc, quotient);
    // Clamp before converting: a NaN or huge count must not be poison.
    Type f64 = b.getF64Type();
    Value wide = castScalar(b, loc, ceiled, ceiled.getType(), f64);
    wide = arith::MaximumFOp::create(
        b, loc, wide, arith::ConstantOp::create(b, loc, b.getF64FloatAttr(0)));
    wide = arith::MinimumFOp::create(
        b, loc, wide,
        arith::ConstantOp::create(b, loc, b.getF64FloatAttr(1e15)));
    count = arith::FPToSIOp::create(b, loc, b.getI64Type(), wide);
  } else {
    Type i64 = b.getI64Type();
    auto widen = [&](Value v) {
      return v.getType() == i64 ? v : arith::ExtSIOp::create(b, loc, i64, v);
    };
    Value safeDelta = arith::SelectOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, widen(delta),
                              arith::ConstantOp::create(
                                  b, loc, b.getI64IntegerAttr(0))),
        arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(1)),
        widen(delta));
    count = arith::CeilDivSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, widen(limit), widen(start)),
        safeDelta);
    count = arith::MaxSIOp::create(
        b, loc, count,
        arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)));
  }
  return indexCast(b, loc, count);
}

struct RangeLowering : OpConversionPattern<ONNXRangeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXRangeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || type.getRank() != 1)
      return unsupported(op, "needs a static 1-D result shape");
    Location loc = op.getLoc();
    Value start = extractScalar(rewriter, loc, adaptor.getStart());
    Value limit = extractScalar(rewriter, loc, adaptor.getLimit());
    Value delta = extractScalar(rewriter, loc, adaptor.getDelta());
    // A zero delta makes an endless range.
    Value ok = arith::AndIOp::create(
        rewriter, loc,
        equalsIndex(rewriter, loc,
                    rangeCount(rewriter, loc, start, limit, delta),
                    type.getDimSize(0)),
        isNonZero(rewriter, loc, delta));
    emitRuntimeCheck(rewriter, loc, ok,
                     "Range: the inputs give another length than compiled");
    Type element = type.getElementType();
    rewriter.replaceOp(
        op, buildFromIndices(
                rewriter, loc, type,
                [&](OpBuilder &b, Location l, ArrayRef<Value> out) -> Value {
                  Value i = i64Cast(b, l, out[0]);
                  if (llvm::isa<FloatType>(element)) {
                    Value f = arith::SIToFPOp::create(b, l, element, i);
                    return arith::AddFOp::create(
                        b, l, start, arith::MulFOp::create(b, l, f, delta));
                  }
                  Value n = element.isInteger(64)
                                ? i
                                : Value(arith::TruncIOp::create(b, l, element,
                                                                i));
                  return arith::AddIOp::create(
                      b, l, start, arith::MulIOp::create(b, l, n, delta));
                }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// TopK
//===----------------------------------------------------------------------===//

/// Whether element `a` (at index ia) ranks before `b` (at ib): larger (or
/// smaller) first, the lower index first among equals, as ONNX specifies.
Value ranksBefore(OpBuilder &b, Location loc, Value x, Value ix, Value y,
                  Value iy, bool largest, bool isUnsigned) {
  Value better, equal;
  if (llvm::isa<FloatType>(x.getType())) {
    better = arith::CmpFOp::create(
        b, loc, largest ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
        x, y);
    equal = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, y);
  } else {
    using P = arith::CmpIPredicate;
    P predicate = largest ? (isUnsigned ? P::ugt : P::sgt)
                          : (isUnsigned ? P::ult : P::slt);
    better = arith::CmpIOp::create(b, loc, predicate, x, y);
    equal = arith::CmpIOp::create(b, loc, P::eq, x, y);
  }
  Value earlier =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, ix, iy);
  return arith::OrIOp::create(b, loc, better,
                              arith::AndIOp::create(b, loc, equal, earlier));
}

/// The identity map over `rank` dims with dim `axis` replaced by `dim`.
AffineMap withAxis(int64_t loops, int64_t rank, int64_t axis, int64_t dim,
                   MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    exprs.push_back(getAffineDimExpr(d == axis ? dim : d, ctx));
  return AffineMap::get(loops, 0, exprs, ctx);
}

/// TopK: each element's rank in its slice (how many elements rank before
/// it), then output position p takes the element of rank p. Sorted output
/// satisfies sorted=0 too.
struct TopKLowering : OpConversionPattern<ONNXTopKOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXTopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value x = adaptor.getX();
    auto inType = llvm::cast<RankedTensorType>(x.getType());
    auto valuesType =
        convertTensorType(*getTypeConverter(), op.getValues().getType());
    auto indicesType =
        convertTensorType(*getTypeConverter(), op.getIndices().getType());
    if (!inType.hasStaticShape() || !valuesType ||
        !valuesType.hasStaticShape() || !indicesType ||
        !indicesType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    int64_t rank = inType.getRank();
    FailureOr<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    if (failed(axis))
      return unsupported(op, "bad axis");
    int64_t n = inType.getDimSize(*axis), k = valuesType.getDimSize(*axis);
    if (k > n)
      return unsupported(op, "K is larger than the axis");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    emitRuntimeCheck(
        rewriter, loc,
        equalsIndex(rewriter, loc,
                    indexCast(rewriter, loc,
                              extractScalar(rewriter, loc, adaptor.getK())),
                    k),
        "TopK: K differs from the compiled K");
    bool largest = op.getLargest() != 0;
    bool isUnsigned = isUnsignedInt(elementTypeOf(op.getX()));
    Type i64 = rewriter.getI64Type();

    // rank[i] = #{j : x[j] ranks before x[i]}, a reduction over dim `rank`.
    auto rankType = RankedTensorType::get(inType.getShape(), i64);
    Value zeros = filledTensor(rewriter, loc, rankType,
                               scalarConstant(rewriter, loc, i64, 0));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    SmallVector<AffineMap> rankMaps{
        withAxis(rank + 1, rank, *axis, *axis, ctx),
        withAxis(rank + 1, rank, *axis, rank, ctx),
        withAxis(rank + 1, rank, *axis, *axis, ctx)};
    Value ranks =
        linalg::GenericOp::create(
            rewriter, loc, rankType, ValueRange{x, x}, ValueRange{zeros},
            rankMaps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value i = linalg::IndexOp::create(b, l, *axis);
              Value j = linalg::IndexOp::create(b, l, rank);
              Value before =
                  ranksBefore(b, l, args[1], j, args[0], i, largest, isUnsigned);
              Value one = arith::ExtUIOp::create(b, l, b.getI64Type(), before);
              linalg::YieldOp::create(
                  b, l, Value(arith::AddIOp::create(b, l, args[2], one)));
            })
            .getResult(0);

    // values[p] / indices[p] = the element of rank p: a reduction over the
    // slice that keeps the match.
    Value valuesInit = emptyTensor(rewriter, loc, valuesType);
    Value indicesInit = filledTensor(rewriter, loc, indicesType,
                                     scalarConstant(rewriter, loc, i64, 0));
    SmallVector<AffineMap> pickMaps{
        withAxis(rank + 1, rank, *axis, rank, ctx),
        withAxis(rank + 1, rank, *axis, rank, ctx),
        withAxis(rank + 1, rank, *axis, *axis, ctx),
        withAxis(rank + 1, rank, *axis, *axis, ctx)};
    auto pick = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valuesType, indicesType}, ValueRange{x, ranks},
        ValueRange{valuesInit, indicesInit}, pickMaps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value p = i64Cast(b, l, linalg::IndexOp::create(b, l, *axis));
          Value i = i64Cast(b, l, linalg::IndexOp::create(b, l, rank));
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                            args[1], p);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, hit, args[0], args[2]),
                         arith::SelectOp::create(b, l, hit, i, args[3])});
        });
    rewriter.replaceOp(op, pick.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// NonZero and Compress: one sequential pass that appends
//===----------------------------------------------------------------------===//


/// One pass over `steps` items that appends the selected ones in order:
/// item i, when `selected(i)` and fewer than `capacity` are in, is written
/// by `append(i, position, out)`. Returns the result and how many items were
/// selected (which the caller checks against the capacity).
std::pair<Value, Value> appendSelected(
    OpBuilder &b, Location loc, int64_t steps, int64_t capacity, Value init,
    llvm::function_ref<Value(OpBuilder &, Location, Value)> selected,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value, Value)>
        append) {
  Value zero = indexConstant(b, loc, 0);
  auto loop = scf::ForOp::create(
      b, loc, zero, indexConstant(b, loc, steps), indexConstant(b, loc, 1),
      ValueRange{init, zero},
      [&](OpBuilder &nb, Location l, Value i, ValueRange it) {
        Value hit = selected(nb, l, i);
        Value room = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult,
                                           it[1], indexConstant(nb, l, capacity));
        auto write = scf::IfOp::create(
            nb, l, arith::AndIOp::create(nb, l, hit, room),
            [&](OpBuilder &tb, Location tl) {
              scf::YieldOp::create(tb, tl, append(tb, tl, i, it[1], it[0]));
            },
            [&](OpBuilder &eb, Location el) {
              scf::YieldOp::create(eb, el, it[0]);
            });
        Value count = arith::AddIOp::create(
            nb, l, it[1],
            arith::IndexCastUIOp::create(nb, l, nb.getIndexType(), hit));
        scf::YieldOp::create(nb, l, ValueRange{write.getResult(0), count});
      });
  return {loop.getResult(0), loop.getResult(1)};
}

/// NonZero: the coordinates of the non-zero elements in row-major order, as
/// the columns of a [rank, N] tensor; N must be the count in the data.
struct NonZeroLowering : OpConversionPattern<ONNXNonZeroOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXNonZeroOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value x = adaptor.getX();
    auto inType = llvm::cast<RankedTensorType>(x.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!inType.hasStaticShape() || !type || !type.hasStaticShape() ||
        type.getRank() != 2 || type.getDimSize(0) != inType.getRank())
      return unsupported(op, "needs static shapes");
    Location loc = op.getLoc();
    int64_t capacity = type.getDimSize(1);
    Value init = filledTensor(rewriter, loc, type,
                              scalarConstant(rewriter, loc,
                                             rewriter.getI64Type(), 0));
    ArrayRef<int64_t> shape = inType.getShape();
    auto [result, count] = appendSelected(
        rewriter, loc, inType.getNumElements(), capacity, init,
        [&](OpBuilder &b, Location l, Value flat) {
          return isNonZero(
              b, l,
              tensor::ExtractOp::create(b, l, x, delinearize(b, l, flat, shape)));
        },
        [&](OpBuilder &b, Location l, Value flat, Value column, Value out) {
          for (auto [d, coord] : llvm::enumerate(delinearize(b, l, flat, shape)))
            out = tensor::InsertOp::create(
                b, l, i64Cast(b, l, coord), out,
                ValueRange{indexConstant(b, l, d), column});
          return out;
        });
    emitRuntimeCheck(rewriter, loc, equalsIndex(rewriter, loc, count, capacity),
                     "NonZero: the data has another count than compiled");
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Compress: the slices along `axis` (of the flattened input without one)
/// whose condition is true, in order; the count must be the compiled size.
struct CompressLowering : OpConversionPattern<ONNXCompressOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXCompressOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    Value condition = adaptor.getCondition();
    auto inType = llvm::cast<RankedTensorType>(input.getType());
    auto condType = llvm::cast<RankedTensorType>(condition.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!inType.hasStaticShape() || !condType.hasStaticShape() || !type ||
        !type.hasStaticShape() || condType.getRank() != 1)
      return unsupported(op, "needs static shapes");
    Location loc = op.getLoc();
    int64_t axis = 0;
    if (std::optional<uint64_t> attr = op.getAxis()) {
      FailureOr<int64_t> normalized = normalizeAxis(int64_t(*attr), inType.getRank());
      if (failed(normalized))
        return unsupported(op, "bad axis");
      axis = *normalized;
    } else {
      // Without an axis the input is flattened first.
      input = reshapeTensor(
          rewriter, loc, input,
          RankedTensorType::get({inType.getNumElements()},
                                inType.getElementType()));
      inType = llvm::cast<RankedTensorType>(input.getType());
    }
    int64_t rank = inType.getRank();
    if (type.getRank() != rank)
      return unsupported(op, "unexpected result rank");
    int64_t capacity = type.getDimSize(axis);
    // Conditions past the axis count as false.
    int64_t steps = std::min(condType.getDimSize(0), inType.getDimSize(axis));

    SmallVector<int64_t> sliceShape(inType.getShape());
    sliceShape[axis] = 1;
    auto sliceType = RankedTensorType::get(sliceShape, inType.getElementType());
    Value init = filledTensor(rewriter, loc, type,
                              scalarConstant(rewriter, loc,
                                             type.getElementType(), 0));
    auto [result, count] = appendSelected(
        rewriter, loc, steps, capacity, init,
        [&](OpBuilder &b, Location l, Value i) -> Value {
          return tensor::ExtractOp::create(b, l, condition, ValueRange{i});
        },
        [&](OpBuilder &b, Location l, Value i, Value position, Value out) {
          SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
          SmallVector<OpFoldResult> sizes, strides(rank, b.getIndexAttr(1));
          for (int64_t size : sliceShape)
            sizes.push_back(b.getIndexAttr(size));
          offsets[axis] = i;
          Value slice = tensor::ExtractSliceOp::create(b, l, sliceType, input,
                                                       offsets, sizes, strides);
          offsets[axis] = position;
          return Value(tensor::InsertSliceOp::create(b, l, slice, out, offsets,
                                                     sizes, strides));
        });
    emitRuntimeCheck(rewriter, loc, equalsIndex(rewriter, loc, count, capacity),
                     "Compress: the condition selects another count than "
                     "compiled");
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Unique
//===----------------------------------------------------------------------===//

/// Unique over the slices x[:, i, :] of a [outer, n, inner] view (the axis
/// in the middle; without an axis the input is flat). Quadratic in n, with
/// loops over tensors that are updated in place.
class UniqueBuilder {
public:
  UniqueBuilder(OpBuilder &b, Location loc, Value x, bool isUnsigned)
      : b(b), loc(loc), x(x), isUnsigned(isUnsigned) {
    auto type = llvm::cast<RankedTensorType>(x.getType());
    outer = type.getDimSize(0);
    n = type.getDimSize(1);
    inner = type.getDimSize(2);
  }

  /// (slice j < slice i lexicographically, slice j == slice i).
  std::pair<Value, Value> compare(OpBuilder &nb, Location l, Value j, Value i) {
    Value no = arith::ConstantOp::create(nb, l, nb.getBoolAttr(false));
    auto loop = scf::ForOp::create(
        nb, l, index(nb, l, 0), index(nb, l, outer * inner), index(nb, l, 1),
        ValueRange{no, no},
        [&](OpBuilder &kb, Location kl, Value k, ValueRange it) {
          Value o = arith::DivUIOp::create(kb, kl, k, index(kb, kl, inner));
          Value in = arith::RemUIOp::create(kb, kl, k, index(kb, kl, inner));
          Value a = tensor::ExtractOp::create(kb, kl, x, ValueRange{o, j, in});
          Value c = tensor::ExtractOp::create(kb, kl, x, ValueRange{o, i, in});
          Value differ, less;
          if (llvm::isa<FloatType>(a.getType())) {
            differ = arith::CmpFOp::create(kb, kl, arith::CmpFPredicate::UNE,
                                           a, c);
            less = arith::CmpFOp::create(kb, kl, arith::CmpFPredicate::OLT, a,
                                         c);
          } else {
            differ = arith::CmpIOp::create(kb, kl, arith::CmpIPredicate::ne, a,
                                           c);
            less = arith::CmpIOp::create(
                kb, kl,
                isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt,
                a, c);
          }
          scf::YieldOp::create(
              kb, kl,
              ValueRange{arith::OrIOp::create(kb, kl, it[0], differ),
                         arith::SelectOp::create(kb, kl, it[0], it[1], less)});
        });
    Value equal = arith::XOrIOp::create(
        nb, l, loop.getResult(0),
        arith::ConstantOp::create(nb, l, nb.getBoolAttr(true)));
    return {loop.getResult(1), equal};
  }

  /// first[i]: the first slice equal to slice i.
  Value firstOccurrences() {
    auto type = RankedTensorType::get({n}, b.getI64Type());
    Value init = filledTensor(b, loc, type, scalarConstant(b, loc, b.getI64Type(), 0));
    return loop(init, [&](OpBuilder &ib, Location l, Value i, Value first) {
      Value no = arith::ConstantOp::create(ib, l, ib.getBoolAttr(false));
      auto search = scf::ForOp::create(
          ib, l, index(ib, l, 0), arith::AddIOp::create(ib, l, i, index(ib, l, 1)),
          index(ib, l, 1), ValueRange{no, i},
          [&](OpBuilder &jb, Location jl, Value j, ValueRange it) {
            Value take = arith::AndIOp::create(
                jb, jl, notOf(jb, jl, it[0]), compare(jb, jl, j, i).second);
            scf::YieldOp::create(
                jb, jl,
                ValueRange{arith::OrIOp::create(jb, jl, it[0], take),
                           arith::SelectOp::create(jb, jl, take, j, it[1])});
          });
      return Value(tensor::InsertOp::create(
          ib, l, i64Cast(ib, l, search.getResult(1)), first, ValueRange{i}));
    });
  }

  /// rank[i] of each first occurrence: its position in Y, by value when
  /// sorted, else by first appearance. Also returns the number of uniques.
  std::pair<Value, Value> ranks(Value first, bool sorted) {
    auto type = RankedTensorType::get({n}, b.getI64Type());
    Value init = filledTensor(b, loc, type, scalarConstant(b, loc, b.getI64Type(), 0));
    Value ranks = loop(init, [&](OpBuilder &ib, Location l, Value i, Value acc) {
      auto count = scf::ForOp::create(
          ib, l, index(ib, l, 0), index(ib, l, n), index(ib, l, 1),
          ValueRange{index(ib, l, 0)},
          [&](OpBuilder &jb, Location jl, Value j, ValueRange it) {
            Value before;
            if (sorted) {
              auto [less, equal] = compare(jb, jl, j, i);
              before = arith::AndIOp::create(jb, jl, less, notOf(jb, jl, equal));
            } else {
              before = arith::CmpIOp::create(jb, jl, arith::CmpIPredicate::ult,
                                             j, i);
            }
            Value counted = arith::AndIOp::create(jb, jl, isFirst(jb, jl, first, j),
                                                  before);
            scf::YieldOp::create(
                jb, jl,
                Value(arith::AddIOp::create(
                    jb, jl, it[0],
                    arith::IndexCastUIOp::create(jb, jl, jb.getIndexType(),
                                                 counted))));
          });
      return Value(tensor::InsertOp::create(
          ib, l, i64Cast(ib, l, count.getResult(0)), acc, ValueRange{i}));
    });
    auto uniques = scf::ForOp::create(
        b, loc, index(b, loc, 0), index(b, loc, n), index(b, loc, 1),
        ValueRange{index(b, loc, 0)},
        [&](OpBuilder &ib, Location l, Value i, ValueRange it) {
          scf::YieldOp::create(
              ib, l,
              Value(arith::AddIOp::create(
                  ib, l, it[0],
                  arith::IndexCastUIOp::create(ib, l, ib.getIndexType(),
                                               isFirst(ib, l, first, i)))));
        });
    return {ranks, uniques.getResult(0)};
  }

  /// Fills Y ([outer, U, inner]), indices, inverse_indices and counts.
  SmallVector<Value> outputs(Value first, Value ranks, RankedTensorType yType) {
    int64_t u = yType.getDimSize(1);
    Type i64 = b.getI64Type();
    Value zero64 = scalarConstant(b, loc, i64, 0);
    Value y = filledTensor(b, loc, yType,
                           scalarConstant(b, loc, yType.getElementType(), 0));
    Value indices = filledTensor(b, loc, RankedTensorType::get({u}, i64), zero64);
    Value counts = filledTensor(b, loc, RankedTensorType::get({u}, i64), zero64);
    Value inverse = filledTensor(b, loc, RankedTensorType::get({n}, i64), zero64);
    auto sliceType = RankedTensorType::get({outer, 1, inner}, yType.getElementType());
    auto fill = scf::ForOp::create(
        b, loc, index(b, loc, 0), index(b, loc, n), index(b, loc, 1),
        ValueRange{y, indices, counts, inverse},
        [&](OpBuilder &ib, Location l, Value i, ValueRange it) {
          Value f = indexOf(ib, l, first, i);
          Value r = tensor::ExtractOp::create(ib, l, ranks, ValueRange{f});
          Value rIndex = arith::IndexCastOp::create(ib, l, ib.getIndexType(), r);
          Value inv = tensor::InsertOp::create(ib, l, r, it[3], ValueRange{i});
          Value room = arith::CmpIOp::create(ib, l, arith::CmpIPredicate::ult,
                                             rIndex, index(ib, l, u));
          auto update = scf::IfOp::create(
              ib, l, room,
              [&](OpBuilder &tb, Location tl) {
                Value c = tensor::ExtractOp::create(tb, tl, it[2], ValueRange{rIndex});
                Value counts = tensor::InsertOp::create(
                    tb, tl,
                    arith::AddIOp::create(tb, tl, c,
                                          scalarConstant(tb, tl, tb.getI64Type(), 1)),
                    it[2], ValueRange{rIndex});
                auto copy = scf::IfOp::create(
                    tb, tl, isFirst(tb, tl, first, i),
                    [&](OpBuilder &cb, Location cl) {
                      SmallVector<OpFoldResult> sizes{cb.getIndexAttr(outer),
                                                      cb.getIndexAttr(1),
                                                      cb.getIndexAttr(inner)};
                      SmallVector<OpFoldResult> strides(3, cb.getIndexAttr(1));
                      SmallVector<OpFoldResult> from{cb.getIndexAttr(0), i,
                                                     cb.getIndexAttr(0)};
                      SmallVector<OpFoldResult> to{cb.getIndexAttr(0), rIndex,
                                                   cb.getIndexAttr(0)};
                      Value slice = tensor::ExtractSliceOp::create(
                          cb, cl, sliceType, x, from, sizes, strides);
                      Value y = tensor::InsertSliceOp::create(
                          cb, cl, slice, it[0], to, sizes, strides);
                      Value idx = tensor::InsertOp::create(
                          cb, cl, i64Cast(cb, cl, i), it[1], ValueRange{rIndex});
                      scf::YieldOp::create(cb, cl, ValueRange{y, idx});
                    },
                    [&](OpBuilder &eb, Location el) {
                      scf::YieldOp::create(eb, el, ValueRange{it[0], it[1]});
                    });
                scf::YieldOp::create(tb, tl,
                                     ValueRange{copy.getResult(0),
                                                copy.getResult(1), counts});
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, ValueRange{it[0], it[1], it[2]});
              });
          scf::YieldOp::create(ib, l,
                               ValueRange{update.getResult(0), update.getResult(1),
                                          update.getResult(2), inv});
        });
    return SmallVector<Value>(fill.getResults());
  }

private:
  static Value index(OpBuilder &nb, Location l, int64_t v) {
    return indexConstant(nb, l, v);
  }
  static Value notOf(OpBuilder &nb, Location l, Value v) {
    return arith::XOrIOp::create(
        nb, l, v, arith::ConstantOp::create(nb, l, nb.getBoolAttr(true)));
  }
  static Value indexOf(OpBuilder &nb, Location l, Value tensor, Value i) {
    return arith::IndexCastOp::create(
        nb, l, nb.getIndexType(),
        tensor::ExtractOp::create(nb, l, tensor, ValueRange{i}));
  }
  static Value isFirst(OpBuilder &nb, Location l, Value first, Value i) {
    return arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                 indexOf(nb, l, first, i), i);
  }
  /// for i in [0, n): acc = body(i, acc).
  Value loop(Value init,
             llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
    return scf::ForOp::create(
               b, loc, index(b, loc, 0), index(b, loc, n), index(b, loc, 1),
               ValueRange{init},
               [&](OpBuilder &ib, Location l, Value i, ValueRange it) {
                 scf::YieldOp::create(ib, l, body(ib, l, i, it[0]));
               })
        .getResult(0);
  }

  OpBuilder &b;
  Location loc;
  Value x;
  bool isUnsigned;
  int64_t outer, n, inner;
};

struct UniqueLowering : OpConversionPattern<ONNXUniqueOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXUniqueOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value x = adaptor.getX();
    auto inType = llvm::cast<RankedTensorType>(x.getType());
    auto yType = convertTensorType(*getTypeConverter(), op.getY().getType());
    if (!inType.hasStaticShape() || !yType || !yType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    if (!inType.getElementType().isIntOrFloat())
      return unsupported(op, "complex elements are not supported");
    int64_t rank = inType.getRank(), axis = 0;
    int64_t outer = 1, n = inType.getNumElements(), inner = 1;
    if (std::optional<uint64_t> attr = op.getAxis()) {
      FailureOr<int64_t> normalized = normalizeAxis(int64_t(*attr), rank);
      if (failed(normalized))
        return unsupported(op, "bad axis");
      axis = *normalized;
      n = inType.getDimSize(axis);
      for (int64_t d = 0; d < rank; ++d)
        (d < axis ? outer : inner) *= d == axis ? 1 : inType.getDimSize(d);
      if (yType.getRank() != rank)
        return unsupported(op, "unexpected result rank");
    } else if (yType.getRank() != 1) {
      return unsupported(op, "unexpected result rank");
    }
    int64_t u = yType.getDimSize(yType.getRank() == 1 ? 0 : axis);
    for (int resultIndex = 1; resultIndex < 4; ++resultIndex) {
      Value result = op->getResult(resultIndex);
      if (isNone(result) || result.use_empty())
        continue;
      auto type = convertTensorType(*getTypeConverter(), result.getType());
      int64_t expected = resultIndex == 2 ? n : u;
      if (!type || type.getRank() != 1 || type.getDimSize(0) != expected)
        return unsupported(op, "unexpected shape of an index output");
    }
    Location loc = op.getLoc();
    Type element = inType.getElementType();
    Value view = reshapeTensor(rewriter, loc, x,
                               RankedTensorType::get({outer, n, inner}, element));
    UniqueBuilder unique(rewriter, loc, view,
                         isUnsignedInt(elementTypeOf(op.getX())));
    Value first = unique.firstOccurrences();
    auto [ranks, count] = unique.ranks(first, op.getSorted() != 0);
    emitRuntimeCheck(rewriter, loc, equalsIndex(rewriter, loc, count, u),
                     "Unique: the data has another number of uniques than "
                     "compiled");
    SmallVector<Value> results = unique.outputs(
        first, ranks, RankedTensorType::get({outer, u, inner}, element));
    results[0] = reshapeTensor(rewriter, loc, results[0], yType);
    // Results: Y, indices, inverse_indices, counts.
    rewriter.replaceOp(op, ValueRange{results[0], results[1], results[3],
                                      results[2]});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// NonMaxSuppression
//===----------------------------------------------------------------------===//

/// One box's corners (x1 <= x2, y1 <= y2) from its four numbers.
struct Corners {
  Value x1, y1, x2, y2;
};

Corners readBox(OpBuilder &b, Location loc, Value boxes, Value batch,
                Value index, bool centerPoint) {
  SmallVector<Value> v;
  for (int64_t k = 0; k < 4; ++k)
    v.push_back(tensor::ExtractOp::create(
        b, loc, boxes, ValueRange{batch, index, indexConstant(b, loc, k)}));
  if (centerPoint) {
    // [x_center, y_center, width, height]
    Value half = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.5));
    Value hw = arith::MulFOp::create(b, loc, v[2], half);
    Value hh = arith::MulFOp::create(b, loc, v[3], half);
    return {arith::SubFOp::create(b, loc, v[0], hw),
            arith::SubFOp::create(b, loc, v[1], hh),
            arith::AddFOp::create(b, loc, v[0], hw),
            arith::AddFOp::create(b, loc, v[1], hh)};
  }
  // [y1, x1, y2, x2], any diagonal pair of corners.
  return {arith::MinimumFOp::create(b, loc, v[1], v[3]),
          arith::MinimumFOp::create(b, loc, v[0], v[2]),
          arith::MaximumFOp::create(b, loc, v[1], v[3]),
          arith::MaximumFOp::create(b, loc, v[0], v[2])};
}

/// Whether IoU(a, c) > threshold, as ONNX Runtime decides it: boxes with no
/// area or no intersection never suppress each other.
Value overlapsTooMuch(OpBuilder &b, Location loc, const Corners &a,
                      const Corners &c, Value threshold) {
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  auto sub = [&](Value x, Value y) -> Value {
    return arith::SubFOp::create(b, loc, x, y);
  };
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulFOp::create(b, loc, x, y);
  };
  auto gt = [&](Value x, Value y) -> Value {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, y);
  };
  Value width = arith::MaximumFOp::create(
      b, loc, zero,
      sub(arith::MinimumFOp::create(b, loc, a.x2, c.x2),
          arith::MaximumFOp::create(b, loc, a.x1, c.x1)));
  Value height = arith::MaximumFOp::create(
      b, loc, zero,
      sub(arith::MinimumFOp::create(b, loc, a.y2, c.y2),
          arith::MaximumFOp::create(b, loc, a.y1, c.y1)));
  Value intersection = mul(width, height);
  Value areaA = mul(sub(a.x2, a.x1), sub(a.y2, a.y1));
  Value areaC = mul(sub(c.x2, c.x1), sub(c.y2, c.y1));
  Value unionArea = sub(arith::AddFOp::create(b, loc, areaA, areaC),
                        intersection);
  Value valid = arith::AndIOp::create(
      b, loc,
      arith::AndIOp::create(b, loc, gt(intersection, zero), gt(areaA, zero)),
      arith::AndIOp::create(b, loc, gt(areaC, zero), gt(unionArea, zero)));
  Value iou = arith::DivFOp::create(b, loc, intersection, unionArea);
  return arith::AndIOp::create(b, loc, valid, gt(iou, threshold));
}

/// NonMaxSuppression, greedily per batch and class: repeatedly take the
/// best remaining box above the score threshold (the lowest index among
/// equal scores), emit it, and retire every box that overlaps it too much.
/// Retired boxes are marked with the (batch, class) round's number in one
/// tensor, so nothing is allocated inside the loops.
struct NonMaxSuppressionLowering
    : OpConversionPattern<ONNXNonMaxSuppressionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXNonMaxSuppressionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value boxes = adaptor.getBoxes(), scores = adaptor.getScores();
    auto boxesType = llvm::cast<RankedTensorType>(boxes.getType());
    auto scoresType = llvm::cast<RankedTensorType>(scores.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!boxesType.hasStaticShape() || !scoresType.hasStaticShape() ||
        !type || !type.hasStaticShape() || boxesType.getRank() != 3 ||
        scoresType.getRank() != 3 || type.getRank() != 2 ||
        type.getDimSize(1) != 3)
      return unsupported(op, "needs static shapes");
    int64_t batches = boxesType.getDimSize(0), count = boxesType.getDimSize(1);
    int64_t classes = scoresType.getDimSize(1);
    int64_t capacity = type.getDimSize(0);
    bool centerPoint = op.getCenterPointBox() != 0;
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Type i64 = b.getI64Type();
    auto scalarOr = [&](Value operand, Value fallback) {
      return isNone(operand) ? fallback : extractScalar(b, loc, operand);
    };
    Value maxPerClass = scalarOr(
        adaptor.getMaxOutputBoxesPerClass(),
        arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)));
    Value iouThreshold =
        scalarOr(adaptor.getIouThreshold(),
                 arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0)));
    Value scoreThreshold = scalarOr(
        adaptor.getScoreThreshold(),
        arith::ConstantOp::create(
            b, loc,
            b.getF32FloatAttr(-std::numeric_limits<float>::infinity())));
    // Rounds per class: min(max_output_boxes_per_class, boxes), at least 0.
    Value rounds = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        arith::MinSIOp::create(
            b, loc,
            arith::MaxSIOp::create(
                b, loc, maxPerClass,
                arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0))),
            arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(count))));

    Value zero = indexConstant(b, loc, 0), one = indexConstant(b, loc, 1);
    Value out = filledTensor(b, loc, type, scalarConstant(b, loc, i64, 0));
    Value retired =
        filledTensor(b, loc, RankedTensorType::get({count}, i64),
                     scalarConstant(b, loc, i64, -1));
    auto byBatch = scf::ForOp::create(
        b, loc, zero, indexConstant(b, loc, batches), one,
        ValueRange{out, zero, retired},
        [&](OpBuilder &bb, Location l, Value batch, ValueRange it) {
          auto byClass = scf::ForOp::create(
              bb, l, zero, indexConstant(bb, l, classes), one, it,
              [&](OpBuilder &cb, Location cl, Value cls, ValueRange cit) {
                Value round = i64Cast(
                    cb, cl,
                    arith::AddIOp::create(
                        cb, cl,
                        arith::MulIOp::create(cb, cl, batch,
                                              indexConstant(cb, cl, classes)),
                        cls));
                auto rounds_ = scf::ForOp::create(
                    cb, cl, zero, rounds, one, cit,
                    [&](OpBuilder &rb, Location rl, Value, ValueRange rit) {
                      selectOne(rb, rl, boxes, scores, batch, cls, round,
                                scoreThreshold, iouThreshold, centerPoint,
                                count, capacity, rit);
                    });
                scf::YieldOp::create(cb, cl, rounds_.getResults());
              });
          scf::YieldOp::create(bb, l, byClass.getResults());
        });
    emitRuntimeCheck(b, loc, equalsIndex(b, loc, byBatch.getResult(1), capacity),
                     "NonMaxSuppression: the data selects another number of "
                     "boxes than compiled");
    rewriter.replaceOp(op, byBatch.getResult(0));
    return success();
  }

  /// One round: the best live box, if any, is emitted and retires itself
  /// and the boxes it overlaps. `it` is (out, emitted, retired).
  static void selectOne(OpBuilder &b, Location loc, Value boxes, Value scores,
                        Value batch, Value cls, Value round,
                        Value scoreThreshold, Value iouThreshold,
                        bool centerPoint, int64_t count, int64_t capacity,
                        ValueRange it) {
    Value zero = indexConstant(b, loc, 0), one = indexConstant(b, loc, 1);
    Value retired = it[2];
    auto isLive = [&](OpBuilder &nb, Location l, Value i) -> Value {
      Value mark = tensor::ExtractOp::create(nb, l, retired, ValueRange{i});
      return arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ne, mark,
                                   round);
    };
    Value noScore = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    Value no = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
    auto search = scf::ForOp::create(
        b, loc, zero, indexConstant(b, loc, count), one,
        ValueRange{noScore, zero, no},
        [&](OpBuilder &sb, Location l, Value i, ValueRange best) {
          Value score = tensor::ExtractOp::create(sb, l, scores,
                                                  ValueRange{batch, cls, i});
          Value candidate = arith::AndIOp::create(
              sb, l, isLive(sb, l, i),
              arith::CmpFOp::create(sb, l, arith::CmpFPredicate::OGT, score,
                                    scoreThreshold));
          Value higher = arith::OrIOp::create(
              sb, l,
              arith::XOrIOp::create(
                  sb, l, best[2],
                  arith::ConstantOp::create(sb, l, sb.getBoolAttr(true))),
              arith::CmpFOp::create(sb, l, arith::CmpFPredicate::OGT, score,
                                    best[0]));
          Value take = arith::AndIOp::create(sb, l, candidate, higher);
          scf::YieldOp::create(
              sb, l,
              ValueRange{arith::SelectOp::create(sb, l, take, score, best[0]),
                         arith::SelectOp::create(sb, l, take, i, best[1]),
                         arith::OrIOp::create(sb, l, best[2], take)});
        });
    Value found = search.getResult(2), chosen = search.getResult(1);
    auto update = scf::IfOp::create(
        b, loc, found,
        [&](OpBuilder &tb, Location l) {
          // Emit (batch, class, box) while there is room.
          Value emitted = it[1];
          Value room = arith::CmpIOp::create(tb, l, arith::CmpIPredicate::ult,
                                             emitted,
                                             indexConstant(tb, l, capacity));
          auto write = scf::IfOp::create(
              tb, l, room,
              [&](OpBuilder &wb, Location wl) {
                Value out = it[0];
                Value fields[] = {batch, cls, chosen};
                for (int64_t k = 0; k < 3; ++k)
                  out = tensor::InsertOp::create(
                      wb, wl, i64Cast(wb, wl, fields[k]), out,
                      ValueRange{emitted, indexConstant(wb, wl, k)});
                scf::YieldOp::create(wb, wl, out);
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, it[0]);
              });
          Corners best = readBox(tb, l, boxes, batch, chosen, centerPoint);
          auto retire = scf::ForOp::create(
              tb, l, zero, indexConstant(tb, l, count), one,
              ValueRange{retired},
              [&](OpBuilder &rb, Location rl, Value j, ValueRange rit) {
                Corners other = readBox(rb, rl, boxes, batch, j, centerPoint);
                Value self = arith::CmpIOp::create(
                    rb, rl, arith::CmpIPredicate::eq, j, chosen);
                Value hit = arith::OrIOp::create(
                    rb, rl, self,
                    overlapsTooMuch(rb, rl, best, other, iouThreshold));
                // scf.if, not a select of tensors: the mark stays in place.
                auto mark = scf::IfOp::create(
                    rb, rl, hit,
                    [&](OpBuilder &mb, Location ml) {
                      scf::YieldOp::create(
                          mb, ml,
                          Value(tensor::InsertOp::create(mb, ml, round, rit[0],
                                                         ValueRange{j})));
                    },
                    [&](OpBuilder &eb, Location el) {
                      scf::YieldOp::create(eb, el, rit[0]);
                    });
                scf::YieldOp::create(rb, rl, mark.getResult(0));
              });
          scf::YieldOp::create(
              tb, l,
              ValueRange{write.getResult(0),
                         arith::AddIOp::create(tb, l, emitted, one),
                         retire.getResult(0)});
        },
        [&](OpBuilder &eb, Location l) { scf::YieldOp::create(eb, l, it); });
    scf::YieldOp::create(b, loc, update.getResults());
  }
};

//===----------------------------------------------------------------------===//
// Hann, Hamming and Blackman windows
//===----------------------------------------------------------------------===//

/// w[i] = sum_k a_k cos(2 pi k i / N), N = size (periodic) or size - 1.
template <typename OpTy>
struct WindowLowering : OpConversionPattern<OpTy> {
  WindowLowering(const TypeConverter &converter, MLIRContext *ctx,
                 SmallVector<double> coefficients)
      : OpConversionPattern<OpTy>(converter, ctx),
        coefficients(std::move(coefficients)) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertTensorType(*this->getTypeConverter(),
                                  op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || type.getRank() != 1)
      return unsupported(op, "needs a static 1-D result shape");
    Location loc = op.getLoc();
    int64_t size = type.getDimSize(0);
    emitRuntimeCheck(
        rewriter, loc,
        equalsIndex(rewriter, loc,
                    indexCast(rewriter, loc,
                              extractScalar(rewriter, loc, adaptor.getSize())),
                    size),
        "window: the size differs from the compiled size");
    double period = op.getPeriodic() != 0 ? double(size) : double(size - 1);
    Type resultElement = elementTypeOf(op->getResult(0));
    Type f64 = rewriter.getF64Type();
    rewriter.replaceOp(
        op, buildFromIndices(
                rewriter, loc, type,
                [&](OpBuilder &b, Location l, ArrayRef<Value> out) -> Value {
                  Value i = arith::SIToFPOp::create(b, l, f64,
                                                    i64Cast(b, l, out[0]));
                  Value angle = arith::MulFOp::create(
                      b, l, i,
                      arith::ConstantOp::create(
                          b, l, b.getF64FloatAttr(2 * M_PI / period)));
                  Value sum;
                  for (auto [k, a] : llvm::enumerate(coefficients)) {
                    Value term = arith::ConstantOp::create(
                        b, l, b.getF64FloatAttr(a));
                    if (k > 0)
                      term = arith::MulFOp::create(
                          b, l, term,
                          math::CosOp::create(
                              b, l,
                              arith::MulFOp::create(
                                  b, l, angle,
                                  arith::ConstantOp::create(
                                      b, l, b.getF64FloatAttr(double(k))))));
                    sum = sum ? Value(arith::AddFOp::create(b, l, sum, term))
                              : term;
                  }
                  return castScalar(b, l, sum, f64, resultElement);
                }));
    return success();
  }

  SmallVector<double> coefficients;
};

} // namespace

void populateDataDependentPatterns(TypeConverter &converter,
                                   RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<RangeLowering, TopKLowering, NonZeroLowering, CompressLowering,
               NonMaxSuppressionLowering, UniqueLowering>(converter, ctx);
  // ONNX's definitions (opset 17): Hann a0 = 0.5, Hamming a0 = 25/46,
  // Blackman 0.42, -0.5, 0.08 with alternating signs.
  patterns.add<WindowLowering<ONNXHannWindowOp>>(
      converter, ctx, SmallVector<double>{0.5, -0.5});
  patterns.add<WindowLowering<ONNXHammingWindowOp>>(
      converter, ctx, SmallVector<double>{25.0 / 46.0, -(1.0 - 25.0 / 46.0)});
  patterns.add<WindowLowering<ONNXBlackmanWindowOp>>(
      converter, ctx, SmallVector<double>{0.42, -0.5, 0.08});
}

} // namespace onnxc
