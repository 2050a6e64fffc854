//===- FillPadBorders.cpp - A pad writes its value around the interior ----===//
//
// tensor.pad bufferizes to a fill of the whole padded buffer followed by a
// copy of the source into its interior: the interior is written twice. For
// the 3x3 convolutions of a CNN that is one more pass over every padded
// activation (MobileNetV2: 4% of its time in memset). This pass shrinks
// the fill to the border, the regions of the buffer the copy leaves alone:
// for each dim, the slabs below and above the interior, within the
// interior along the dims before it.
//
//===----------------------------------------------------------------------===//

#include "BufferExtent.h"
#include "Contraction.h"
#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace onnxc {
#define GEN_PASS_DEF_FILLPADBORDERS
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// The constant a linalg op on buffers writes to every element of its one
/// init (a fill, or a map or generic yielding a constant), if it is one.
Value filledConstant(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1 || !overwritesUnread(op, op.getDpsInits()[0]))
    return {};
  std::optional<Yielded> yielded = yieldedValue(op);
  if (!yielded)
    return {};
  Value value = yielded->input ? yielded->input->get() : yielded->outside;
  return value.getDefiningOp<arith::ConstantOp>() ? value : Value();
}

/// The buffer `value` is a view of.
Value rootOf(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

/// The copy into a box of `buffer` that follows `op` (past ops without
/// memory effects), and the box, if any.
std::optional<std::pair<memref::CopyOp, Box>> interiorCopy(Operation *op,
                                                           Value buffer) {
  Operation *next = op->getNextNode();
  while (next && isMemoryEffectFree(next))
    next = next->getNextNode();
  auto copy = llvm::dyn_cast_or_null<memref::CopyOp>(next);
  if (!copy)
    return std::nullopt;
  auto subview = copy.getTarget().getDefiningOp<memref::SubViewOp>();
  if (!subview || subview.getSource() != buffer)
    return std::nullopt;
  std::optional<Box> box = boxOf(subview);
  // The source must not be read from the buffer itself: its values there
  // would come from the fill.
  if (!box || rootOf(copy.getSource()) == rootOf(buffer))
    return std::nullopt;
  return std::pair(copy, *box);
}

/// Fills the regions of `buffer` outside the box [offsets, offsets +
/// sizes) with `value`, at `b`'s insertion point.
void fillBorder(OpBuilder &b, Location loc, Value buffer, Value value,
                ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes) {
  ArrayRef<int64_t> shape = llvm::cast<MemRefType>(buffer.getType()).getShape();
  int64_t rank = shape.size();
  for (int64_t d = 0; d < rank; ++d) {
    int64_t high = offsets[d] + sizes[d];
    for (auto [start, extent] : {std::pair(int64_t(0), offsets[d]),
                                 std::pair(high, shape[d] - high)}) {
      if (extent <= 0)
        continue;
      SmallVector<int64_t> boxOffsets(offsets.take_front(d));
      SmallVector<int64_t> boxSizes(sizes.take_front(d));
      boxOffsets.push_back(start);
      boxSizes.push_back(extent);
      for (int64_t e = d + 1; e < rank; ++e) {
        boxOffsets.push_back(0);
        boxSizes.push_back(shape[e]);
      }
      SmallVector<int64_t> strides(rank, 1);
      Value slab = memref::SubViewOp::create(b, loc, buffer, boxOffsets,
                                             boxSizes, strides);
      linalg::FillOp::create(b, loc, value, slab);
    }
  }
}

struct FillPadBordersPass : impl::FillPadBordersBase<FillPadBordersPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> fills;
    getOperation().walk([&](linalg::LinalgOp op) { fills.push_back(op); });
    for (linalg::LinalgOp op : fills) {
      Value value = filledConstant(op);
      if (!value)
        continue;
      Value buffer = op.getDpsInits()[0];
      auto type = llvm::cast<MemRefType>(buffer.getType());
      std::optional<std::pair<memref::CopyOp, Box>> copy =
          interiorCopy(op, buffer);
      if (!copy || !type.hasStaticShape())
        continue;
      OpBuilder b(op);
      fillBorder(b, op.getLoc(), buffer, value, copy->second.offsets,
                 copy->second.sizes);
      op.erase();
    }
  }
};

} // namespace
} // namespace onnxc
