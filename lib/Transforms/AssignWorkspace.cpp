//===- AssignWorkspace.cpp - One static arena for all buffers -------------===//
//
// Replaces every static memref.alloc by a view into one workspace argument.
// Buffer lifetimes come from positions in the function's single block; a
// view of a buffer (any memref-typed result of an op that uses it) extends
// the buffer's lifetime to the view's last use. Buffers are placed largest
// first at the lowest aligned offset that does not overlap any placed buffer
// alive at the same time. The lower bound of any placement is the largest
// total size of the buffers alive at one position; with `print-plan` the
// pass prints every buffer's offset next to that bound.
//
//===----------------------------------------------------------------------===//

#include "Contraction.h"
#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <tuple>

namespace onnxc {
#define GEN_PASS_DEF_ASSIGNWORKSPACE
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

struct Buffer {
  memref::AllocOp alloc;
  int64_t size = 0;
  int64_t first = 0, last = 0;
  int64_t offset = 0;
};

/// Bytes of one element in memory: i1 takes a byte, like LLVM stores it.
int64_t elementBytes(Type type) {
  if (auto complexType = llvm::dyn_cast<ComplexType>(type))
    return 2 * elementBytes(complexType.getElementType());
  return std::max<int64_t>(1, (type.getIntOrFloatBitWidth() + 7) / 8);
}

int64_t alignTo(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// The position of the last top-level op that uses `root` or a view of it.
int64_t lastUse(Value root, Block &block,
                const llvm::DenseMap<Operation *, int64_t> &position) {
  int64_t last = 0;
  SmallVector<Value> worklist{root};
  llvm::DenseSet<Value> seen{root};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      Operation *top = block.findAncestorOpInBlock(*user);
      if (top)
        last = std::max(last, position.lookup(top));
      for (Value result : user->getResults())
        if (llvm::isa<BaseMemRefType>(result.getType()) &&
            seen.insert(result).second)
          worklist.push_back(result);
    }
  }
  return last;
}

bool overlaps(const Buffer &a, const Buffer &b) {
  return !(a.last < b.first || b.last < a.first);
}

/// Greedy first fit, largest buffers first; returns the workspace size.
int64_t placeBuffers(SmallVectorImpl<Buffer> &buffers, int64_t alignment,
                     bool reuse) {
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  llvm::stable_sort(order, [](Buffer *a, Buffer *b) { return a->size > b->size; });
  SmallVector<Buffer *> placed;
  int64_t total = 0;
  for (Buffer *buffer : order) {
    SmallVector<Buffer *> live;
    for (Buffer *other : placed)
      if (!reuse || overlaps(*buffer, *other))
        live.push_back(other);
    llvm::sort(live, [](Buffer *a, Buffer *b) { return a->offset < b->offset; });
    int64_t offset = 0;
    for (Buffer *other : live) {
      if (offset + buffer->size <= other->offset)
        break;
      offset = std::max(offset, alignTo(other->offset + other->size, alignment));
    }
    buffer->offset = offset;
    total = std::max(total, offset + buffer->size);
    placed.push_back(buffer);
  }
  return alignTo(total, alignment);
}

/// The most bytes alive at one position: no placement can use less.
int64_t liveLowerBound(ArrayRef<Buffer> buffers) {
  std::map<int64_t, int64_t> delta;
  for (const Buffer &buffer : buffers) {
    delta[buffer.first] += buffer.size;
    delta[buffer.last + 1] -= buffer.size;
  }
  int64_t live = 0, most = 0;
  for (auto [position, change] : delta) {
    live += change;
    most = std::max(most, live);
  }
  return most;
}

/// The ONNX node names a location carries (fused ops carry several).
void collectNodeNames(Location loc, SmallVectorImpl<StringRef> &names) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc)) {
    if (!llvm::is_contained(names, name.getName().getValue()))
      names.push_back(name.getName().getValue());
  } else if (auto fused = llvm::dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      collectNodeNames(inner, names);
  } else if (auto callSite = llvm::dyn_cast<CallSiteLoc>(loc)) {
    collectNodeNames(callSite.getCallee(), names);
  }
}

void printMemoryPlan(func::FuncOp func, ArrayRef<Buffer> buffers, int64_t size,
               int64_t lowerBound, llvm::raw_ostream &os) {
  double over = lowerBound ? 100.0 * (size - lowerBound) / lowerBound : 0.0;
  os << "memory plan of @" << func.getSymName() << ": workspace " << size
     << " bytes, lower bound " << lowerBound << " bytes ("
     << llvm::format("+%.1f%%", over) << "), " << buffers.size()
     << " buffers\n";
  os << llvm::format("  %12s %12s  %-15s %s\n", "offset", "bytes", "live",
                     "node");
  SmallVector<const Buffer *> order;
  for (const Buffer &buffer : buffers)
    order.push_back(&buffer);
  llvm::stable_sort(order, [](const Buffer *a, const Buffer *b) {
    return std::tie(a->first, a->offset) < std::tie(b->first, b->offset);
  });
  for (const Buffer *buffer : order) {
    SmallVector<StringRef> names;
    collectNodeNames(const_cast<Buffer *>(buffer)->alloc.getLoc(), names);
    std::string live = "[" + std::to_string(buffer->first) + ", " +
                       std::to_string(buffer->last) + "]";
    os << llvm::format("  %12lld %12lld  %-15s ", (long long)buffer->offset,
                       (long long)buffer->size, live.c_str())
       << (names.empty() ? StringRef("-") : StringRef(""));
    llvm::interleave(names, os, ", ");
    os << "\n";
  }
}

struct AssignWorkspacePass : impl::AssignWorkspaceBase<AssignWorkspacePass> {
  using AssignWorkspaceBase::AssignWorkspaceBase;

  // A module pass, not a function pass: the functions' plans print in the
  // module's order instead of interleaved from parallel threads.
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && failed(planFunction(func)))
        return signalPassFailure();
  }

  LogicalResult planFunction(func::FuncOp func) {
    if (!func.getBody().hasOneBlock())
      return func.emitError("assign-workspace needs a single-block function");
    Block &block = func.front();
    llvm::DenseMap<Operation *, int64_t> position;
    for (auto [index, op] : llvm::enumerate(block))
      position[&op] = int64_t(index);
    // A contraction and its epilogue run as one kernel (see
    // vectorize-contractions): the contraction's buffers stay alive until
    // the epilogue, whose output then never takes their memory.
    if (epilogueLifetimes)
      for (auto op : block.getOps<linalg::GenericOp>())
        if (linalg::GenericOp epilogue = epilogueCandidate(op))
          position[op] = position.lookup(epilogue);

    SmallVector<Buffer> buffers;
    WalkResult walk = func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (alloc->getBlock() != &block || !type.hasStaticShape() ||
          !type.getLayout().isIdentity()) {
        alloc.emitError("cannot place a dynamic or nested allocation in the "
                        "static workspace");
        return WalkResult::interrupt();
      }
      Buffer buffer;
      buffer.alloc = alloc;
      buffer.size = type.getNumElements() * elementBytes(type.getElementType());
      buffer.first = position.lookup(alloc);
      buffer.last = std::max(buffer.first,
                             lastUse(alloc.getResult(), block, position));
      buffers.push_back(buffer);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();

    int64_t size = placeBuffers(buffers, alignment, reuse);
    int64_t lowerBound = liveLowerBound(buffers);
    if (printPlan)
      printMemoryPlan(func, buffers, size, lowerBound, llvm::outs());
    MLIRContext *ctx = &getContext();
    auto workspaceType = MemRefType::get({size}, IntegerType::get(ctx, 8));
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(index, workspaceType,
                                   DictionaryAttr::get(ctx), func.getLoc())))
      return func.emitError("cannot add the workspace argument");
    Value workspace = func.getArgument(index);
    for (Buffer &buffer : buffers) {
      OpBuilder builder(buffer.alloc);
      Location loc = buffer.alloc.getLoc();
      Value offset = arith::ConstantIndexOp::create(builder, loc, buffer.offset);
      Value view = memref::ViewOp::create(builder, loc, buffer.alloc.getType(),
                                          workspace, offset, ValueRange{});
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    // Buffers now belong to the caller: drop deallocations of them.
    func.walk([](memref::DeallocOp dealloc) {
      if (dealloc.getMemref().getDefiningOp<memref::ViewOp>())
        dealloc.erase();
    });
    auto i64 = IntegerType::get(ctx, 64);
    func->setAttr(kWorkspaceSizeAttr, IntegerAttr::get(i64, size));
    func->setAttr(kWorkspaceLowerBoundAttr, IntegerAttr::get(i64, lowerBound));
    return success();
  }
};

} // namespace
} // namespace onnxc
