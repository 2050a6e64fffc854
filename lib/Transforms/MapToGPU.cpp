//===- MapToGPU.cpp - Loops of a bufferized function onto blocks/threads --===//
//
// On the nvptx64 target the model function receives device pointers: the
// host may compute addresses (views of the workspace) but never touch a
// buffer. Every op that reads or writes one is turned into a parallel loop
// nest mapped to the GPU, and convert-parallel-loops-to-gpu then makes the
// gpu.launch ops. The mapping is the simplest that keeps memory access
// coalesced: a linalg op's leading parallel loops collapse into one
// (the innermost, fastest-varying output dim is the one consecutive threads
// share), tiled by the block size.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Transforms/Passes.h"
#include "GPUMapping.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace onnxc {
#define GEN_PASS_DEF_CHECKHOSTCODE
#define GEN_PASS_DEF_MAPTOGPU
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// Maps the loops of `loop` onto `processors`, one per dim.
void setMapping(scf::ParallelOp loop, ArrayRef<gpu::Processor> processors) {
  MLIRContext *ctx = loop.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, ctx);
  SmallVector<gpu::ParallelLoopDimMappingAttr> mapping;
  for (gpu::Processor processor : processors)
    mapping.push_back(
        gpu::ParallelLoopDimMappingAttr::get(ctx, processor, identity,
                                             identity));
  (void)gpu::setMappingAttr(loop, mapping);
}

/// Replaces `loop` (without reductions) by a nest of scf.for.
void sequentialize(RewriterBase &rewriter, scf::ParallelOp loop) {
  rewriter.setInsertionPoint(loop);
  scf::LoopNest nest =
      scf::buildLoopNest(rewriter, loop.getLoc(), loop.getLowerBound(),
                         loop.getUpperBound(), loop.getStep());
  SmallVector<Value> ivs;
  for (scf::ForOp forOp : nest.loops)
    ivs.push_back(forOp.getInductionVar());
  Block *body = loop.getBody();
  rewriter.eraseOp(body->getTerminator());
  rewriter.inlineBlockBefore(body, nest.loops.back().getBody()->getTerminator(),
                             ivs);
  rewriter.eraseOp(loop);
}

/// Parallel loops nested in a thread's work run sequentially in it (as
/// scf.for: convert-parallel-loops-to-gpu cannot map a parallel loop under
/// an scf.for).
void sequentializeNested(RewriterBase &rewriter, scf::ParallelOp root) {
  SmallVector<scf::ParallelOp> nested;
  root.getBody()->walk(
      [&](scf::ParallelOp loop) { nested.push_back(loop); });
  // Post-order: inner loops first.
  for (scf::ParallelOp loop : nested)
    sequentialize(rewriter, loop);
}

/// Runs `ops` (consecutive, in order) in one thread of a one-block launch:
/// a one-iteration parallel loop around them.
void wrapInOneThread(RewriterBase &rewriter, ArrayRef<Operation *> ops) {
  Location loc = ops.front()->getLoc();
  rewriter.setInsertionPoint(ops.front());
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  auto loop = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                      ValueRange{one}, ValueRange{one});
  for (Operation *op : ops)
    rewriter.moveOpBefore(op, loop.getBody()->getTerminator());
  setMapping(loop, {gpu::Processor::BlockX});
  sequentializeNested(rewriter, loop);
}

/// The constant number of iterations of `loop` (linalg's loops start at 0
/// with step 1), or 0 when it is not constant.
int64_t constantExtent(scf::ParallelOp loop) {
  int64_t extent = 1;
  for (auto [lower, upper, step] : llvm::zip(
           loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    std::optional<int64_t> l = getConstantIntValue(lower),
                           u = getConstantIntValue(upper),
                           s = getConstantIntValue(step);
    if (!l || !u || !s || *l != 0 || *s != 1)
      return 0;
    extent *= *u;
  }
  return extent;
}

} // namespace

void mapToBlocksAndThreads(RewriterBase &rewriter, scf::ParallelOp loop,
                           int64_t blockSize) {
  int64_t extent = constantExtent(loop);
  if (loop.getNumLoops() > 1) {
    // The collapsed loop replaces `loop` right where it was.
    Operation *next = loop->getNextNode();
    std::vector<unsigned> all;
    for (unsigned d = 0; d < loop.getNumLoops(); ++d)
      all.push_back(d);
    collapseParallelLoops(rewriter, loop, {all});
    loop = llvm::cast<scf::ParallelOp>(next->getPrevNode());
  }
  // A loop shorter than a block gets a block of its own length.
  int64_t threads = extent > 0 ? std::min(extent, blockSize) : blockSize;
  auto [tiles, iterations] =
      scf::tileParallelLoop(loop, {threads}, /*noMinMaxBounds=*/true);
  setMapping(tiles, {gpu::Processor::BlockX});
  setMapping(iterations, {gpu::Processor::ThreadX});
  sequentializeNested(rewriter, iterations);
}

namespace {

/// Whether `op`'s loops start with a parallel loop that can be mapped.
bool hasLeadingParallelLoop(linalg::LinalgOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  return !iterators.empty() && iterators.front() == utils::IteratorType::parallel;
}

/// Lowers `op` to loops with its leading parallel loops mapped to the GPU.
LogicalResult mapLinalgOp(RewriterBase &rewriter, linalg::LinalgOp op,
                          int64_t blockSize) {
  if (auto generic = llvm::dyn_cast<linalg::GenericOp>(op.getOperation()))
    if (succeeded(mapContractionToGPU(rewriter, generic, blockSize)))
      return success();
  if (!hasLeadingParallelLoop(op)) {
    wrapInOneThread(rewriter, {op});
    return success();
  }
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::LinalgLoops> loops =
      linalg::linalgOpToParallelLoops(rewriter, op);
  if (failed(loops) || loops->empty())
    return op->emitError("cannot lower this op to loops for the GPU");
  rewriter.eraseOp(op);
  auto outer = llvm::dyn_cast<scf::ParallelOp>(loops->front());
  if (!outer)
    return loops->front()->emitError("expected a parallel loop for the GPU");
  mapToBlocksAndThreads(rewriter, outer, blockSize);
  return success();
}

/// The ops from `first` to the last one that uses a value defined from
/// `first` on (a value read from a buffer, and what is computed from it):
/// one thread runs them in order, so that the host never sees the value.
/// Fails, naming the op, when the range would hold a run-time data check.
FailureOr<SmallVector<Operation *>> rangeUsingResults(Operation *first) {
  Block *block = first->getBlock();
  Operation *last = first;
  for (Operation *op = first; op != last->getNextNode();
       op = op->getNextNode()) {
    if (llvm::isa<cf::AssertOp>(op))
      return op->emitError("run-time data checks are not supported on the "
                           "nvptx64 target yet"),
             failure();
    for (Value result : op->getResults())
      for (Operation *user : result.getUsers()) {
        Operation *top = block->findAncestorOpInBlock(*user);
        if (top && last->isBeforeInBlock(top))
          last = top;
      }
    if (op->hasTrait<OpTrait::IsTerminator>())
      return first->emitError("the host would read tensor data here; not "
                              "supported on the nvptx64 target yet"),
             failure();
  }
  SmallVector<Operation *> ops;
  for (Operation *op = first; op != last->getNextNode(); op = op->getNextNode())
    ops.push_back(op);
  return ops;
}

/// Maps one op of the host function's body. Pure ops (views, constants,
/// get_global) stay on the host.
LogicalResult mapHostOp(RewriterBase &rewriter, Operation *op,
                        int64_t blockSize) {
  if (op->hasTrait<OpTrait::IsTerminator>() || isMemoryEffectFree(op))
    return success();
  if (llvm::isa<cf::AssertOp>(op))
    return op->emitError("run-time data checks are not supported on the "
                         "nvptx64 target yet");
  if (auto copy = llvm::dyn_cast<memref::CopyOp>(op)) {
    rewriter.setInsertionPoint(copy);
    auto linalgCopy = linalg::CopyOp::create(rewriter, copy.getLoc(),
                                             copy.getSource(),
                                             copy.getTarget());
    rewriter.eraseOp(copy);
    op = linalgCopy;
  }
  if (auto linalgOp = llvm::dyn_cast<linalg::LinalgOp>(op))
    return mapLinalgOp(rewriter, linalgOp, blockSize);
  FailureOr<SmallVector<Operation *>> range = rangeUsingResults(op);
  if (failed(range))
    return failure();
  wrapInOneThread(rewriter, *range);
  return success();
}

struct MapToGPUPass : impl::MapToGPUBase<MapToGPUPass> {
  using MapToGPUBase::MapToGPUBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (!func.getBody().hasOneBlock()) {
      func.emitError("map-to-gpu expects a single-block function");
      return signalPassFailure();
    }
    if (blockSize < 1 || blockSize > 1024) {
      func.emitError("map-to-gpu: block-size must be 1..1024");
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> ops;
    for (Operation &op : func.getBody().front())
      ops.push_back(&op);
    for (Operation *op : ops) {
      // Already moved into a one-thread range with an earlier op.
      if (op->getParentOp() != func)
        continue;
      if (failed(mapHostOp(rewriter, op, blockSize)))
        return signalPassFailure();
    }
    // Fold the bounds that collapsing and tiling computed, so that the
    // launch sizes are constants. No canonicalization patterns: they would
    // inline the one-iteration loops back into the host code.
    (void)applyPatternsGreedily(func, FrozenRewritePatternSet());
  }
};

struct CheckHostCodePass : impl::CheckHostCodeBase<CheckHostCodePass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk<WalkOrder::PreOrder>(
        [&](Operation *op) {
          if (llvm::isa<gpu::LaunchOp>(op))
            return WalkResult::skip();
          auto effects = llvm::dyn_cast<MemoryEffectOpInterface>(op);
          if (effects && (effects.hasEffect<MemoryEffects::Read>() ||
                          effects.hasEffect<MemoryEffects::Write>())) {
            op->emitError("internal error: host code of a GPU model would "
                          "touch a buffer here");
            return WalkResult::interrupt();
          }
          return WalkResult::advance();
        });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
} // namespace onnxc
