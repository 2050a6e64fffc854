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
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace onnxc {
namespace {

/// True when `buffer` is (a view of) a constant global: nothing the kernel
/// writes can alias it.
bool isConstantGlobal(Value buffer) {
  while (auto view = buffer.getDefiningOp<ViewLikeOpInterface>())
    buffer = view.getViewSource();
  auto get = buffer.getDefiningOp<memref::GetGlobalOp>();
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
  if (!init || !init.hasPureBufferSemantics() || init.getNumDpsInits() != 1 ||
      init.getDpsInits()[0] != c || init.getNumDpsInputs() > 1 ||
      init.getNumLoops() != init.getNumParallelLoops() ||
      !init.getMatchingIndexingMap(&init.getDpsInitsMutable()[0])
           .isIdentity() ||
      init->getNumRegions() != 1)
    return std::nullopt;
  // The payload yields an input's element or a value from outside.
  Block &body = init->getRegion(0).front();
  if (body.getOperations().size() != 1)
    return std::nullopt;
  Value yielded = body.getTerminator()->getOperand(0);
  Prologue prologue;
  prologue.init = init;
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
  if (auto arg = llvm::dyn_cast<BlockArgument>(yielded);
      arg && arg.getOwner() == &body) {
    if (init.getNumDpsInputs() != 1 || arg.getArgNumber() != 0)
      return std::nullopt;
    OpOperand *input = init.getDpsInputOperand(0);
    if (!llvm::isa<MemRefType>(input->get().getType())) {
      // A fill: its scalar operand.
      yielded = input->get();
    } else {
      if (!isConstantGlobal(input->get()) ||
          !llvm::cast<MemRefType>(input->get().getType()).hasStaticShape())
        return std::nullopt;
      prologue.source = input->get();
      prologue.sourceMap = init.getMatchingIndexingMap(input);
      return prologue;
    }
  }
  std::optional<FloatAttr> splat = constantF32(yielded);
  if (!splat)
    return std::nullopt;
  prologue.splat = *splat;
  return prologue;
}

} // namespace onnxc
