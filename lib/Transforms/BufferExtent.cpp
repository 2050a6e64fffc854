//===- BufferExtent.cpp - Where a dense buffer lives ----------------------===//
//
// The workspace plan gives every scratch buffer a constant offset in the
// workspace; the ops after it see the buffers through views and reshapes.
// Epilogue fusion (does one buffer overlap another?) and the parallel
// hook (can a body reach a buffer from the workspace's base?) both ask
// where a buffer is.
//
//===----------------------------------------------------------------------===//

#include "BufferExtent.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace onnxc {

/// Whether `type` is a static memref with the identity layout.
static bool isDense(Type type) {
  auto memref = llvm::dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getLayout().isIdentity();
}

std::optional<BufferExtent> bufferExtent(Value buffer) {
  if (!isDense(buffer.getType()))
    return std::nullopt;
  auto type = llvm::cast<MemRefType>(buffer.getType());
  BufferExtent extent{buffer, 0,
                      type.getNumElements() *
                          (type.getElementTypeBitWidth() / 8)};
  while (Operation *op = extent.base.getDefiningOp()) {
    auto cast = llvm::dyn_cast<memref::ReinterpretCastOp>(op);
    // Reshapes, and reinterpret_casts from one dense layout to another (an
    // epilogue's view of a buffer with another's shape), keep the address.
    if (llvm::isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(op) ||
        (cast && isDense(cast.getType()) &&
         isDense(cast.getSource().getType()))) {
      extent.base = op->getOperand(0);
      continue;
    }
    auto view = llvm::dyn_cast<memref::ViewOp>(op);
    if (!view)
      break;
    std::optional<int64_t> shift = getConstantIntValue(view.getByteShift());
    if (!shift)
      return std::nullopt;
    extent.offset += *shift;
    extent.base = view.getSource();
  }
  return extent;
}

std::optional<Box> boxOf(memref::SubViewOp subview) {
  if (!subview.hasUnitStride() || !subview.getOffsets().empty() ||
      !subview.getSizes().empty() ||
      subview.getSourceType().getRank() != subview.getType().getRank())
    return std::nullopt;
  return Box{llvm::to_vector(subview.getStaticOffsets()),
             llvm::to_vector(subview.getStaticSizes())};
}

std::optional<std::pair<Value, Box>> boxInSource(Value view) {
  auto subview = view.getDefiningOp<memref::SubViewOp>();
  if (!subview)
    return std::nullopt;
  std::optional<Box> box = boxOf(subview);
  if (!box)
    return std::nullopt;
  return std::pair(subview.getSource(), *box);
}

} // namespace onnxc
