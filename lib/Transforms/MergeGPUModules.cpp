//===- MergeGPUModules.cpp - One gpu.module for all kernels ---------------===//
//
// One binary per model: ptxas and fatbinary run once at compile time, and
// the CUDA shim loads one module at run time.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace onnxc {
#define GEN_PASS_DEF_MERGEGPUMODULES
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

struct MergeGPUModulesPass
    : impl::MergeGPUModulesBase<MergeGPUModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.size() < 2)
      return;
    gpu::GPUModuleOp target = modules.front();
    SymbolTable targetSymbols(target);
    // Where each moved kernel went: @module::@kernel -> @target::@module.
    DenseMap<Attribute, SymbolRefAttr> moved;
    for (gpu::GPUModuleOp source : llvm::drop_begin(modules)) {
      for (auto kernel :
           llvm::make_early_inc_range(source.getOps<gpu::GPUFuncOp>())) {
        auto oldRef = SymbolRefAttr::get(
            source.getSymNameAttr(),
            {FlatSymbolRefAttr::get(kernel.getNameAttr())});
        kernel->remove();
        kernel.setName(source.getSymName());
        targetSymbols.insert(kernel);
        moved[oldRef] = SymbolRefAttr::get(
            target.getSymNameAttr(),
            {FlatSymbolRefAttr::get(kernel.getNameAttr())});
      }
      if (!source.getBody()->without_terminator().empty()) {
        source.emitError("merge-gpu-modules: a gpu.module holds more than "
                         "kernels");
        return signalPassFailure();
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = moved.find(launch.getKernel());
      if (it != moved.end())
        launch.setKernelAttr(it->second);
    });
    for (gpu::GPUModuleOp source : llvm::drop_begin(modules))
      source.erase();
  }
};

} // namespace
} // namespace onnxc
