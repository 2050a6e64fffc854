//===- UploadConstants.cpp - Weights through their device copies ----------===//
//
// The weights of a GPU model stay in the object's read-only data, where a
// linker puts them and the C ABI promises no allocation: the CUDA shim
// copies each to device memory on first use. Host code then passes the
// device address to the kernels instead of the global's.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"

namespace onnxc {
#define GEN_PASS_DEF_UPLOADCONSTANTS
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

constexpr llvm::StringLiteral kConstantHook = "onnxc_cuda_constant";

/// Declares `void *onnxc_cuda_constant(const void *host, uint64_t bytes)`.
LLVM::LLVMFuncOp declareHook(ModuleOp module) {
  if (auto hook = module.lookupSymbol<LLVM::LLVMFuncOp>(kConstantHook))
    return hook;
  MLIRContext *ctx = module.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  return LLVM::LLVMFuncOp::create(
      b, module.getLoc(), kConstantHook,
      LLVM::LLVMFunctionType::get(ptr, {ptr, IntegerType::get(ctx, 64)}));
}

struct UploadConstantsPass
    : impl::UploadConstantsBase<UploadConstantsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::AddressOfOp> uses;
    // Only host functions: the gpu.module's kernels are nested deeper.
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      func.walk([&](LLVM::AddressOfOp address) {
        auto global = llvm::dyn_cast_or_null<LLVM::GlobalOp>(
            module.lookupSymbol(address.getGlobalName()));
        if (global && global.getConstant())
          uses.push_back(address);
      });
    if (uses.empty())
      return;
    LLVM::LLVMFuncOp hook = declareHook(module);
    DataLayout layout(module);
    auto i64 = IntegerType::get(module.getContext(), 64);
    for (LLVM::AddressOfOp address : uses) {
      auto global =
          llvm::cast<LLVM::GlobalOp>(module.lookupSymbol(address.getGlobalName()));
      OpBuilder b(address);
      b.setInsertionPointAfter(address);
      Value bytes = LLVM::ConstantOp::create(
          b, address.getLoc(), i64,
          int64_t(layout.getTypeSize(global.getGlobalType())));
      auto call = LLVM::CallOp::create(b, address.getLoc(), hook,
                                       ValueRange{address, bytes});
      address.getResult().replaceAllUsesExcept(call.getResult(), call);
    }
  }
};

} // namespace
} // namespace onnxc
