//===- ContractionPrologue.cpp - C's initialization in the kernel ---------===//
//
// A convolution or Gemm with a bias starts from C = broadcast(bias): one
// loop writes the whole output, and the kernel reads it back to initialize
// its accumulators. When nothing else happens to C in between, the kernel
// can initialize the accumulators from the bias itself (or from the
// constant a fill writes) and the broadcast disappears: one pass over the
// output less, per convolution. The accumulators start from the same
// values, so the results are bit-identical.
//
//===----------------------------------------------------------------------===//

#include "Contraction.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace onnxc {
namespace {

/// True when `buffer` is (a view of) a constant global: nothing the kernel
/// writes can alias it.
bool isConstantGlobal(Value buffer) {
  auto get = viewedBuffer(buffer).getDefiningOp<memref::GetGlobalOp>();
  if (!get)
    return false;
  auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
      get, get.getNameAttr());
  return global && global.getConstant();
}

/// The f32 constant `value` holds, if any.
std::optional<FloatAttr> constantF32(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant || !value.getType().isF32())
    return std::nullopt;
  if (auto attr = llvm::dyn_cast<FloatAttr>(constant.getValue()))
    return attr;
  return std::nullopt;
}

} // namespace

std::optional<Prologue> matchPrologue(linalg::GenericOp contraction) {
  if (!contraction.hasPureBufferSemantics())
    return std::nullopt;
  Value c = contraction.getDpsInits()[0];
  auto cType = llvm::dyn_cast<MemRefType>(c.getType());
  if (!cType || !cType.hasStaticShape())
    return std::nullopt;
  // The op before the contraction, past views and constants: nothing else
  // touches memory in between.
  Operation *prev = contraction->getPrevNode();
  while (prev && isMemoryEffectFree(prev))
    prev = prev->getPrevNode();
  auto init = llvm::dyn_cast_or_null<linalg::LinalgOp>(prev);
  if (!init || !overwritesUnread(init, c) || init.getNumDpsInputs() > 1)
    return std::nullopt;
  // The payload yields an input's element or a value from outside.
  std::optional<Yielded> yielded = yieldedValue(init);
  if (!yielded)
    return std::nullopt;
  Prologue prologue;
  prologue.init = init;
  Value value = yielded->outside;
  if (OpOperand *input = yielded->input) {
    value = input->get();
    if (llvm::isa<MemRefType>(value.getType())) {
      if (!isConstantGlobal(value) ||
          !llvm::cast<MemRefType>(value.getType()).hasStaticShape())
        return std::nullopt;
      // C's indices come from the contraction's loop dims.
      prologue.source = value;
      prologue.sourceMap = init.getMatchingIndexingMap(input).compose(
          contraction.getMatchingIndexingMap(
              &contraction.getDpsInitsMutable()[0]));
    }
  }
  if (!prologue.source) {
    // A constant: a fill's scalar operand, or a value from outside.
    std::optional<FloatAttr> splat = constantF32(value);
    if (!splat)
      return std::nullopt;
    prologue.splat = *splat;
  }
  // Earlier ops that write all of C without reading it are dead once the
  // kernel starts from the prologue's values (a zero fill before the bias
  // broadcast).
  for (Operation *earlier = init->getPrevNode(); earlier;
       earlier = earlier->getPrevNode()) {
    if (isMemoryEffectFree(earlier))
      continue;
    if (!overwritesUnread(earlier, c))
      break;
    prologue.deadInits.push_back(llvm::cast<linalg::LinalgOp>(earlier));
  }
  return prologue;
}

std::optional<Yielded> yieldedValue(linalg::LinalgOp op) {
  if (op->getNumRegions() != 1)
    return std::nullopt;
  Block &body = op->getRegion(0).front();
  if (body.getOperations().size() != 1)
    return std::nullopt;
  Value yielded = body.getTerminator()->getOperand(0);
  auto arg = llvm::dyn_cast<BlockArgument>(yielded);
  if (!arg || arg.getOwner() != &body)
    return Yielded{nullptr, yielded};
  if (arg.getArgNumber() >= op.getNumDpsInputs())
    return std::nullopt;
  return Yielded{op.getDpsInputOperand(arg.getArgNumber()), Value()};
}

} // namespace onnxc
