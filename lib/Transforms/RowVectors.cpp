//===- RowVectors.cpp - Loops of vectors along a buffer's rows ------------===//

#include "RowVectors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace onnxc {
namespace {

/// Full vectors of a row beyond which the row is a loop, not unrolled.
constexpr int64_t kUnrolledVectors = 4;

class RowVectorEmitter {
public:
  RowVectorEmitter(
      OpBuilder &b, Location loc, Value buffer, int64_t lanes,
      function_ref<void(OpBuilder &, ArrayRef<Value>, int64_t)> chunk)
      : b(b), loc(loc), buffer(buffer), lanes(lanes), chunk(chunk),
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
    Value extent = ShapedType::isDynamic(shape[d])
                       ? memref::DimOp::create(b, loc, buffer, d).getResult()
                       : constant(shape[d]);
    auto loop = scf::ForOp::create(b, loc, constant(0), extent, constant(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> inner(indices);
    inner[d] = loop.getInductionVar();
    emitDim(inner, d + 1);
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
      chunk(b, inner, lanes);
    } else {
      for (int64_t i = 0; i < full; ++i) {
        SmallVector<Value> inner(indices);
        inner.back() = constant(i * lanes);
        chunk(b, inner, lanes);
      }
    }
    if (int64_t rest = extent - full * lanes) {
      SmallVector<Value> inner(indices);
      inner.back() = constant(full * lanes);
      chunk(b, inner, rest);
    }
  }

  OpBuilder &b;
  Location loc;
  Value buffer;
  int64_t lanes;
  function_ref<void(OpBuilder &, ArrayRef<Value>, int64_t)> chunk;
  ArrayRef<int64_t> shape;
};

} // namespace

void emitRowVectors(
    OpBuilder &b, Location loc, Value buffer, int64_t lanes,
    function_ref<void(OpBuilder &, ArrayRef<Value>, int64_t)> chunk) {
  RowVectorEmitter(b, loc, buffer, lanes, chunk).emit();
}

} // namespace onnxc
