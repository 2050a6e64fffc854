//===- FuseElementwise.cpp - Elementwise fusion that keeps contractions ---===//
//
// Upstream's linalg-fuse-elementwise-ops with one difference: an elementwise
// producer is not fused into a contraction. Fused there, it would be
// recomputed for every output column, and the contraction would no longer
// be the multiply-accumulate that vectorize-contractions turns into a
// micro-kernel (MatMul(Relu(x + b), W) and Softmax's division feeding the
// attention product are the common cases).
//
//===----------------------------------------------------------------------===//

#include "Contraction.h"
#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace onnxc {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

bool producerHasOneUse(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  return producer && producer->hasOneUse();
}

bool fuseUnlessIntoContraction(OpOperand *fused) {
  auto consumer = llvm::dyn_cast<linalg::GenericOp>(fused->getOwner());
  return producerHasOneUse(fused) &&
         !(consumer && isMultiplyAccumulate(consumer));
}

struct FuseElementwisePass : impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns,
                                                 fuseUnlessIntoContraction);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns,
                                                      producerHasOneUse);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, producerHasOneUse);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns),
                                GreedyRewriteConfig().setUseTopDownTraversal());
  }
};

} // namespace
} // namespace onnxc
