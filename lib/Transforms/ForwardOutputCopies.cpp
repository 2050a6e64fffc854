//===- ForwardOutputCopies.cpp - Results computed in the caller's buffers -===//
//
// buffer-results-to-out-params copies each returned buffer into its output
// argument, unless the buffer is an allocation itself (hoist-static-allocs)
// when the pass looks. A result that is a reshape of an allocation (a
// convolution's grouped [1, g, c, h, w] output collapsed to [1, c, h, w]),
// or an allocation returned through a cast that canonicalization removed
// only later (a Gemm's), keeps its copy: a full read and write of the
// output at the end of the run, and a workspace buffer for it. This pass
// computes such a result in the output argument instead, viewed with the
// allocation's shape.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace onnxc {
#define GEN_PASS_DEF_FORWARDOUTPUTCOPIES
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// The allocation that `value` reshapes (through collapse_shape and
/// expand_shape only), and the reshapes between them, from the one that
/// makes `value` back to the one of the allocation; or nothing.
memref::AllocOp reshapedAlloc(Value value, SmallVector<Operation *> &chain) {
  while (Operation *def = value.getDefiningOp()) {
    if (auto alloc = llvm::dyn_cast<memref::AllocOp>(def))
      return alloc;
    if (!llvm::isa<memref::CollapseShapeOp, memref::ExpandShapeOp>(def))
      return {};
    chain.push_back(def);
    value = def->getOperand(0);
  }
  return {};
}

/// Whether every use of `value` and of the views made of it lies before
/// `copy` in its block.
bool usedOnlyBefore(Value value, Operation *copy) {
  Block *block = copy->getBlock();
  for (Operation *user : value.getUsers()) {
    if (user == copy)
      continue;
    Operation *top = block->findAncestorOpInBlock(*user);
    if (!top || !top->isBeforeInBlock(copy))
      return false;
    if (auto view = llvm::dyn_cast<ViewLikeOpInterface>(user))
      if (!usedOnlyBefore(view->getResult(0), copy))
        return false;
  }
  return true;
}

/// `arg` viewed with the type of the value before each reshape of `chain`
/// in turn (see reshapedAlloc), ending with the allocation's type.
Value undoReshapes(OpBuilder &b, Location loc, Value arg,
                   ArrayRef<Operation *> chain) {
  Value view = arg;
  for (Operation *reshape : chain) {
    auto source = llvm::cast<MemRefType>(reshape->getOperand(0).getType());
    if (auto collapse = llvm::dyn_cast<memref::CollapseShapeOp>(reshape))
      view = memref::ExpandShapeOp::create(b, loc, source.getShape(), view,
                                           collapse.getReassociationIndices());
    else
      view = memref::CollapseShapeOp::create(
          b, loc, view,
          llvm::cast<memref::ExpandShapeOp>(reshape).getReassociationIndices());
  }
  return view;
}

/// Computes the source of `copy`, a reshaped allocation, in its target
/// `arg` (an output argument that nothing else uses), when nothing uses
/// the allocation after the copy.
LogicalResult forward(memref::CopyOp copy, BlockArgument arg) {
  SmallVector<Operation *> chain;
  memref::AllocOp alloc = reshapedAlloc(copy.getSource(), chain);
  if (!alloc || !arg.hasOneUse() || alloc->getBlock() != copy->getBlock())
    return failure();
  auto allocType = alloc.getType();
  auto argType = llvm::cast<MemRefType>(arg.getType());
  if (!allocType.hasStaticShape() || !allocType.getLayout().isIdentity() ||
      !argType.getLayout().isIdentity() ||
      allocType.getMemorySpace() != argType.getMemorySpace() ||
      !usedOnlyBefore(alloc.getResult(), copy))
    return failure();
  OpBuilder b(alloc);
  // Each inverse reshape of an identity buffer is one, of the static
  // shape before the reshape: the last is the allocation's type.
  Value view = undoReshapes(b, alloc.getLoc(), arg, chain);
  assert(view.getType() == allocType && "the reshapes were not undone");
  copy->erase();
  alloc.getResult().replaceAllUsesWith(view);
  alloc->erase();
  return success();
}

struct ForwardOutputCopiesPass
    : impl::ForwardOutputCopiesBase<ForwardOutputCopiesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<std::pair<memref::CopyOp, BlockArgument>> copies;
    func.walk([&](memref::CopyOp copy) {
      auto arg = llvm::dyn_cast<BlockArgument>(copy.getTarget());
      if (arg && arg.getOwner()->isEntryBlock() &&
          arg.getOwner()->getParentOp() == func)
        copies.push_back({copy, arg});
    });
    for (auto [copy, arg] : copies)
      (void)forward(copy, arg);
  }
};

} // namespace
} // namespace onnxc
