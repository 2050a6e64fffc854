//===- ParallelFor.cpp - Calls of the onnxc_parallel_for hook -------------===//

#include "ParallelFor.h"
#include "BufferExtent.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

namespace onnxc {

/// The hook the object calls for a parallel loop (runtime/onnxc_runtime.h).
static constexpr llvm::StringLiteral kParallelForName = "onnxc_parallel_for";

namespace {

/// The hook, created with its serial default on first use.
func::FuncOp getOrCreateParallelFor(ModuleOp module) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(kParallelForName))
    return existing;
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  Location loc = module.getLoc();
  auto base = MemRefType::get({}, b.getF32Type());
  auto index = b.getIndexType();
  auto bodyType =
      FunctionType::get(ctx, {base, base, base, index, index}, {});
  auto type = FunctionType::get(ctx, {bodyType, base, base, base, index}, {});
  b.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(b, loc, kParallelForName, type);
  // The runtime's thread pool replaces this serial default at link time.
  func->setAttr("llvm.linkage",
                LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Weak));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  func::CallIndirectOp::create(
      b, loc, entry->getArgument(0),
      ValueRange{entry->getArgument(1), entry->getArgument(2),
                 entry->getArgument(3), zero, entry->getArgument(4)});
  func::ReturnOp::create(b, loc);
  return func;
}

/// A new internal function `name`(a, b, c, begin, end) before the hook,
/// with its entry block.
func::FuncOp createParallelBody(OpBuilder &b, Location loc,
                                func::FuncOp parallelFor, StringRef name) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(parallelFor);
  auto type =
      llvm::cast<FunctionType>(parallelFor.getFunctionType().getInput(0));
  auto body = func::FuncOp::create(b, loc, name, type);
  body.setPrivate();
  // Two models linked into one program may both have such bodies.
  body->setAttr("llvm.linkage", LLVM::LinkageAttr::get(
                                    b.getContext(), LLVM::Linkage::Internal));
  SymbolTable(parallelFor->getParentOfType<ModuleOp>()).insert(body);
  body.addEntryBlock();
  return body;
}

/// Whether `value` can be rebuilt from its base pointer inside a body.
bool hasStaticF32Layout(Value value) {
  auto type = llvm::dyn_cast<MemRefType>(value.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  return type && type.hasStaticShape() && type.getElementType().isF32() &&
         succeeded(type.getStridesAndOffset(strides, offset)) &&
         !ShapedType::isDynamic(offset) &&
         llvm::none_of(strides, ShapedType::isDynamic);
}

/// Buffer `original` inside a body, rebuilt from the base pointer `base`
/// that the body receives.
Value rebuildBuffer(OpBuilder &b, Location loc, Value base, Value original) {
  auto type = llvm::cast<MemRefType>(original.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  (void)type.getStridesAndOffset(strides, offset);
  return memref::ReinterpretCastOp::create(b, loc, type, base, offset,
                                           type.getShape(), strides);
}

/// A buffer inside the workspace: a view of the function's workspace
/// argument at a constant byte offset (through reshapes), all of whose
/// f32 elements the body reaches from the workspace's one base pointer.
struct WorkspaceView {
  Value workspace;
  int64_t elementOffset;
};

std::optional<WorkspaceView> workspaceViewOf(Value buffer) {
  if (!llvm::cast<MemRefType>(buffer.getType()).getElementType().isF32())
    return std::nullopt;
  std::optional<BufferExtent> extent = bufferExtent(buffer);
  if (!extent || !llvm::isa<BlockArgument>(extent->base))
    return std::nullopt;
  auto workspaceType = llvm::cast<MemRefType>(extent->base.getType());
  if (workspaceType.getRank() != 1 ||
      !workspaceType.getElementType().isInteger(8) ||
      workspaceType.getNumElements() % 4 != 0 || extent->offset % 4 != 0)
    return std::nullopt;
  return WorkspaceView{extent->base, extent->offset / 4};
}

/// The value whose base pointer a buffer's slot passes: with `share`, the
/// workspace for the buffers in it; else the buffer itself.
Value slotOf(Value buffer, bool share) {
  if (share)
    if (std::optional<WorkspaceView> view = workspaceViewOf(buffer))
      return view->workspace;
  return buffer;
}

/// Whether `buffers` need to share the workspace's slot: one slot each
/// would be too many. (Sharing only where needed: a buffer of its own is
/// a base pointer of its own, which LLVM optimizes the body better with.)
bool shareWorkspace(ArrayRef<Value> buffers) {
  return llvm::count_if(buffers, [](Value buffer) {
           return !buffer.getDefiningOp<memref::GetGlobalOp>();
         }) > kParallelForBuffers;
}

/// The workspace as f32 elements: the value whose base pointer its slot
/// passes.
Value workspaceAsF32(OpBuilder &b, Location loc, Value workspace) {
  auto type = llvm::cast<MemRefType>(workspace.getType());
  auto f32Type = MemRefType::get({type.getNumElements() / 4}, b.getF32Type());
  return memref::ViewOp::create(b, loc, f32Type, workspace,
                                arith::ConstantIndexOp::create(b, loc, 0),
                                ValueRange{});
}

/// A workspace buffer inside a body, from the workspace's base pointer.
Value rebuildWorkspaceView(OpBuilder &b, Location loc, Value base,
                           Value original, int64_t elementOffset) {
  auto type = llvm::cast<MemRefType>(original.getType());
  // Dense: the identity layout's strides, at the buffer's place.
  SmallVector<int64_t> strides = type.getStridesAndOffset().first;
  auto rebuiltType = MemRefType::get(
      type.getShape(), type.getElementType(),
      StridedLayoutAttr::get(b.getContext(), elementOffset, strides));
  return memref::ReinterpretCastOp::create(b, loc, rebuiltType, base,
                                           elementOffset, type.getShape(),
                                           strides);
}

} // namespace

int64_t iterationCount(linalg::GenericOp op) {
  int64_t total = 1;
  for (int64_t range : op.getStaticLoopRanges())
    total *= range;
  return total;
}

bool capturesOnlyConstants(Region &region) {
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(region, captured);
  return llvm::all_of(captured, [](Value value) {
    Operation *def = value.getDefiningOp();
    return def && def->hasTrait<OpTrait::ConstantLike>();
  });
}

/// A constant global (a weight): the body takes it again by name instead of
/// through one of the hook's buffer slots.
static memref::GetGlobalOp globalOf(Value buffer) {
  return buffer.getDefiningOp<memref::GetGlobalOp>();
}

std::optional<SmallVector<Value>> parallelBuffers(ValueRange operands) {
  llvm::SetVector<Value> distinct(operands.begin(), operands.end());
  bool share = shareWorkspace(distinct.getArrayRef());
  llvm::SetVector<Value> slots;
  for (Value buffer : distinct)
    if (!globalOf(buffer))
      slots.insert(slotOf(buffer, share));
  if (slots.size() > kParallelForBuffers ||
      !llvm::all_of(distinct, hasStaticF32Layout))
    return std::nullopt;
  return SmallVector<Value>(distinct.begin(), distinct.end());
}

void emitParallelLoop(
    OpBuilder &b, Location loc, ModuleOp module, StringRef name,
    ArrayRef<Value> buffers, int64_t count,
    function_ref<void(OpBuilder &, const IRMapping &, Value, Value)>
        emitRange) {
  func::FuncOp parallelFor = getOrCreateParallelFor(module);
  func::FuncOp body = createParallelBody(b, loc, parallelFor, name);
  // One slot per buffer passed; the workspace's buffers share one.
  struct Slots {
    llvm::SetVector<Value> list;
    unsigned getSlotIndex(Value slot) const {
      return std::distance(list.begin(), llvm::find(list, slot));
    }
    ArrayRef<Value> values() const { return list.getArrayRef(); }
  } slots;
  bool share = shareWorkspace(buffers);
  for (Value buffer : buffers)
    if (!globalOf(buffer))
      slots.list.insert(slotOf(buffer, share));
  {
    OpBuilder::InsertionGuard guard(b);
    Block *entry = &body.getBody().front();
    b.setInsertionPointToStart(entry);
    IRMapping rebuilt;
    for (Value buffer : buffers) {
      if (memref::GetGlobalOp global = globalOf(buffer)) {
        rebuilt.map(buffer, b.clone(*global)->getResult(0));
        continue;
      }
      Value base =
          entry->getArgument(slots.getSlotIndex(slotOf(buffer, share)));
      std::optional<WorkspaceView> view;
      if (share)
        view = workspaceViewOf(buffer);
      if (view)
        rebuilt.map(buffer, rebuildWorkspaceView(b, loc, base, buffer,
                                                 view->elementOffset));
      else
        rebuilt.map(buffer, rebuildBuffer(b, loc, base, buffer));
    }
    emitRange(b, rebuilt, entry->getArgument(3), entry->getArgument(4));
    b.setInsertionPointToEnd(entry);
    func::ReturnOp::create(b, loc);
  }
  SmallVector<Value> args{func::ConstantOp::create(
      b, loc, body.getFunctionType(), SymbolRefAttr::get(body))};
  SmallVector<Value> passed;
  for (Value slot : slots.values())
    passed.push_back(llvm::isa<BlockArgument>(slot) &&
                             llvm::cast<MemRefType>(slot.getType())
                                 .getElementType()
                                 .isInteger(8)
                         ? workspaceAsF32(b, loc, slot)
                         : slot);
  if (passed.empty())
    passed.push_back(buffers.front());
  for (unsigned i = 0; i < kParallelForBuffers; ++i) {
    // Unused slots repeat the first buffer.
    Value buffer = passed[i < passed.size() ? i : 0];
    args.push_back(
        memref::ExtractStridedMetadataOp::create(b, loc, buffer).getBaseBuffer());
  }
  args.push_back(arith::ConstantIndexOp::create(b, loc, count));
  func::CallOp::create(b, loc, parallelFor, args);
}

} // namespace onnxc
