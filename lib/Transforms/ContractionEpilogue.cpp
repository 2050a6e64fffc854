//===- ContractionEpilogue.cpp - Elementwise consumers in the kernel ------===//
//
// A convolution followed by its activation (Clip for ReLU6, ReLU) would
// write its output, and a second loop read it back, apply the activation
// and write another buffer. When the activation is the only reader of the
// contraction's output, the kernel applies it to the accumulators in
// registers and stores the result straight into the activation's output:
// one pass over memory instead of three. The operations are the same, in
// the same order, so the results are bit-identical.
//
//===----------------------------------------------------------------------===//

#include "BufferExtent.h"
#include "Contraction.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace onnxc {
namespace {

/// Where `buffer` lives, when its base is a distinct buffer: a function
/// argument or a global. Anything else (a subview, an allocation) is not
/// analysed.
std::optional<BufferExtent> extentOf(Value buffer) {
  std::optional<BufferExtent> extent = bufferExtent(buffer);
  // A static subview of a dense buffer (a pad's interior, a box of a
  // Concat), or a reshape of one: the bytes from its first element to its
  // last. The view's layout locates it in the subview's source.
  Value root = buffer;
  while (!extent &&
         llvm::isa_and_nonnull<memref::ExpandShapeOp, memref::CollapseShapeOp>(
             root.getDefiningOp()))
    root = root.getDefiningOp()->getOperand(0);
  if (auto subview = root.getDefiningOp<memref::SubViewOp>();
      !extent && subview) {
    extent = bufferExtent(subview.getSource());
    auto type = llvm::cast<MemRefType>(buffer.getType());
    SmallVector<int64_t> strides;
    int64_t offset;
    if (!extent || !type.hasStaticShape() ||
        failed(type.getStridesAndOffset(strides, offset)) ||
        ShapedType::isDynamic(offset) ||
        llvm::any_of(strides, ShapedType::isDynamic))
      return std::nullopt;
    int64_t bytes = type.getElementTypeBitWidth() / 8, last = 0;
    for (auto [size, stride] : llvm::zip(type.getShape(), strides))
      last += (size - 1) * stride;
    extent->offset += offset * bytes;
    extent->bytes = (last + 1) * bytes;
  }
  if (!extent || (!llvm::isa<BlockArgument>(extent->base) &&
                  !extent->base.getDefiningOp<memref::GetGlobalOp>()))
    return std::nullopt;
  return extent;
}

enum class Overlap { Same, Disjoint, Unknown };

Overlap overlap(Value x, Value y) {
  std::optional<BufferExtent> a = extentOf(x), b = extentOf(y);
  if (!a || !b)
    return Overlap::Unknown;
  if (a->base != b->base)
    return Overlap::Disjoint;
  if (a->offset == b->offset && a->bytes == b->bytes)
    return Overlap::Same;
  if (a->offset + a->bytes <= b->offset || b->offset + b->bytes <= a->offset)
    return Overlap::Disjoint;
  return Overlap::Unknown;
}

/// `value` and the reshapes of it, transitively.
SmallVector<Value> reshapesOf(Value value) {
  SmallVector<Value> aliases{value};
  for (size_t i = 0; i < aliases.size(); ++i)
    for (Operation *user : aliases[i].getUsers())
      if (llvm::isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(user) &&
          user->getOperand(0) == aliases[i])
        aliases.push_back(user->getResult(0));
  return aliases;
}

/// A dense row-major f32 buffer of `elements` elements.
bool isDenseF32(Value buffer, int64_t elements) {
  auto type = llvm::cast<MemRefType>(buffer.getType());
  return type.hasStaticShape() && type.getLayout().isIdentity() &&
         type.getElementType().isF32() && type.getNumElements() == elements;
}

/// Whether the kernel of a contraction into C (of type `cType`) can store
/// its results into `output`: a dense buffer of as many f32 elements (viewed
/// with C's shape), or a view with C's shape, static strides and
/// contiguous rows (a pad's interior).
bool isStoreTarget(Value output, MemRefType cType) {
  if (isDenseF32(output, cType.getNumElements()))
    return true;
  auto type = llvm::cast<MemRefType>(output.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  return type.getShape() == cType.getShape() && type.getElementType().isF32() &&
         succeeded(type.getStridesAndOffset(strides, offset)) &&
         !ShapedType::isDynamic(offset) &&
         llvm::none_of(strides, ShapedType::isDynamic) &&
         (strides.empty() || strides.back() == 1);
}

/// `buffer` (dense, as many elements as C) viewed with C's (identity)
/// layout.
Value viewAs(OpBuilder &b, Location loc, Value buffer, MemRefType type) {
  auto [strides, offset] = type.getStridesAndOffset();
  return memref::ReinterpretCastOp::create(b, loc, type, buffer, offset,
                                           type.getShape(), strides);
}

} // namespace

bool hasVectorizableBody(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto isScalar = [](Type type) { return type.isIntOrFloat(); };
  auto fromBodyOrConstant = [&](Value value) {
    if (value.getParentBlock() == &body)
      return true;
    return value.getDefiningOp<arith::ConstantOp>() &&
           isScalar(value.getType());
  };
  for (Operation &inner : body.without_terminator()) {
    if (inner.getNumRegions() != 0 || inner.getNumResults() != 1 ||
        !isPure(&inner) || !isScalar(inner.getResult(0).getType()))
      return false;
    if (!llvm::isa<arith::ConstantOp>(inner) &&
        !inner.hasTrait<OpTrait::Elementwise>())
      return false;
    if (!llvm::all_of(inner.getOperands(), fromBodyOrConstant))
      return false;
  }
  Value yielded = body.getTerminator()->getOperand(0);
  return yielded.getType().isF32() && fromBodyOrConstant(yielded);
}

bool isIdentityElementwise(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  return op.hasPureBufferSemantics() && op.getNumDpsInputs() >= 1 &&
         op.getNumDpsInits() == 1 && op.getNumReductionLoops() == 0 &&
         llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }) &&
         body.getArgument(body.getNumArguments() - 1).use_empty();
}

bool overwritesUnread(Operation *op, ArrayRef<Value> buffers) {
  auto linalgOp = llvm::dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureBufferSemantics() ||
      linalgOp.getNumDpsInits() != 1 ||
      !llvm::is_contained(buffers, linalgOp.getDpsInits()[0]) ||
      linalgOp.getNumLoops() != linalgOp.getNumParallelLoops())
    return false;
  OpOperand &init = linalgOp.getDpsInitsMutable()[0];
  return !linalgOp.payloadUsesValueFromOperand(&init) &&
         linalgOp.getMatchingIndexingMap(&init).isIdentity() &&
         llvm::none_of(linalgOp.getDpsInputs(), [&](Value input) {
           return llvm::is_contained(buffers, input);
         });
}

linalg::GenericOp epilogueCandidate(linalg::GenericOp contraction) {
  if (!contraction.hasPureBufferSemantics() ||
      !isMultiplyAccumulate(contraction))
    return {};
  Value c = contraction.getDpsInits()[0];
  auto cType = llvm::cast<MemRefType>(c.getType());
  if (!cType.hasStaticShape() || !cType.getLayout().isIdentity())
    return {};
  // C must be scratch (a workspace view or an allocation): a function's
  // argument, a model output, outlives it.
  Value root = viewedBuffer(c);
  if (!root.getDefiningOp<memref::ViewOp>() &&
      !root.getDefiningOp<memref::AllocOp>())
    return {};
  // The consumer follows the contraction, past views, constants and (before
  // the workspace plan) allocations only: nothing else touches memory in
  // between.
  Operation *next = contraction->getNextNode();
  while (next && !llvm::isa<linalg::GenericOp>(next) &&
         (isMemoryEffectFree(next) || llvm::isa<memref::AllocOp>(next)))
    next = next->getNextNode();
  auto consumer = llvm::dyn_cast_or_null<linalg::GenericOp>(next);
  SmallVector<Value> aliases = reshapesOf(c);
  if (!consumer || !isIdentityElementwise(consumer) ||
      !hasVectorizableBody(consumer))
    return {};
  // Exactly one input reads C; the others (a residual) are read element
  // for element like C: dense buffers of C's size, or views with C's shape
  // and contiguous rows (a pad's interior that also feeds a convolution).
  unsigned readsC = 0;
  for (Value input : consumer.getDpsInputs()) {
    if (llvm::is_contained(aliases, input))
      ++readsC;
    else if (!isStoreTarget(input, cType))
      return {};
  }
  if (readsC != 1 || !isStoreTarget(consumer.getDpsInits()[0], cType))
    return {};
  // C is dead after the consumer: nothing later reads it, or the first
  // later op on it overwrites all of it unread (the next contraction's
  // init: CSE merges the views of buffers that the workspace plan put at
  // the same offset).
  Block *block = contraction->getBlock();
  Operation *firstLater = nullptr;
  for (Value alias : aliases)
    for (Operation *user : alias.getUsers()) {
      Operation *top = block->findAncestorOpInBlock(*user);
      if (!top)
        return {};
      if (llvm::isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(top) &&
          llvm::is_contained(aliases, top->getResult(0)))
        continue;
      // Another view of C: nothing may use it after the consumer.
      if (llvm::isa<ViewLikeOpInterface>(top) &&
          llvm::any_of(top->getUsers(), [&](Operation *viewUser) {
            Operation *at = block->findAncestorOpInBlock(*viewUser);
            return !at || consumer->isBeforeInBlock(at);
          }))
        return {};
      if (consumer->isBeforeInBlock(top) &&
          (!firstLater || top->isBeforeInBlock(firstLater)))
        firstLater = top;
    }
  if (firstLater && !overwritesUnread(firstLater, aliases))
    return {};
  return consumer;
}

std::optional<Epilogue> matchEpilogue(linalg::GenericOp contraction) {
  linalg::GenericOp consumer = epilogueCandidate(contraction);
  if (!consumer)
    return std::nullopt;
  Value c = contraction.getDpsInits()[0];
  Value d = consumer.getDpsInits()[0];
  // The kernel stores D while it still reads A, B and the rest of C: D
  // must be C itself or lie apart from all three (assign-workspace keeps
  // the inputs alive until the consumer for this).
  Overlap withC = overlap(c, d);
  if (withC == Overlap::Unknown)
    return std::nullopt;
  for (Value input : contraction.getDpsInputs())
    if (overlap(input, d) != Overlap::Disjoint)
      return std::nullopt;
  // The residual is read where D is written, element for element: the
  // same memory or apart.
  SmallVector<Value> aliases = reshapesOf(c);
  Epilogue epilogue{consumer, d, withC == Overlap::Same, 0, {}};
  for (auto [i, input] : llvm::enumerate(consumer.getDpsInputs())) {
    if (llvm::is_contained(aliases, input)) {
      epilogue.accInput = i;
      continue;
    }
    if (overlap(input, d) == Overlap::Unknown ||
        overlap(input, c) != Overlap::Disjoint)
      return std::nullopt;
    epilogue.extras.push_back(input);
  }
  return epilogue;
}

Value storeTarget(OpBuilder &b, Location loc, const Epilogue &epilogue,
                  Value c) {
  if (epilogue.inPlace)
    return c;
  // A view with C's shape already (a pad's interior).
  if (!llvm::cast<MemRefType>(epilogue.output.getType())
           .getLayout()
           .isIdentity())
    return epilogue.output;
  return viewAs(b, loc, epilogue.output, llvm::cast<MemRefType>(c.getType()));
}

SmallVector<Value> extraInputs(OpBuilder &b, Location loc,
                               const Epilogue &epilogue, Value c) {
  auto cType = llvm::cast<MemRefType>(c.getType());
  SmallVector<Value> views;
  for (Value extra : epilogue.extras)
    views.push_back(
        llvm::cast<MemRefType>(extra.getType()).getLayout().isIdentity()
            ? viewAs(b, loc, extra, cType)
            : extra);
  return views;
}

Value applyEpilogue(OpBuilder &b, Location loc, linalg::GenericOp consumer,
                    unsigned accInput, Value values, ValueRange extras) {
  auto type = llvm::cast<VectorType>(values.getType());
  Block &body = consumer.getRegion().front();
  IRMapping mapped;
  unsigned extra = 0;
  for (unsigned i = 0; i < consumer.getNumDpsInputs(); ++i)
    mapped.map(body.getArgument(i), i == accInput ? values : extras[extra++]);
  auto vectorOf = [&](Value value) -> Value {
    Value result = mapped.lookupOrNull(value);
    // Constants from outside the body are created again: the kernel may
    // be outlined into a function of its own.
    if (!result)
      result = arith::ConstantOp::create(
          b, loc, value.getDefiningOp<arith::ConstantOp>().getValue());
    if (llvm::isa<VectorType>(result.getType()))
      return result;
    return vector::BroadcastOp::create(
        b, loc, VectorType::get(type.getShape(), result.getType()), result);
  };
  for (Operation &op : body.without_terminator()) {
    if (auto constant = llvm::dyn_cast<arith::ConstantOp>(op)) {
      mapped.map(constant.getResult(),
                 arith::ConstantOp::create(b, loc, constant.getValue()));
      continue;
    }
    OperationState state(loc, op.getName());
    for (Value operand : op.getOperands())
      state.addOperands(vectorOf(operand));
    state.addAttributes(op.getAttrs());
    state.addTypes(
        VectorType::get(type.getShape(), op.getResult(0).getType()));
    mapped.map(op.getResult(0), b.create(state)->getResult(0));
  }
  return vectorOf(body.getTerminator()->getOperand(0));
}

} // namespace onnxc
