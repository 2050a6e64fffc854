//===- ReorderContractionLoops.cpp - Reductions outside the output loop ---===//

#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace onnxc {
#define GEN_PASS_DEF_REORDERCONTRACTIONLOOPS
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// The loop order for `op`: its parallel dims except the one that indexes
/// the output's last dim, then its reductions, then that output dim; or
/// nothing when the op is not a contraction with an innermost reduction.
SmallVector<unsigned> contractionOrder(linalg::GenericOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (op.getNumDpsInputs() < 2 || op.getNumDpsInits() != 1 ||
      iterators.empty() || iterators.back() != utils::IteratorType::reduction)
    return {};
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outMap.getNumResults() == 0)
    return {};
  auto inner = llvm::dyn_cast<AffineDimExpr>(outMap.getResults().back());
  if (!inner)
    return {};
  unsigned outInner = inner.getPosition();
  SmallVector<unsigned> order;
  for (auto [dim, type] : llvm::enumerate(iterators))
    if (type == utils::IteratorType::parallel && dim != outInner)
      order.push_back(dim);
  for (auto [dim, type] : llvm::enumerate(iterators))
    if (type == utils::IteratorType::reduction)
      order.push_back(dim);
  order.push_back(outInner);
  return order;
}

struct ReorderContractionLoopsPass
    : impl::ReorderContractionLoopsBase<ReorderContractionLoopsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops) {
      SmallVector<unsigned> order = contractionOrder(op);
      if (order.empty())
        continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::interchangeGenericOp(rewriter, op, order)))
        return signalPassFailure();
    }
  }
};

} // namespace
} // namespace onnxc
