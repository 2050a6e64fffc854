//===- TfIdf.cpp - TfIdfVectorizer ----------------------------------------===//
//
// The n-gram pool is an attribute, so it becomes constant tensors: the
// tokens of each pool n-gram (padded) and its length. One linalg.generic
// counts, for every row, pool n-gram, skip and start position, whether the
// n-gram occurs there; a second maps the counts to output columns through
// ngram_indexes and applies TF, IDF or TFIDF weighting.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

using namespace mlir;

namespace onnxc {
namespace {

SmallVector<int64_t> intsOf(ArrayAttr attr) {
  SmallVector<int64_t> values;
  if (attr)
    for (Attribute a : attr)
      values.push_back(llvm::cast<IntegerAttr>(a).getInt());
  return values;
}

/// The pool as (tokens [J, maxN] padded with 0, lengths [J]).
struct Pool {
  SmallVector<int64_t> tokens, lengths;
  int64_t maxLength = 0;
};

FailureOr<Pool> readPool(ONNXTfIdfVectorizerOp op) {
  SmallVector<int64_t> pool = intsOf(op.getPoolInt64sAttr());
  SmallVector<int64_t> starts = intsOf(op.getNgramCountsAttr());
  Pool result;
  result.maxLength = int64_t(starts.size());
  // ngram_counts[i] is where the (i+1)-grams start in the pool.
  for (int64_t i = 0; i < result.maxLength; ++i) {
    int64_t begin = starts[i];
    int64_t end = i + 1 < result.maxLength ? starts[i + 1]
                                           : int64_t(pool.size());
    int64_t n = i + 1;
    if (begin < 0 || end < begin || end > int64_t(pool.size()) ||
        (end - begin) % n != 0)
      return failure();
    for (int64_t at = begin; at < end; at += n) {
      for (int64_t t = 0; t < result.maxLength; ++t)
        result.tokens.push_back(t < n ? pool[at + t] : 0);
      result.lengths.push_back(n);
    }
  }
  return result;
}

Value i64Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> values,
                  ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, b.getI64Type());
  return arith::ConstantOp::create(b, loc,
                                   DenseIntElementsAttr::get(type, values));
}

struct TfIdfLowering : OpConversionPattern<ONNXTfIdfVectorizerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXTfIdfVectorizerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getPoolStringsAttr())
      return unsupported(op, "string pools are not supported");
    Value x = adaptor.getX();
    auto inType = llvm::cast<RankedTensorType>(x.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!inType.hasStaticShape() || !type || !type.hasStaticShape() ||
        inType.getRank() < 1 || inType.getRank() > 2 ||
        type.getRank() != inType.getRank())
      return unsupported(op, "needs static [C] or [N, C] shapes");
    StringRef mode = op.getMode();
    if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
      return unsupported(op, "unknown mode '" + mode + "'");
    FailureOr<Pool> pool = readPool(op);
    if (failed(pool))
      return unsupported(op, "ngram_counts do not describe the pool");
    SmallVector<int64_t> indexes = intsOf(op.getNgramIndexesAttr());
    int64_t poolSize = int64_t(pool->lengths.size());
    int64_t columns = type.getShape().back();
    if (int64_t(indexes.size()) != poolSize ||
        llvm::any_of(indexes,
                     [&](int64_t i) { return i < 0 || i >= columns; }))
      return unsupported(op, "ngram_indexes do not match the pool");
    SmallVector<double> weights(poolSize, 1.0);
    if (ArrayAttr attr = op.getWeightsAttr()) {
      if (int64_t(attr.size()) != poolSize)
        return unsupported(op, "weights do not match the pool");
      for (auto [i, a] : llvm::enumerate(attr))
        weights[i] = llvm::cast<FloatAttr>(a).getValueAsDouble();
    }

    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    int64_t rows = inType.getRank() == 2 ? inType.getDimSize(0) : 1;
    int64_t length = inType.getShape().back();
    x = reshapeTensor(rewriter, loc, x,
                      RankedTensorType::get({rows, length},
                                            inType.getElementType()));
    int64_t minN = int64_t(op.getMinGramLength());
    int64_t maxN = int64_t(op.getMaxGramLength());
    int64_t skips = int64_t(op.getMaxSkipCount()) + 1;
    Value tokens = i64Constant(rewriter, loc, pool->tokens,
                               {poolSize, pool->maxLength});
    Value lengths = i64Constant(rewriter, loc, pool->lengths, {poolSize});

    // counts[r, j] = #{(skip, start) : n-gram j occurs at start, tokens
    // skip + 1 apart}; unigrams count once, whatever the skip.
    Type i64 = rewriter.getI64Type();
    auto countsType = RankedTensorType::get({rows, poolSize}, i64);
    Value zeros = filledTensor(rewriter, loc, countsType,
                               scalarConstant(rewriter, loc, i64, 0));
    // Loop-only operand for the (skip, start) reduction dims.
    Value space = emptyTensor(rewriter, loc,
                              RankedTensorType::get({skips, length}, i64));
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineMap> countMaps{AffineMap::get(4, 0, {d(2), d(3)}, ctx),
                                     AffineMap::get(4, 0, {d(0), d(1)}, ctx)};
    SmallVector<utils::IteratorType> countIterators{
        utils::IteratorType::parallel, utils::IteratorType::parallel,
        utils::IteratorType::reduction, utils::IteratorType::reduction};
    int64_t maxLength = pool->maxLength;
    Value counts =
        linalg::GenericOp::create(
            rewriter, loc, countsType, space, zeros, countMaps, countIterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value r = linalg::IndexOp::create(b, l, 0);
              Value j = linalg::IndexOp::create(b, l, 1);
              Value k = linalg::IndexOp::create(b, l, 2);
              Value p = linalg::IndexOp::create(b, l, 3);
              using P = arith::CmpIPredicate;
              Value n = tensor::ExtractOp::create(b, l, lengths, ValueRange{j});
              Value nIndex =
                  arith::IndexCastOp::create(b, l, b.getIndexType(), n);
              Value stride =
                  arith::AddIOp::create(b, l, k, indexConstant(b, l, 1));
              auto cmp = [&](P predicate, Value a, Value c) -> Value {
                return arith::CmpIOp::create(b, l, predicate, a, c);
              };
              Value lengthOk = arith::AndIOp::create(
                  b, l, cmp(P::sge, n, scalarConstant(b, l, i64, minN)),
                  cmp(P::sle, n, scalarConstant(b, l, i64, maxN)));
              // Unigrams only at skip 0.
              Value skipOk = arith::OrIOp::create(
                  b, l, cmp(P::eq, k, indexConstant(b, l, 0)),
                  cmp(P::sgt, n, scalarConstant(b, l, i64, 1)));
              Value last = arith::AddIOp::create(
                  b, l, p,
                  arith::MulIOp::create(
                      b, l,
                      arith::SubIOp::create(b, l, nIndex,
                                            indexConstant(b, l, 1)),
                      stride));
              Value fits = cmp(P::slt, last, indexConstant(b, l, length));
              Value match = arith::AndIOp::create(
                  b, l, arith::AndIOp::create(b, l, lengthOk, skipOk), fits);
              for (int64_t t = 0; t < maxLength; ++t) {
                Value tIndex = indexConstant(b, l, t);
                Value position = arith::MinUIOp::create(
                    b, l,
                    arith::AddIOp::create(
                        b, l, p, arith::MulIOp::create(b, l, tIndex, stride)),
                    indexConstant(b, l, length - 1));
                Value token = castScalar(
                    b, l, tensor::ExtractOp::create(b, l, x,
                                                    ValueRange{r, position}),
                    inType.getElementType(), i64);
                Value wanted = tensor::ExtractOp::create(b, l, tokens,
                                                         ValueRange{j, tIndex});
                Value beyond = cmp(P::sge, tIndex, nIndex);
                match = arith::AndIOp::create(
                    b, l, match,
                    arith::OrIOp::create(b, l, beyond,
                                         cmp(P::eq, token, wanted)));
              }
              Value one = arith::ExtUIOp::create(b, l, i64, match);
              linalg::YieldOp::create(
                  b, l, Value(arith::AddIOp::create(b, l, args[1], one)));
            })
            .getResult(0);

    // y[r, o] = sum over pool n-grams j with ngram_indexes[j] == o of the
    // weighted count.
    Value indexTensor = i64Constant(rewriter, loc, indexes, {poolSize});
    SmallVector<float> weights32(weights.begin(), weights.end());
    Value weightTensor = arith::ConstantOp::create(
        rewriter, loc,
        DenseFPElementsAttr::get(
            RankedTensorType::get({poolSize}, rewriter.getF32Type()),
            ArrayRef<float>(weights32)));
    auto outType = RankedTensorType::get({rows, columns}, rewriter.getF32Type());
    Value outZeros = filledTensor(rewriter, loc, outType,
                                  scalarConstant(rewriter, loc,
                                                 rewriter.getF32Type(), 0));
    SmallVector<AffineMap> mapMaps{AffineMap::get(3, 0, {d(0), d(2)}, ctx),
                                   AffineMap::get(3, 0, {d(2)}, ctx),
                                   AffineMap::get(3, 0, {d(2)}, ctx),
                                   AffineMap::get(3, 0, {d(0), d(1)}, ctx)};
    SmallVector<utils::IteratorType> mapIterators{
        utils::IteratorType::parallel, utils::IteratorType::parallel,
        utils::IteratorType::reduction};
    Value y =
        linalg::GenericOp::create(
            rewriter, loc, outType, ValueRange{counts, indexTensor, weightTensor},
            outZeros, mapMaps, mapIterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value o = arith::IndexCastOp::create(
                  b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 1));
              Value here = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                 args[1], o);
              Value count =
                  arith::SIToFPOp::create(b, l, b.getF32Type(), args[0]);
              Value value = count;
              if (mode == "IDF") {
                Value seen = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::sgt, args[0],
                    scalarConstant(b, l, b.getI64Type(), 0));
                value = arith::SelectOp::create(
                    b, l, seen, args[2],
                    scalarConstant(b, l, b.getF32Type(), 0));
              } else if (mode == "TFIDF") {
                value = arith::MulFOp::create(b, l, count, args[2]);
              }
              value = arith::SelectOp::create(
                  b, l, here, value, scalarConstant(b, l, b.getF32Type(), 0));
              linalg::YieldOp::create(
                  b, l, Value(arith::AddFOp::create(b, l, args[3], value)));
            })
            .getResult(0);
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, y, type));
    return success();
  }
};

} // namespace

void populateTfIdfPatterns(TypeConverter &converter,
                           RewritePatternSet &patterns) {
  patterns.add<TfIdfLowering>(converter, patterns.getContext());
}

} // namespace onnxc
