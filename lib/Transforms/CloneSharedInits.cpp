//===- CloneSharedInits.cpp - One init tensor per destination op ---------===//
//
// CSE merges identical init tensors: two convolutions of the same shape
// whose biases are equal constants (all zero, say) start from one
// broadcast. One-shot bufferization then writes one of them into a copy of
// the other's buffer: a full read and write of the output, where computing
// the broadcast again only writes it. This pass gives every destination
// operand its own clone of such a producer, when the producer's results do
// not depend on the contents of its own init (a fill, a broadcast), or
// when it is a tensor.empty (two concatenations of one shape).
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/ADT/SetVector.h"

namespace onnxc {
#define GEN_PASS_DEF_CLONESHAREDINITS
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// A linalg op on tensors that only writes its inits, whose inputs are
/// all read-only values, so that a clone computes the same result
/// anywhere after them.
bool isCloneableInit(Operation *op, Operation *user) {
  // Two concatenations of one shape (SqueezeNet's fire modules) insert
  // their slices into one tensor.empty after CSE. Elementwise ops that
  // share one keep it: the second may then reuse the first's buffer in
  // place (a bias add after a matrix product).
  if (llvm::isa_and_nonnull<tensor::EmptyOp>(op))
    return llvm::isa<tensor::InsertSliceOp>(user);
  auto linalgOp = llvm::dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      op->getNumResults() != 1 || op->getNumRegions() != 1)
    return false;
  return llvm::none_of(linalgOp.getDpsInitsMutable(), [&](OpOperand &init) {
    return linalgOp.payloadUsesValueFromOperand(&init);
  });
}

struct CloneSharedInitsPass : impl::CloneSharedInitsBase<CloneSharedInitsPass> {
  void runOnOperation() override {
    SmallVector<OpOperand *> shared;
    getOperation().walk([&](DestinationStyleOpInterface op) {
      for (OpOperand &init : op.getDpsInitsMutable()) {
        Value value = init.get();
        if (!llvm::isa<RankedTensorType>(value.getType()) ||
            value.hasOneUse() ||
            !isCloneableInit(value.getDefiningOp(), op.getOperation()))
          continue;
        shared.push_back(&init);
      }
    });
    // Every such use gets a clone, built just before its user (where a
    // contraction's kernel can take it as its prologue); the original goes
    // once nothing else uses it.
    llvm::SetVector<Operation *> originals;
    for (OpOperand *init : shared) {
      Operation *original = init->get().getDefiningOp();
      OpBuilder builder(init->getOwner());
      init->set(builder.clone(*original)->getResult(0));
      originals.insert(original);
    }
    for (Operation *original : originals)
      if (original->use_empty())
        original->erase();
  }
};

} // namespace
} // namespace onnxc
