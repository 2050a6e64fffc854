//===- WritePadInteriors.cpp - Producers write into their pad's interior --===//
//
// A padded convolution input is produced in a buffer of its own (the
// previous layer's activation), then copied into the interior of the
// padded buffer: one more read and write of every activation a 3x3
// convolution takes. A Concat copies each of its inputs into a box of its
// result the same way. When that buffer has no other use than its
// producer, readers before the copy and the copy, the producer can write
// the box directly (the readers read it there), and the copy goes. The
// destination buffer is then allocated before the producer, and only ops
// on other boxes of it (the border fills of fill-pad-borders, the other
// inputs of a Concat) may touch it in between.
//
//===----------------------------------------------------------------------===//

#include "BufferExtent.h"
#include "Contraction.h"
#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace onnxc {
#define GEN_PASS_DEF_WRITEPADINTERIORS
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

bool intersect(const Box &x, const Box &y) {
  for (auto [xo, xs, yo, ys] :
       llvm::zip(x.offsets, x.sizes, y.offsets, y.sizes))
    if (xo + xs <= yo || yo + ys <= xo)
      return false;
  return true;
}

/// Whether `user` only reads `buffer`: a linalg op that takes it as an
/// input and not as an init.
bool onlyReads(Operation *user, Value buffer) {
  auto op = llvm::dyn_cast<linalg::LinalgOp>(user);
  return op && llvm::is_contained(op.getDpsInputs(), buffer) &&
         !llvm::is_contained(op.getDpsInits(), buffer);
}

/// Whether `op`, and everything that uses its results (through views),
/// comes before `point` in its block.
bool doneBefore(Operation *op, Operation *point) {
  if (op->getBlock() != point->getBlock() || !op->isBeforeInBlock(point))
    return false;
  return llvm::all_of(op->getUsers(),
                      [&](Operation *user) { return doneBefore(user, point); });
}

/// Whether the uses of `padded` leave its `interior` alone from `producer`
/// to `copy`: each is done before the producer (it read or wrote the
/// buffer's earlier contents), comes after the copy, or is a static box
/// disjoint from the interior.
bool interiorUntouched(Value padded, const Box &interior, Operation *producer,
                       memref::CopyOp copy) {
  // The interior's own other uses (CSE merges equal subviews) are done
  // before the producer, or come after the copy.
  for (Operation *user : copy.getTarget().getUsers())
    if (user != copy && !doneBefore(user, producer) &&
        !(user->getBlock() == copy->getBlock() && copy->isBeforeInBlock(user)))
      return false;
  for (Operation *user : padded.getUsers()) {
    if (user == copy.getTarget().getDefiningOp())
      continue;
    if (user->getBlock() != copy->getBlock())
      return false;
    if (copy->isBeforeInBlock(user) || doneBefore(user, producer))
      continue;
    auto subview = llvm::dyn_cast<memref::SubViewOp>(user);
    std::optional<Box> box = subview ? boxOf(subview) : std::nullopt;
    if (!box || intersect(*box, interior))
      return false;
  }
  return true;
}

/// `interior` viewed as the copy's source was before `reshape` (the
/// reshape's inverse), when its strides allow it; `interior` itself
/// without a reshape.
Value viewAsSource(OpBuilder &b, Location loc, Value interior,
                   Operation *reshape) {
  auto type = llvm::cast<MemRefType>(interior.getType());
  if (!reshape)
    return interior;
  if (auto collapse = llvm::dyn_cast<memref::CollapseShapeOp>(reshape)) {
    // The source was collapsed: expand the interior back.
    MemRefType sourceType = collapse.getSrcType();
    FailureOr<MemRefType> expanded = memref::ExpandShapeOp::computeExpandedType(
        type, sourceType.getShape(), collapse.getReassociationIndices());
    if (failed(expanded))
      return {};
    return memref::ExpandShapeOp::create(b, loc, *expanded, interior,
                                         collapse.getReassociationIndices());
  }
  auto expand = llvm::cast<memref::ExpandShapeOp>(reshape);
  SmallVector<ReassociationIndices> reassociation =
      expand.getReassociationIndices();
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(type, reassociation))
    return {};
  return memref::CollapseShapeOp::create(b, loc, interior, reassociation);
}

LogicalResult writeInterior(memref::CopyOp copy) {
  // The copy's source: an allocation, or one reshape of it.
  Operation *reshape = copy.getSource().getDefiningOp();
  if (!llvm::isa_and_nonnull<memref::CollapseShapeOp, memref::ExpandShapeOp>(
          reshape) ||
      !copy.getSource().hasOneUse())
    reshape = nullptr;
  Value sourceValue = reshape ? reshape->getOperand(0) : copy.getSource();
  auto source = sourceValue.getDefiningOp<memref::AllocOp>();
  auto interior = copy.getTarget().getDefiningOp<memref::SubViewOp>();
  if (!source || !interior || !interior.getType().hasStaticShape())
    return failure();
  auto padded = interior.getSource().getDefiningOp<memref::AllocOp>();
  std::optional<Box> box = boxOf(interior);
  if (!padded || !box || padded->getBlock() != copy->getBlock() ||
      source->getBlock() != copy->getBlock())
    return failure();
  // One producer writes all of the source; the other users read it before
  // the copy (after it, the interior may be written again).
  Operation *producer = nullptr;
  for (Operation *user : sourceValue.getUsers()) {
    if (user == copy || user == reshape)
      continue;
    if (user->getBlock() != copy->getBlock() || copy->isBeforeInBlock(user))
      return failure();
    if (!producer && overwritesUnread(user, sourceValue)) {
      producer = user;
      continue;
    }
    if (!onlyReads(user, sourceValue))
      return failure();
  }
  if (!producer ||
      llvm::any_of(sourceValue.getUsers(),
                   [&](Operation *user) {
                     return user != producer && user->isBeforeInBlock(producer);
                   }) ||
      !interiorUntouched(padded, *box, producer, copy))
    return failure();
  // The padded buffer and its interior before the producer, viewed as the
  // source.
  if (producer->isBeforeInBlock(padded))
    padded->moveBefore(producer);
  if (producer->isBeforeInBlock(interior))
    interior->moveBefore(producer);
  OpBuilder b(producer);
  Value view = viewAsSource(b, copy.getLoc(), interior, reshape);
  if (!view)
    return failure();
  if (llvm::cast<MemRefType>(view.getType()).getShape() !=
      source.getType().getShape()) {
    view.getDefiningOp()->erase();
    return failure();
  }
  copy.erase();
  if (reshape)
    reshape->erase();
  source.getResult().replaceAllUsesWith(view);
  source.erase();
  return success();
}

struct WritePadInteriorsPass
    : impl::WritePadInteriorsBase<WritePadInteriorsPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies)
      (void)writeInterior(copy);
  }
};

} // namespace
} // namespace onnxc
