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
/// Run-time data checks among them become stores of the status word.
FailureOr<SmallVector<Operation *>> rangeUsingResults(Operation *first) {
  Block *block = first->getBlock();
  Operation *last = first;
  for (Operation *op = first; op != last->getNextNode();
       op = op->getNextNode()) {
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

/// A status word after the end of the function's workspace (its last
/// argument, which grows by 64 bytes), zeroed by a one-thread kernel at
/// the function's start: the run-time data checks' result, since a kernel
/// cannot return one. Returns a view of it, or null without a workspace.
Value addStatusWord(RewriterBase &rewriter, func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  if (func.getNumArguments() == 0)
    return {};
  BlockArgument workspace = func.getArgument(func.getNumArguments() - 1);
  auto type = llvm::dyn_cast<MemRefType>(workspace.getType());
  if (!type || type.getRank() != 1 || !type.hasStaticShape() ||
      !type.getElementType().isInteger(8))
    return {};
  int64_t offset = llvm::alignTo(type.getDimSize(0), 64);
  workspace.setType(
      MemRefType::get({offset + 64}, IntegerType::get(ctx, 8)));
  SmallVector<Type> inputs(func.getArgumentTypes());
  inputs.back() = workspace.getType();
  func.setType(FunctionType::get(ctx, inputs, func.getResultTypes()));
  auto i64 = IntegerType::get(ctx, 64);
  func->setAttr(kWorkspaceSizeAttr, IntegerAttr::get(i64, offset + 64));
  func->setAttr(kStatusOffsetAttr, IntegerAttr::get(i64, offset));

  Location loc = func.getLoc();
  rewriter.setInsertionPointToStart(&func.front());
  Value view = memref::ViewOp::create(
      rewriter, loc, MemRefType::get({}, rewriter.getI32Type()), workspace,
      arith::ConstantIndexOp::create(rewriter, loc, offset), ValueRange{});
  Value zero = arith::ConstantIntOp::create(rewriter, loc, 0, 32);
  auto clear = memref::StoreOp::create(rewriter, loc, zero, view);
  wrapInOneThread(rewriter, {clear});
  return view;
}

/// A run-time data check, now inside a kernel: a failure writes the
/// documented status (2) into the status word.
void lowerCheck(RewriterBase &rewriter, cf::AssertOp check, Value status) {
  Location loc = check.getLoc();
  rewriter.setInsertionPoint(check);
  Value failed = arith::XOrIOp::create(
      rewriter, loc, check.getArg(),
      arith::ConstantIntOp::create(rewriter, loc, 1, 1));
  auto ifOp = scf::IfOp::create(rewriter, loc, failed, /*withElse=*/false);
  rewriter.setInsertionPointToStart(ifOp.thenBlock());
  memref::StoreOp::create(
      rewriter, loc,
      arith::ConstantIntOp::create(rewriter, loc, kStatusDataMismatch, 32),
      status);
  rewriter.eraseOp(check);
}

/// For the mapping run on the CPU (return-status): the function returns
/// the status word, as lower-runtime-checks' functions do.
void returnStatusWord(RewriterBase &rewriter, func::FuncOp func,
                      Value status) {
  auto ret = llvm::cast<func::ReturnOp>(func.front().getTerminator());
  rewriter.setInsertionPoint(ret);
  Value value = memref::LoadOp::create(rewriter, ret.getLoc(), status);
  func::ReturnOp::create(rewriter, ret.getLoc(), value);
  rewriter.eraseOp(ret);
  func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                 {rewriter.getI32Type()}));
}

/// Maps one op of the host function's body. Pure ops (views, constants,
/// get_global) stay on the host.
LogicalResult mapHostOp(RewriterBase &rewriter, Operation *op,
                        int64_t blockSize) {
  if (op->hasTrait<OpTrait::IsTerminator>() || isMemoryEffectFree(op))
    return success();
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
    // Copies, at any depth, become linalg.copy: loops in a kernel (a
    // memref.copy would call the host's runtime library there), parallel
    // kernels at the top level.
    SmallVector<memref::CopyOp> copies;
    func.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      rewriter.eraseOp(copy);
    }
    SmallVector<Operation *> ops;
    for (Operation &op : func.getBody().front())
      ops.push_back(&op);
    SmallVector<cf::AssertOp> checks;
    func.walk([&](cf::AssertOp check) { checks.push_back(check); });
    Value status;
    if (!checks.empty()) {
      status = addStatusWord(rewriter, func);
      if (!status) {
        checks.front().emitError("run-time data checks need a workspace for "
                                 "their status on the nvptx64 target");
        return signalPassFailure();
      }
    }
    for (Operation *op : ops) {
      // Already moved into a one-thread range with an earlier op.
      if (op->getParentOp() != func)
        continue;
      if (failed(mapHostOp(rewriter, op, blockSize)))
        return signalPassFailure();
    }
    for (cf::AssertOp check : checks)
      lowerCheck(rewriter, check, status);
    if (status && returnStatus)
      returnStatusWord(rewriter, func, status);
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
