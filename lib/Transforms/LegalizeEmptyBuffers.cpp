//===- LegalizeEmptyBuffers.cpp - Zero-element arguments as memref<0xT> ---===//
//
// The C ABI passes every input and output as one pointer, even when the
// tensor has no elements. The bare-pointer lowering of func arguments only
// accepts memref types whose strides it can compute, which excludes
// multi-dimensional types with a zero dim; unused ones become 1-D.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Transforms/Passes.h"

namespace onnxc {
#define GEN_PASS_DEF_LEGALIZEEMPTYBUFFERS
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

struct LegalizeEmptyBuffersPass
    : impl::LegalizeEmptyBuffersBase<LegalizeEmptyBuffersPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<Type> inputs(func.getArgumentTypes());
    bool changed = false;
    for (BlockArgument arg : func.getArguments()) {
      auto type = llvm::dyn_cast<MemRefType>(arg.getType());
      if (!type || !type.hasStaticShape() || type.getNumElements() != 0 ||
          type.getRank() == 1 || !arg.use_empty())
        continue;
      auto flat = MemRefType::get({0}, type.getElementType());
      arg.setType(flat);
      inputs[arg.getArgNumber()] = flat;
      changed = true;
    }
    if (changed)
      func.setFunctionType(FunctionType::get(&getContext(), inputs,
                                             func.getResultTypes()));
  }
};

} // namespace
} // namespace onnxc
