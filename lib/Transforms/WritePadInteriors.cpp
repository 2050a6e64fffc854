//===- WritePadInteriors.cpp - Producers write into their pad's interior --===//
//
// A padded convolution input is produced in a buffer of its own (the
// previous layer's activation), then copied into the interior of the
// padded buffer: one more read and write of every activation a 3x3
// convolution takes. When that buffer has no other use than its producer
// and the copy, the producer can write the interior directly, and the
// copy goes. The padded buffer is then allocated before the producer, and
// only fills of its border (fill-pad-borders) may touch it in between.
//
//===----------------------------------------------------------------------===//

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

/// A box of a buffer: a static, unit-stride subview.
struct Box {
  SmallVector<int64_t> offsets, sizes;
};

std::optional<Box> boxOf(memref::SubViewOp subview) {
  if (!subview.hasUnitStride() || !subview.getOffsets().empty() ||
      !subview.getSizes().empty() ||
      subview.getSourceType().getRank() != subview.getType().getRank())
    return std::nullopt;
  return Box{llvm::to_vector(subview.getStaticOffsets()),
             llvm::to_vector(subview.getStaticSizes())};
}

bool intersect(const Box &x, const Box &y) {
  for (auto [xo, xs, yo, ys] :
       llvm::zip(x.offsets, x.sizes, y.offsets, y.sizes))
    if (xo + xs <= yo || yo + ys <= xo)
      return false;
  return true;
}

/// The op that writes all of `buffer` without reading it, and is its only
/// user besides `copy`: a linalg op whose one init it is.
linalg::LinalgOp soleProducer(Value buffer, memref::CopyOp copy) {
  linalg::LinalgOp producer;
  for (Operation *user : buffer.getUsers()) {
    if (user == copy)
      continue;
    auto op = llvm::dyn_cast<linalg::LinalgOp>(user);
    if (producer || !op || op.getNumDpsInits() != 1 ||
        op.getDpsInits()[0] != buffer ||
        llvm::is_contained(op.getDpsInputs(), buffer) ||
        op.payloadUsesValueFromOperand(&op.getDpsInitsMutable()[0]) ||
        !op.getMatchingIndexingMap(&op.getDpsInitsMutable()[0]).isIdentity() ||
        op.getNumLoops() != op.getNumParallelLoops())
      return {};
    producer = op;
  }
  return producer;
}

/// Whether every use of `padded` before `copy` (in its block) is a fill of
/// a box disjoint from `interior`.
bool onlyBorderFillsBefore(Value padded, const Box &interior,
                           memref::CopyOp copy) {
  for (Operation *user : padded.getUsers()) {
    if (user == copy.getTarget().getDefiningOp())
      continue;
    if (user->getBlock() != copy->getBlock())
      return false;
    if (copy->isBeforeInBlock(user))
      continue;
    auto subview = llvm::dyn_cast<memref::SubViewOp>(user);
    std::optional<Box> box = subview ? boxOf(subview) : std::nullopt;
    if (!box || intersect(*box, interior))
      return false;
    for (Operation *fill : subview->getUsers())
      if (!llvm::isa<linalg::FillOp>(fill))
        return false;
  }
  return true;
}

LogicalResult writeInterior(memref::CopyOp copy) {
  auto source = copy.getSource().getDefiningOp<memref::AllocOp>();
  auto interior = copy.getTarget().getDefiningOp<memref::SubViewOp>();
  if (!source || !interior || !interior.getType().hasStaticShape() ||
      interior.getType().getShape() != source.getType().getShape())
    return failure();
  auto padded = interior.getSource().getDefiningOp<memref::AllocOp>();
  std::optional<Box> box = boxOf(interior);
  if (!padded || !box || padded->getBlock() != copy->getBlock() ||
      source->getBlock() != copy->getBlock())
    return failure();
  linalg::LinalgOp producer = soleProducer(source, copy);
  if (!producer || producer->getBlock() != copy->getBlock() ||
      !producer->isBeforeInBlock(copy) ||
      !onlyBorderFillsBefore(padded, *box, copy))
    return failure();
  // The padded buffer and its interior before the producer.
  if (producer->isBeforeInBlock(padded))
    padded->moveBefore(producer);
  if (producer->isBeforeInBlock(interior))
    interior->moveBefore(producer);
  producer->replaceUsesOfWith(source, interior);
  copy.erase();
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
