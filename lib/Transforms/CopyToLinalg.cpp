//===- CopyToLinalg.cpp - memref.copy without the runner library ----------===//
//
// memref.copy of non-contiguous views lowers to a call into MLIR's C runner
// library, which the compiled object must not depend on. A copy between
// contiguous buffers stays (it becomes llvm.memcpy). A copy whose trailing
// dims are contiguous on both sides (a tensor.pad writing into the interior
// of its padded buffer) becomes loops over the leading dims around
// memcpy-able copies of those trailing dims; LLVM lowers these to vector
// moves, where the scalar loops of linalg.copy were vectorized into
// gathers and scatters. Any other copy becomes linalg.copy.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

namespace onnxc {
#define GEN_PASS_DEF_COPYTOLINALG
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// The first dim from which `type` is contiguous row-major to its end (its
/// rank when even the innermost dim is strided), ignoring unit dims.
int64_t contiguousFrom(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  int64_t rank = type.getRank();
  if (!type.hasStaticShape() ||
      failed(type.getStridesAndOffset(strides, offset)))
    return rank;
  int64_t expected = 1, first = rank;
  for (int64_t d = rank - 1; d >= 0; --d) {
    if (type.getDimSize(d) != 1) {
      if (strides[d] != expected)
        break;
      expected *= type.getDimSize(d);
    }
    first = d;
  }
  return first;
}

/// Copies `source` to `target` by loops over dims [0, split) around
/// memref.copy of the contiguous trailing dims.
void emitRowCopies(OpBuilder &b, Location loc, Value source, Value target,
                   int64_t split) {
  auto type = llvm::cast<MemRefType>(source.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets;
  for (int64_t d = 0; d < split; ++d) {
    if (type.getDimSize(d) == 1) {
      offsets.push_back(b.getIndexAttr(0));
      continue;
    }
    Value lb = arith::ConstantIndexOp::create(b, loc, 0);
    Value ub = arith::ConstantIndexOp::create(b, loc, type.getDimSize(d));
    Value step = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ForOp::create(b, loc, lb, ub, step);
    b.setInsertionPointToStart(loop.getBody());
    offsets.push_back(loop.getInductionVar());
  }
  SmallVector<OpFoldResult> sizes(split, b.getIndexAttr(1));
  for (int64_t d = split; d < rank; ++d) {
    offsets.push_back(b.getIndexAttr(0));
    sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
  }
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  Value from =
      memref::SubViewOp::create(b, loc, source, offsets, sizes, strides);
  Value to = memref::SubViewOp::create(b, loc, target, offsets, sizes, strides);
  memref::CopyOp::create(b, loc, from, to);
}

struct CopyToLinalgPass : impl::CopyToLinalgBase<CopyToLinalgPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      auto source = llvm::dyn_cast<MemRefType>(copy.getSource().getType());
      auto target = llvm::dyn_cast<MemRefType>(copy.getTarget().getType());
      if (!source || !target)
        continue;
      int64_t split = std::max(contiguousFrom(source), contiguousFrom(target));
      if (split == 0)
        continue;
      OpBuilder builder(copy);
      if (split < source.getRank())
        emitRowCopies(builder, copy.getLoc(), copy.getSource(),
                      copy.getTarget(), split);
      else
        linalg::CopyOp::create(builder, copy.getLoc(), copy.getSource(),
                               copy.getTarget());
      copy.erase();
    }
  }
};

} // namespace
} // namespace onnxc
