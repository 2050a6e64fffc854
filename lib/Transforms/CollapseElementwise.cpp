//===- CollapseElementwise.cpp - Elementwise loops over one line ----------===//
//
// An elementwise op on a small activation (MobileNetV2's residual adds on
// 160 x 7 x 7) stays a loop nest of the op's rank for LLVM, whose inner
// loop of 7 is unrolled away; the loop vectorizer then vectorizes across
// the outer dims with gathers and scatters. When the buffers are dense
// along the trailing dims, those dims are one line of memory: this pass
// collapses them (upstream's linalg::collapseOpIterationDims, with
// memref.collapse_shape views), so that the innermost loop is long and
// contiguous.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace onnxc {
#define GEN_PASS_DEF_COLLAPSEELEMENTWISE
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// Whether `op` is elementwise on buffers: all loops parallel, every
/// operand indexed by the identity.
bool isElementwise(linalg::GenericOp op) {
  return op.hasPureBufferSemantics() && op.getNumLoops() > 1 &&
         op.getNumParallelLoops() == op.getNumLoops() &&
         llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }) &&
         op.getRegion().front().getOps<linalg::IndexOp>().empty();
}

struct CollapseElementwisePass
    : impl::CollapseElementwiseBase<CollapseElementwisePass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isElementwise(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops) {
      // The longest run of trailing dims that every buffer stores densely
      // (collapseOpIterationDims fails on the others).
      int64_t rank = op.getNumLoops();
      for (int64_t first = 0; first + 1 < rank; ++first) {
        ReassociationIndices trailing;
        for (int64_t d = first; d < rank; ++d)
          trailing.push_back(d);
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::CollapseResult> collapsed =
            linalg::collapseOpIterationDims(op, {trailing}, rewriter);
        if (failed(collapsed))
          continue;
        rewriter.eraseOp(op);
        break;
      }
    }
  }
};

} // namespace
} // namespace onnxc
