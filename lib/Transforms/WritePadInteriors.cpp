//===- WritePadInteriors.cpp - Producers write into their pad's interior --===//
//
// A padded convolution input is produced in a buffer of its own (the
// previous layer's activation), then copied into the interior of the
// padded buffer: one more read and write of every activation a 3x3
// convolution takes. A Concat copies each of its inputs into a box of its
// result the same way. When nothing writes either buffer after the copy
// (a residual branch may still read the activation), the ops on the
// source can work on the box directly, and the copy goes. The
// destination buffer is then allocated before the source's first use, and
// only ops on other boxes of it (the border fills of fill-pad-borders, the
// other inputs of a Concat) may touch it in between.
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
/// input and not as an init, or a copy from it.
bool onlyReads(Operation *user, Value buffer) {
  if (auto copy = llvm::dyn_cast<memref::CopyOp>(user))
    return copy.getSource() == buffer && copy.getTarget() != buffer;
  auto op = llvm::dyn_cast<linalg::LinalgOp>(user);
  return op && llvm::is_contained(op.getDpsInputs(), buffer) &&
         !llvm::is_contained(op.getDpsInits(), buffer);
}

/// Whether every use of `buffer`, through views, that comes after `point`
/// only reads it: after the copy, the source and the box hold the same
/// values, and stay one buffer only while neither is written. With
/// `apart`, the static boxes of `buffer` disjoint from it are left out (a
/// Concat's other inputs, written after the copy).
bool onlyReadAfter(Value buffer, Operation *point,
                   const Box *apart = nullptr) {
  for (OpOperand &use : buffer.getUses()) {
    Operation *user = use.getOwner();
    if (apart)
      if (auto subview = llvm::dyn_cast<memref::SubViewOp>(user))
        if (std::optional<Box> box = boxOf(subview))
          if (!intersect(*box, *apart))
            continue;
    if (user->getBlock() != point->getBlock())
      return false;
    if (llvm::isa<ViewLikeOpInterface>(user)) {
      if (!onlyReadAfter(user->getResult(0), point))
        return false;
      continue;
    }
    if (point->isBeforeInBlock(user) && !onlyReads(user, buffer))
      return false;
  }
  return true;
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

/// The type of `interior` viewed as the copy's source was before `reshape`
/// (the reshape's inverse), when its strides allow it; the interior's own
/// without a reshape.
FailureOr<MemRefType> sourceViewType(MemRefType interior, Operation *reshape) {
  if (!reshape)
    return interior;
  if (auto collapse = llvm::dyn_cast<memref::CollapseShapeOp>(reshape))
    return memref::ExpandShapeOp::computeExpandedType(
        interior, collapse.getSrcType().getShape(),
        collapse.getReassociationIndices());
  SmallVector<ReassociationIndices> reassociation =
      llvm::cast<memref::ExpandShapeOp>(reshape).getReassociationIndices();
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(interior,
                                                        reassociation))
    return failure();
  return memref::CollapseShapeOp::computeCollapsedType(interior, reassociation);
}

/// `interior` viewed as the copy's source, of type `type` (sourceViewType).
Value viewAsSource(OpBuilder &b, Location loc, Value interior,
                   Operation *reshape, MemRefType type) {
  if (!reshape)
    return interior;
  if (auto collapse = llvm::dyn_cast<memref::CollapseShapeOp>(reshape))
    return memref::ExpandShapeOp::create(b, loc, type, interior,
                                         collapse.getReassociationIndices());
  return memref::CollapseShapeOp::create(
      b, loc, type, interior,
      llvm::cast<memref::ExpandShapeOp>(reshape).getReassociationIndices());
}

/// A value whose type changes when the source becomes a view of the box.
using Retyped = std::pair<Value, MemRefType>;

/// The reshapes of `value` (and of those, in turn) with their result types
/// once `value` has type `type`. Failure when one of them cannot take it
/// (rows that the box's strides keep apart), or another view uses it.
LogicalResult retypeReshapes(Value value, MemRefType type,
                             SmallVectorImpl<Retyped> &retyped) {
  for (Operation *user : value.getUsers()) {
    FailureOr<MemRefType> result = failure();
    if (auto expand = llvm::dyn_cast<memref::ExpandShapeOp>(user)) {
      result = memref::ExpandShapeOp::computeExpandedType(
          type, expand.getResultType().getShape(),
          expand.getReassociationIndices());
    } else if (auto collapse = llvm::dyn_cast<memref::CollapseShapeOp>(user)) {
      SmallVector<ReassociationIndices> reassociation =
          collapse.getReassociationIndices();
      if (memref::CollapseShapeOp::isGuaranteedCollapsible(type, reassociation))
        result =
            memref::CollapseShapeOp::computeCollapsedType(type, reassociation);
    } else if (!llvm::isa<ViewLikeOpInterface>(user)) {
      continue;
    }
    if (failed(result))
      return failure();
    retyped.emplace_back(user->getResult(0), *result);
    if (failed(retypeReshapes(user->getResult(0), *result, retyped)))
      return failure();
  }
  return success();
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
  // The source's first use before the copy (its producer) is where the
  // box takes its place. The uses after the copy only read it, and nothing
  // writes the padded buffer after the copy.
  Operation *producer = nullptr;
  for (Operation *user : sourceValue.getUsers()) {
    if (user == copy || user == reshape)
      continue;
    if (user->getBlock() != copy->getBlock())
      return failure();
    if (user->isBeforeInBlock(copy) &&
        (!producer || user->isBeforeInBlock(producer)))
      producer = user;
  }
  if (!producer || !onlyReadAfter(sourceValue, copy) ||
      !onlyReadAfter(padded, copy, &*box) ||
      !interiorUntouched(padded, *box, producer, copy))
    return failure();
  // The readers after the copy may reach the source through reshapes,
  // which take the interior's strides.
  FailureOr<MemRefType> viewType = sourceViewType(interior.getType(), reshape);
  SmallVector<Retyped> retyped;
  if (failed(viewType) || viewType->getShape() != source.getType().getShape() ||
      failed(retypeReshapes(source, *viewType, retyped)))
    return failure();
  // The padded buffer and its interior before the producer, viewed as the
  // source.
  if (producer->isBeforeInBlock(padded))
    padded->moveBefore(producer);
  if (producer->isBeforeInBlock(interior))
    interior->moveBefore(producer);
  OpBuilder b(producer);
  Value view = viewAsSource(b, copy.getLoc(), interior, reshape, *viewType);
  // The copy's own reshape goes with the copy.
  llvm::erase_if(retyped, [&](const Retyped &entry) {
    return entry.first.getDefiningOp() == reshape;
  });
  copy.erase();
  if (reshape)
    reshape->erase();
  source.getResult().replaceAllUsesWith(view);
  source.erase();
  for (auto [value, type] : retyped)
    value.setType(type);
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
