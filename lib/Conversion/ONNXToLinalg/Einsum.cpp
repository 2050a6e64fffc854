//===- Einsum.cpp - Einsum as one linalg.generic --------------------------===//
//
// An einsum equation is a linalg.generic: every label is an iteration dim,
// each operand's indexing map lists its labels (a repeated label takes a
// diagonal), output labels are parallel, the others reductions, and the body
// multiplies the operands and accumulates. "..." stands for broadcast
// batch dims, aligned from the right across operands.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace onnxc {
namespace {

/// Labels are characters; ellipsis dims get the labels '0', '1', ... (the
/// last ellipsis dim is '0'), which no equation letter uses.
FailureOr<SmallVector<char>> expandLabels(StringRef term, int64_t rank,
                                          int64_t &ellipsisDims) {
  SmallVector<char> labels;
  size_t dots = term.find("...");
  StringRef before = dots == StringRef::npos ? term : term.take_front(dots);
  StringRef after = dots == StringRef::npos ? "" : term.drop_front(dots + 3);
  int64_t letters = before.size() + after.size();
  if (dots == StringRef::npos && letters != rank)
    return failure();
  ellipsisDims = dots == StringRef::npos ? 0 : rank - letters;
  if (ellipsisDims < 0)
    return failure();
  for (char c : before)
    labels.push_back(c);
  for (int64_t i = ellipsisDims - 1; i >= 0; --i)
    labels.push_back(char('0' + i));
  for (char c : after)
    labels.push_back(c);
  for (char c : labels)
    if (!llvm::isAlpha(c) && !llvm::isDigit(c))
      return failure();
  return labels;
}

struct EinsumLowering : OpConversionPattern<ONNXEinsumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ONNXEinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape())
      return unsupported(op, "needs a static result shape");
    std::string equation;
    for (char c : op.getEquation())
      if (c != ' ')
        equation += c;
    auto [lhs, rhs] = StringRef(equation).split("->");
    bool explicitOutput = StringRef(equation).contains("->");
    SmallVector<StringRef> terms;
    lhs.split(terms, ',');
    ValueRange inputs = adaptor.getInputs();
    if (terms.size() != inputs.size())
      return unsupported(op, "the equation does not match the operands");

    // Operand labels, and the extent of every label.
    SmallVector<SmallVector<char>> operandLabels;
    llvm::DenseMap<char, int64_t> extent;
    llvm::DenseMap<char, int> count;
    int64_t maxEllipsis = 0;
    for (auto [term, input] : llvm::zip(terms, inputs)) {
      auto inputType = llvm::cast<RankedTensorType>(input.getType());
      if (!inputType.hasStaticShape())
        return unsupported(op, "needs static operand shapes");
      int64_t ellipsis = 0;
      auto labels = expandLabels(term, inputType.getRank(), ellipsis);
      if (failed(labels))
        return unsupported(op, "cannot parse the equation term '" + term + "'");
      maxEllipsis = std::max(maxEllipsis, ellipsis);
      for (auto [label, dim] : llvm::zip(*labels, inputType.getShape())) {
        extent[label] = std::max(extent.lookup(label), dim);
        ++count[label];
      }
      operandLabels.push_back(*labels);
    }
    // Output labels: explicit, or the ellipsis then the letters that occur
    // once, in alphabetical order.
    SmallVector<char> outputLabels;
    if (explicitOutput) {
      int64_t ellipsis = 0;
      int64_t letters = rhs.size() - (rhs.contains("...") ? 3 : 0);
      auto labels = expandLabels(rhs, letters + (rhs.contains("...") ? maxEllipsis : 0),
                                 ellipsis);
      if (failed(labels))
        return unsupported(op, "cannot parse the output term '" + rhs + "'");
      outputLabels = *labels;
    } else {
      for (int64_t i = maxEllipsis - 1; i >= 0; --i)
        outputLabels.push_back(char('0' + i));
      for (char c = 'A'; c <= 'z'; ++c)
        if (llvm::isAlpha(c) && count.lookup(c) == 1)
          outputLabels.push_back(c);
    }
    if (int64_t(outputLabels.size()) != type.getRank())
      return unsupported(op, "the output labels do not match the result rank");

    // Iteration dims: output labels first (parallel), then the reductions.
    SmallVector<char> dims(outputLabels);
    for (const auto &labels : operandLabels)
      for (char label : labels)
        if (!llvm::is_contained(dims, label))
          dims.push_back(label);
    MLIRContext *ctx = getContext();
    unsigned numDims = dims.size();
    auto dimOf = [&](char label) {
      return getAffineDimExpr(llvm::find(dims, label) - dims.begin(), ctx);
    };
    SmallVector<AffineMap> maps;
    for (auto [labels, input] : llvm::zip(operandLabels, inputs)) {
      auto shape = llvm::cast<RankedTensorType>(input.getType()).getShape();
      SmallVector<AffineExpr> exprs;
      for (auto [label, dim] : llvm::zip(labels, shape))
        exprs.push_back(dim == 1 && extent[label] != 1
                            ? getAffineConstantExpr(0, ctx)
                            : dimOf(label));
      maps.push_back(AffineMap::get(numDims, 0, exprs, ctx));
    }
    SmallVector<AffineExpr> outExprs;
    for (char label : outputLabels)
      outExprs.push_back(dimOf(label));
    maps.push_back(AffineMap::get(numDims, 0, outExprs, ctx));
    SmallVector<utils::IteratorType> iterators;
    for (unsigned i = 0; i < numDims; ++i)
      iterators.push_back(i < outputLabels.size()
                              ? utils::IteratorType::parallel
                              : utils::IteratorType::reduction);

    Location loc = op.getLoc();
    Type element = type.getElementType();
    bool isFloat = llvm::isa<FloatType>(element);
    Value init =
        filledTensor(rewriter, loc, type, scalarConstant(rewriter, loc, element, 0));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, inputs, init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value product = args[0];
          for (Value v : args.drop_front().drop_back())
            product = isFloat ? Value(arith::MulFOp::create(b, l, product, v))
                              : Value(arith::MulIOp::create(b, l, product, v));
          Value acc = args.back();
          linalg::YieldOp::create(
              b, l,
              isFloat ? Value(arith::AddFOp::create(b, l, acc, product))
                      : Value(arith::AddIOp::create(b, l, acc, product)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateEinsumPatterns(TypeConverter &converter,
                            RewritePatternSet &patterns) {
  patterns.add<EinsumLowering>(converter, patterns.getContext());
}

} // namespace onnxc
