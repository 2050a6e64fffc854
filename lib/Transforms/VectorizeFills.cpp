//===- VectorizeFills.cpp - Fills as vector stores along their rows -------===//
//
// The pads of a CNN leave fills of thin slabs: the border rows of every
// channel ([C, 1, W + 2]) and the border columns ([C, H, 1], one element a
// row). Lowered to scalar loops, LLVM's loop vectorizer turns the loop over
// channels or rows into scatters (vscatterqps: ResNet-18 spent 2.5% of its
// time in them). This pass writes each fill on buffers as vector stores
// along its innermost, unit-stride dim, inside loops over the others:
// full vectors of `lanes`, then one narrower vector (masked to the next
// power of two with `masked-stores`), and a one-element vector for a
// column, which the loop vectorizer leaves alone. A pad's left and right
// columns go together: the right border of a row and the left border of
// the next are adjacent, one store for both.
//
//===----------------------------------------------------------------------===//

#include "BufferExtent.h"
#include "Contraction.h"
#include "OnnxCompile/Transforms/Passes.h"
#include "RowVectors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace onnxc {
#define GEN_PASS_DEF_VECTORIZEFILLS
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// Whether `fill` writes a static buffer whose innermost dim has unit
/// stride (the rows this pass stores as vectors).
bool isVectorizable(linalg::FillOp fill) {
  auto type = llvm::dyn_cast<MemRefType>(fill.getOutputs()[0].getType());
  // Elements of whole bytes: a vector of i1 is stored as packed bits, a
  // memref of i1 holds one byte per element.
  return type && type.hasStaticShape() && type.getRank() > 0 &&
         type.getElementType().isIntOrFloat() &&
         type.getElementTypeBitWidth() % 8 == 0 && hasUnitInnerStride(type);
}

/// Splat vectors of `value` along the rows of `buffer`.
void emitFill(OpBuilder &b, Location loc, Value buffer, Value value,
              int64_t lanes, bool masked) {
  emitRowVectors(b, loc, buffer, lanes,
                 [&](OpBuilder &b, ArrayRef<Value> indices, int64_t width) {
                   auto type = VectorType::get({width}, value.getType());
                   Value splat =
                       vector::BroadcastOp::create(b, loc, type, value);
                   storeVector(b, loc, splat, buffer, indices, masked);
                 });
}

/// A pad's left and right border columns of the same rows: fills of the
/// same value on boxes of one buffer, equal but for the innermost dim,
/// where the left box starts each row and the right one ends it. The right
/// border of a row and the left border of the next are then adjacent in
/// memory, and one store writes both.
struct ColumnPair {
  linalg::FillOp left, right;
  Value source;
  SmallVector<int64_t> offsets, sizes;
  int64_t leftWidth, rightOffset, rightWidth;
};

std::optional<ColumnPair> matchColumnPair(linalg::FillOp left) {
  Operation *next = left->getNextNode();
  while (next && isMemoryEffectFree(next))
    next = next->getNextNode();
  auto right = llvm::dyn_cast_or_null<linalg::FillOp>(next);
  if (!right || !right.hasPureBufferSemantics() ||
      right.getInputs()[0] != left.getInputs()[0])
    return std::nullopt;
  std::optional<std::pair<Value, Box>> l = boxInSource(left.getOutputs()[0]),
                                       r = boxInSource(right.getOutputs()[0]);
  if (!l || !r || l->first != r->first)
    return std::nullopt;
  auto type = llvm::cast<MemRefType>(l->first.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> strides;
  int64_t offset;
  if (rank < 2 || !type.hasStaticShape() ||
      failed(type.getStridesAndOffset(strides, offset)) ||
      strides[rank - 1] != 1 || strides[rank - 2] != type.getShape().back())
    return std::nullopt;
  const Box &lb = l->second, &rb = r->second;
  for (int64_t d = 0; d + 1 < rank; ++d)
    if (lb.offsets[d] != rb.offsets[d] || lb.sizes[d] != rb.sizes[d])
      return std::nullopt;
  int64_t rowLength = type.getShape().back();
  if (lb.offsets.back() != 0 ||
      rb.offsets.back() + rb.sizes.back() != rowLength ||
      lb.sizes.back() > rb.offsets.back() || lb.sizes[rank - 2] < 2)
    return std::nullopt;
  return ColumnPair{left,
                    right,
                    l->first,
                    SmallVector<int64_t>(ArrayRef(lb.offsets).drop_back()),
                    SmallVector<int64_t>(ArrayRef(lb.sizes).drop_back()),
                    lb.sizes.back(),
                    rb.offsets.back(),
                    rb.sizes.back()};
}

/// Stores the two columns of `pair` through the buffer with its rows
/// collapsed into one line: per row, the right border and the next row's
/// left border in one store; the first row's left border and the last
/// row's right border alone.
void emitColumnPair(OpBuilder &b, ColumnPair &pair, bool masked) {
  Location loc = pair.right.getLoc();
  auto type = llvm::cast<MemRefType>(pair.source.getType());
  int64_t rank = type.getRank(), rowLength = type.getShape().back();
  Value lines = memref::CollapseShapeOp::create(b, loc, pair.source,
                                                foldingPair(rank, rank - 2));
  Value value = pair.left.getInputs()[0];
  auto constant = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto store = [&](ArrayRef<Value> outer, Value position, int64_t width) {
    SmallVector<Value> indices(outer);
    indices.push_back(position);
    auto vectorType = VectorType::get({width}, value.getType());
    storeVector(b, loc, vector::BroadcastOp::create(b, loc, vectorType, value),
                lines, indices, masked);
  };
  // Loops over the dims outside the rows, within the box.
  SmallVector<Value> outer;
  OpBuilder::InsertionGuard guard(b);
  for (int64_t d = 0; d + 2 < rank; ++d) {
    if (pair.sizes[d] == 1) {
      outer.push_back(constant(pair.offsets[d]));
      continue;
    }
    auto loop = scf::ForOp::create(b, loc, constant(pair.offsets[d]),
                                   constant(pair.offsets[d] + pair.sizes[d]),
                                   constant(1));
    b.setInsertionPointToStart(loop.getBody());
    outer.push_back(loop.getInductionVar());
  }
  int64_t firstRow = pair.offsets.back(), rows = pair.sizes.back();
  auto lineStart = [&](Value row) {
    return b.createOrFold<arith::MulIOp>(loc, row, constant(rowLength));
  };
  store(outer, lineStart(constant(firstRow)), pair.leftWidth);
  Value lastRow = constant(firstRow + rows - 1);
  store(outer,
        b.createOrFold<arith::AddIOp>(loc, lineStart(lastRow),
                                      constant(pair.rightOffset)),
        pair.rightWidth);
  auto loop =
      scf::ForOp::create(b, loc, constant(firstRow), lastRow, constant(1));
  b.setInsertionPointToStart(loop.getBody());
  store(outer,
        b.createOrFold<arith::AddIOp>(loc, lineStart(loop.getInductionVar()),
                                      constant(pair.rightOffset)),
        pair.rightWidth + pair.leftWidth);
}

struct VectorizeFillsPass : impl::VectorizeFillsBase<VectorizeFillsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (lanes < 1) {
      getOperation().emitError("vectorize-fills: lanes must be positive");
      return signalPassFailure();
    }
    SmallVector<linalg::FillOp> fills;
    getOperation().walk([&](linalg::FillOp fill) {
      if (fill.hasPureBufferSemantics() && isVectorizable(fill))
        fills.push_back(fill);
    });
    llvm::SmallPtrSet<Operation *, 8> done;
    for (linalg::FillOp fill : fills) {
      if (done.contains(fill))
        continue;
      if (std::optional<ColumnPair> pair = matchColumnPair(fill)) {
        OpBuilder b(pair->right);
        emitColumnPair(b, *pair, maskedStores);
        done.insert(pair->right);
        pair->left.erase();
        pair->right.erase();
        continue;
      }
      OpBuilder b(fill);
      emitFill(b, fill.getLoc(), fill.getOutputs()[0], fill.getInputs()[0],
               lanes, maskedStores);
      fill.erase();
    }
  }
};

} // namespace
} // namespace onnxc
