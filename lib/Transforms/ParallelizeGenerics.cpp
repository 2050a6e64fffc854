//===- ParallelizeGenerics.cpp - Elementwise and row loops on the pool ----===//
//
// After vectorize-contractions has handed the contractions to the
// onnxc_parallel_for hook, the rest of a model (activations, residual
// adds, bias broadcasts, normalizations and softmax rows) would still run
// on one thread. This pass splits every large enough linalg.generic on
// buffers along its outermost parallel dim: the generic is cloned into an
// internal body function on subviews [begin, end) of that dim, and the
// hook runs the body over the dim's extent.
//
//===----------------------------------------------------------------------===//

#include "ParallelFor.h"
#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Transforms/RegionUtils.h"

namespace onnxc {
#define GEN_PASS_DEF_PARALLELIZEGENERICS
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// The position in `map`'s results where dim `dim` appears alone, -1 when
/// the map does not read `dim`, or nothing when `dim` appears in a compound
/// expression.
std::optional<int64_t> resultOfDim(AffineMap map, unsigned dim) {
  int64_t position = -1;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (!expr.isFunctionOfDim(dim))
      continue;
    auto d = llvm::dyn_cast<AffineDimExpr>(expr);
    if (!d || position != -1)
      return std::nullopt;
    position = i;
  }
  return position;
}

/// The dim to split `op` along: its outermost parallel dim of extent >= 2
/// that every operand reads as a plain dim or not at all.
std::optional<unsigned> splitDim(linalg::GenericOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < iterators.size(); ++d) {
    if (iterators[d] != utils::IteratorType::parallel || ranges[d] < 2 ||
        ShapedType::isDynamic(ranges[d]))
      continue;
    if (llvm::all_of(op.getIndexingMapsArray(), [&](AffineMap map) {
          return resultOfDim(map, d).has_value();
        }))
      return d;
  }
  return std::nullopt;
}

struct ParallelizeGenericsPass
    : impl::ParallelizeGenericsBase<ParallelizeGenericsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::GenericOp> ops;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        for (Operation &op : func.getBody().front())
          if (auto generic = llvm::dyn_cast<linalg::GenericOp>(op))
            ops.push_back(generic);
    unsigned bodies = 0;
    for (linalg::GenericOp op : ops) {
      std::optional<unsigned> dim = splitDim(op);
      std::optional<SmallVector<Value>> buffers =
          parallelBuffers(op->getOperands());
      if (!op.hasPureBufferSemantics() || !dim || !buffers ||
          iterationCount(op) < minParallelWork || usesIndex(op) ||
          !capturesOnlyConstants(op.getRegion()))
        continue;
      auto parent = op->getParentOfType<func::FuncOp>();
      std::string name =
          (parent.getName() + "_loop" + llvm::Twine(bodies++)).str();
      split(op, *dim, *buffers, name);
    }
  }

  static bool usesIndex(linalg::GenericOp op) {
    return op.getRegion()
        .walk([](linalg::IndexOp) { return WalkResult::interrupt(); })
        .wasInterrupted();
  }

  /// Replaces `op` by a call of the hook on a clone of it inside a body,
  /// on the slices [begin, end) of dim `dim`.
  void split(linalg::GenericOp op, unsigned dim, ArrayRef<Value> buffers,
             StringRef name) {
    Location loc = op.getLoc();
    OpBuilder b(op);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    auto emitRange = [&](OpBuilder &b, const IRMapping &rebuilt, Value begin,
                         Value end) {
      Value size = arith::SubIOp::create(b, loc, end, begin);
      // Each operand becomes its slice [begin, end) of the split dim.
      SmallVector<Value> slices;
      for (OpOperand &operand : op->getOpOperands()) {
        Value whole = rebuilt.lookup(operand.get());
        int64_t position =
            *resultOfDim(maps[operand.getOperandNumber()], dim);
        if (position < 0) {
          slices.push_back(whole);
          continue;
        }
        auto type = llvm::cast<MemRefType>(whole.getType());
        SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
        SmallVector<OpFoldResult> sizes, strides(type.getRank(),
                                                 b.getIndexAttr(1));
        for (int64_t d : type.getShape())
          sizes.push_back(b.getIndexAttr(d));
        offsets[position] = begin;
        sizes[position] = size;
        slices.push_back(
            memref::SubViewOp::create(b, loc, whole, offsets, sizes, strides));
      }
      unsigned numInputs = op.getNumDpsInputs();
      auto clone = linalg::GenericOp::create(
          b, loc, TypeRange{}, ArrayRef(slices).take_front(numInputs),
          ArrayRef(slices).drop_front(numInputs), maps,
          op.getIteratorTypesArray());
      // The body's captured constants are copied in front of the clone.
      IRMapping regionMapping;
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(op.getRegion(), captured);
      {
        OpBuilder::InsertionGuard constants(b);
        b.setInsertionPoint(clone);
        for (Value value : captured)
          regionMapping.map(value,
                            b.clone(*value.getDefiningOp())->getResult(0));
      }
      op.getRegion().cloneInto(&clone.getRegion(), regionMapping);
    };
    emitParallelLoop(b, loc, getOperation(), name, buffers,
                     op.getStaticLoopRanges()[dim], emitRange);
    op.erase();
  }
};

} // namespace
} // namespace onnxc
