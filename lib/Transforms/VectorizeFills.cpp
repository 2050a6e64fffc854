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
// column, which the loop vectorizer leaves alone.
//
//===----------------------------------------------------------------------===//

#include "Contraction.h"
#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace onnxc {
#define GEN_PASS_DEF_VECTORIZEFILLS
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// Full vectors of a row beyond which the row is a loop, not unrolled.
constexpr int64_t kUnrolledVectors = 4;

/// Whether `fill` writes a static buffer whose innermost dim has unit
/// stride (the rows this pass stores as vectors).
bool isVectorizable(linalg::FillOp fill) {
  auto type = llvm::dyn_cast<MemRefType>(fill.getOutputs()[0].getType());
  // Elements of whole bytes: a vector of i1 is stored as packed bits, a
  // memref of i1 holds one byte per element.
  if (!type || !type.hasStaticShape() || type.getRank() == 0 ||
      !type.getElementType().isIntOrFloat() ||
      type.getElementTypeBitWidth() % 8 != 0)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

class FillEmitter {
public:
  FillEmitter(OpBuilder &b, Location loc, Value buffer, Value value,
              int64_t lanes, bool masked)
      : b(b), loc(loc), buffer(buffer), value(value), lanes(lanes),
        masked(masked),
        shape(llvm::cast<MemRefType>(buffer.getType()).getShape()) {}

  void emit() {
    SmallVector<Value> indices(shape.size(), constant(0));
    emitDim(indices, 0);
  }

private:
  Value constant(int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }

  /// A loop over dim `d` (none when it has one element), then the dims
  /// inside it; the innermost is the row.
  void emitDim(SmallVector<Value> &indices, size_t d) {
    if (d + 1 == shape.size())
      return emitRow(indices);
    if (shape[d] == 1)
      return emitDim(indices, d + 1);
    auto loop = scf::ForOp::create(b, loc, constant(0), constant(shape[d]),
                                   constant(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> inner(indices);
    inner[d] = loop.getInductionVar();
    emitDim(inner, d + 1);
  }

  /// Stores a splat of `width` elements at `indices`.
  void store(ArrayRef<Value> indices, int64_t width) {
    auto type = VectorType::get({width}, value.getType());
    Value splat = vector::BroadcastOp::create(b, loc, type, value);
    storeVector(b, loc, splat, buffer, indices, masked);
  }

  void emitRow(SmallVector<Value> &indices) {
    int64_t extent = shape.back(), full = extent / lanes;
    if (full > kUnrolledVectors) {
      auto loop = scf::ForOp::create(b, loc, constant(0),
                                     constant(full * lanes), constant(lanes));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      SmallVector<Value> inner(indices);
      inner.back() = loop.getInductionVar();
      store(inner, lanes);
    } else {
      for (int64_t i = 0; i < full; ++i) {
        SmallVector<Value> inner(indices);
        inner.back() = constant(i * lanes);
        store(inner, lanes);
      }
    }
    if (int64_t rest = extent - full * lanes) {
      SmallVector<Value> inner(indices);
      inner.back() = constant(full * lanes);
      store(inner, rest);
    }
  }

  OpBuilder &b;
  Location loc;
  Value buffer, value;
  int64_t lanes;
  bool masked;
  ArrayRef<int64_t> shape;
};

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
    for (linalg::FillOp fill : fills) {
      OpBuilder b(fill);
      FillEmitter(b, fill.getLoc(), fill.getOutputs()[0], fill.getInputs()[0],
                  lanes, maskedStores)
          .emit();
      fill.erase();
    }
  }
};

} // namespace
} // namespace onnxc
