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
// The fills of a pad's borders (fill-pad-borders: two rows and two columns
// per channel) would also stay on one thread: each touches a cache line per
// row, and MobileNetV2's 17 padded depthwise inputs spent 2.7% of its time
// there, 5% at 2 threads. The fills of one buffer's boxes that follow each
// other go to one body together, over chunks of the channels that all of
// them span, each chunk a view of static shape: vectorize-fills then writes
// a chunk's left and right border columns together, as before.
//
//===----------------------------------------------------------------------===//

#include "BufferExtent.h"
#include "OnnxCompile/Transforms/Passes.h"
#include "ParallelFor.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
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

/// Rows (all dims but the innermost) that a group of fills must write
/// to be worth a parallel loop: each row is a store to a cache line of its
/// own, a few nanoseconds, against a microsecond or so for the hook.
constexpr int64_t kMinParallelFillRows = 2048;

/// At most this many chunks of channels per group: enough for the pool to
/// even out the threads' shares.
constexpr int64_t kMaxFillChunks = 32;

/// Fills of static boxes of one buffer, one after the other in a block, of
/// the same constant, all spanning dim `dim` of the buffer.
struct FillGroup {
  Value buffer;
  SmallVector<linalg::FillOp> fills;
  SmallVector<Box> boxes;
  unsigned dim;
};

/// The box of `buffer` that `fill` writes, with the buffer, when its output
/// is a static subview of a buffer the body can rebuild and its value a
/// constant.
std::optional<std::pair<Value, Box>> fillBox(linalg::FillOp fill) {
  Operation *value = fill.getInputs()[0].getDefiningOp();
  if (!fill.hasPureBufferSemantics() || !value ||
      !value->hasTrait<OpTrait::ConstantLike>())
    return std::nullopt;
  std::optional<std::pair<Value, Box>> box = boxInSource(fill.getOutputs()[0]);
  if (!box || !parallelBuffers(box->first))
    return std::nullopt;
  return box;
}

/// The groups of fills in `block`: runs of fills of boxes of one buffer
/// with one value, past ops without memory effects, that all span one of
/// the buffer's dims (its outermost such dim of 2 or more), and write
/// enough rows together.
SmallVector<FillGroup> fillGroups(Block &block) {
  SmallVector<FillGroup> groups;
  FillGroup current;
  auto close = [&] {
    if (current.fills.empty())
      return;
    auto type = llvm::cast<MemRefType>(current.buffer.getType());
    std::optional<unsigned> dim;
    for (unsigned d = 0; d + 1 < type.getRank() && !dim; ++d)
      if (type.getDimSize(d) >= 2 &&
          llvm::all_of(current.boxes, [&](const Box &box) {
            return box.offsets[d] == 0 && box.sizes[d] == type.getDimSize(d);
          }))
        dim = d;
    int64_t rows = 0;
    for (const Box &box : current.boxes) {
      int64_t boxRows = 1;
      for (int64_t size : ArrayRef(box.sizes).drop_back())
        boxRows *= size;
      rows += boxRows;
    }
    if (dim && rows >= kMinParallelFillRows) {
      current.dim = *dim;
      groups.push_back(current);
    }
    current = FillGroup();
  };
  for (Operation &op : block) {
    auto fill = llvm::dyn_cast<linalg::FillOp>(op);
    std::optional<std::pair<Value, Box>> box =
        fill ? fillBox(fill) : std::nullopt;
    if (!box) {
      if (!isMemoryEffectFree(&op))
        close();
      continue;
    }
    if (!current.fills.empty() &&
        (box->first != current.buffer ||
         fill.getInputs()[0] != current.fills.front().getInputs()[0]))
      close();
    current.buffer = box->first;
    current.fills.push_back(fill);
    current.boxes.push_back(box->second);
  }
  close();
  return groups;
}

/// The chunk of channels of a fill group's body: the smallest that divides
/// the extent into at most kMaxFillChunks.
int64_t fillChunk(int64_t extent) {
  for (int64_t chunk = 1; chunk < extent; ++chunk)
    if (extent % chunk == 0 && extent / chunk <= kMaxFillChunks)
      return chunk;
  return extent;
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
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || func.getName() == "onnxc_parallel_for" ||
          func.isPrivate())
        continue;
      for (FillGroup &group : fillGroups(func.getBody().front())) {
        std::string name =
            (func.getName() + "_fills" + llvm::Twine(bodies++)).str();
        splitFills(group, name);
      }
    }
  }

  /// Replaces the fills of `group` by a call of the hook on a body that
  /// fills their boxes in chunks of the channels: chunk i is channels
  /// [i * chunk, (i + 1) * chunk), a view of static shape of the buffer.
  void splitFills(FillGroup &group, StringRef name) {
    linalg::FillOp last = group.fills.back();
    Location loc = last.getLoc();
    OpBuilder b(last);
    auto type = llvm::cast<MemRefType>(group.buffer.getType());
    int64_t extent = type.getDimSize(group.dim), chunk = fillChunk(extent);
    auto emitRange = [&](OpBuilder &b, const IRMapping &rebuilt, Value begin,
                         Value end) {
      Value whole = rebuilt.lookup(group.buffer);
      // One value for all the fills: vectorize-fills pairs the columns of
      // fills of the same value.
      Value value = b.clone(*group.fills.front().getInputs()[0].getDefiningOp())
                        ->getResult(0);
      auto loop = scf::ForOp::create(b, loc, begin, end,
                                     arith::ConstantIndexOp::create(b, loc, 1));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value first =
          arith::MulIOp::create(b, loc, loop.getInductionVar(),
                                arith::ConstantIndexOp::create(b, loc, chunk));
      int64_t rank = type.getRank();
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
          strides(rank, b.getIndexAttr(1));
      for (int64_t size : type.getShape())
        sizes.push_back(b.getIndexAttr(size));
      offsets[group.dim] = first;
      sizes[group.dim] = b.getIndexAttr(chunk);
      Value channels =
          memref::SubViewOp::create(b, loc, whole, offsets, sizes, strides);
      for (const Box &box : group.boxes) {
        SmallVector<int64_t> boxOffsets(box.offsets), boxSizes(box.sizes);
        boxSizes[group.dim] = chunk;
        Value target =
            memref::SubViewOp::create(b, loc, channels, boxOffsets, boxSizes,
                                      SmallVector<int64_t>(rank, 1));
        linalg::FillOp::create(b, loc, value, target);
      }
    };
    emitParallelLoop(b, loc, getOperation(), name, {group.buffer},
                     extent / chunk, emitRange);
    for (linalg::FillOp fill : group.fills)
      fill.erase();
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
