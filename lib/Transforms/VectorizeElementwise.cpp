//===- VectorizeElementwise.cpp - Elementwise ops as vectors along rows ---===//
//
// An elementwise op whose buffers are not dense (a residual add that reads
// a pad's interior, or writes one: rows of 56 elements 58 apart) keeps one
// loop per dim after collapse-elementwise. LLVM unrolls the inner loop of
// a few dozen elements away and vectorizes across the outer dims with
// gathers and scatters: ResNet-18's residual adds on pad interiors ran at
// about one element per nanosecond. This pass computes such an op with
// vectors along its innermost, unit-stride dim instead, the body applied
// to vectors (as a contraction's epilogue is), inside loops over the
// other dims.
//
//===----------------------------------------------------------------------===//

#include "Contraction.h"
#include "OnnxCompile/Transforms/Passes.h"
#include "RowVectors.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace onnxc {
#define GEN_PASS_DEF_VECTORIZEELEMENTWISE
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// Whether `op` is an elementwise op of rank 2 or more on f32 buffers with
/// a static, unit-stride innermost dim. (An op of rank 1 is one line that
/// LLVM vectorizes well.)
bool isVectorizable(linalg::GenericOp op) {
  if (!isIdentityElementwise(op) || !hasVectorizableBody(op) ||
      op.getNumLoops() < 2)
    return false;
  return llvm::all_of(op->getOperands(), [](Value operand) {
    auto type = llvm::dyn_cast<MemRefType>(operand.getType());
    return type && type.getElementType().isF32() &&
           !ShapedType::isDynamic(type.getShape().back()) &&
           hasUnitInnerStride(type);
  });
}

/// The body of `op` on vectors of `lanes` along the rows of its output,
/// each input loaded at the same indices.
void emitElementwise(OpBuilder &b, linalg::GenericOp op, int64_t lanes,
                     bool masked) {
  Location loc = op.getLoc();
  Value output = op.getDpsInits()[0];
  SmallVector<Value> inputs(op.getDpsInputs());
  emitRowVectors(b, loc, output, lanes,
                 [&](OpBuilder &b, ArrayRef<Value> indices, int64_t width) {
                   SmallVector<Value> values;
                   for (Value input : inputs)
                     values.push_back(
                         loadVector(b, loc, input, indices, width, masked));
                   Value result = applyEpilogue(b, loc, op, 0, values.front(),
                                                ArrayRef(values).drop_front());
                   storeVector(b, loc, result, output, indices, masked);
                 });
}

struct VectorizeElementwisePass
    : impl::VectorizeElementwiseBase<VectorizeElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    if (lanes < 1) {
      getOperation().emitError("vectorize-elementwise: lanes must be positive");
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isVectorizable(op))
        ops.push_back(op);
    });
    for (linalg::GenericOp op : ops) {
      OpBuilder b(op);
      emitElementwise(b, op, lanes, maskedLoads);
      op.erase();
    }
  }
};

} // namespace
} // namespace onnxc
