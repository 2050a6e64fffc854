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

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace onnxc {
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

/// Parallel loops nested in a thread's work run sequentially in it.
void mapNestedSequential(Operation *root) {
  root->walk([&](scf::ParallelOp nested) {
    if (nested->hasAttr(gpu::getMappingAttrName()))
      return;
    setMapping(nested, SmallVector<gpu::Processor>(nested.getNumLoops(),
                                                   gpu::Processor::Sequential));
  });
}

/// Runs `op` in one thread of a one-block launch: a one-iteration parallel
/// loop around it.
void wrapInOneThread(RewriterBase &rewriter, Operation *op) {
  Location loc = op->getLoc();
  rewriter.setInsertionPoint(op);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  auto loop = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                      ValueRange{one}, ValueRange{one});
  rewriter.moveOpBefore(op, loop.getBody()->getTerminator());
  setMapping(loop, {gpu::Processor::BlockX});
  mapNestedSequential(loop);
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

/// Collapses `loop` into one dim and tiles it by the block size: tiles to
/// blocks, iterations to threads.
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
  mapNestedSequential(iterations);
}

/// Whether `op`'s loops start with a parallel loop that can be mapped.
bool hasLeadingParallelLoop(linalg::LinalgOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  return !iterators.empty() && iterators.front() == utils::IteratorType::parallel;
}

/// Lowers `op` to loops with its leading parallel loops mapped to the GPU.
LogicalResult mapLinalgOp(RewriterBase &rewriter, linalg::LinalgOp op,
                          int64_t blockSize) {
  if (!hasLeadingParallelLoop(op)) {
    wrapInOneThread(rewriter, op);
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
  if (llvm::any_of(op->getResults(),
                   [](Value result) { return !result.use_empty(); }))
    return op->emitError("the host would read tensor data here (a value "
                         "that decides a shape or a loop bound); not "
                         "supported on the nvptx64 target yet");
  wrapInOneThread(rewriter, op);
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
    for (Operation *op : ops)
      if (failed(mapHostOp(rewriter, op, blockSize)))
        return signalPassFailure();
  }
};

} // namespace
} // namespace onnxc
