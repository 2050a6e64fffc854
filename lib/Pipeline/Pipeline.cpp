//===- Pipeline.cpp - The compiler's pass pipelines -----------------------===//

#include "OnnxCompile/Pipeline/Pipeline.h"
#include "OnnxCompile/Conversion/Passes.h"
#include "OnnxCompile/Dialect/ONNX/IR/ONNXOps.h"
#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/SCFToGPU/SCFToGPUPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/LLVMIR/Transforms/OptimizeForNVVM.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace onnxc {

void buildONNXToLinalgPipeline(OpPassManager &pm) {
  pm.addPass(createConvertONNXToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

namespace {

/// Fusion on tensors and bufferization into the caller's buffers: the same
/// for every target.
void addBufferization(OpPassManager &pm) {
  // Fuse producers into consumers while still on tensors: fewer buffers.
  pm.addPass(createFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createCloneSharedInits());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Results are written into the caller's output buffers.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createForwardOutputCopies());
}

void addWorkspacePlan(OpPassManager &pm, bool printMemoryPlan,
                      bool epilogueLifetimes = false) {
  AssignWorkspaceOptions workspace;
  workspace.printPlan = printMemoryPlan;
  workspace.epilogueLifetimes = epilogueLifetimes;
  pm.addPass(createAssignWorkspace(workspace));
}

/// Host code (and, for the CPU, everything) from memrefs, scf and arith to
/// the LLVM dialect with the bare-pointer calling convention.
void addHostToLLVM(OpPassManager &pm) {
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  // bf16 conversions become integer arithmetic: the object must not need
  // compiler-rt/libgcc helpers (__truncsfbf2) that C libraries lack.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  // Static memrefs are passed as plain pointers: the C ABI's buffers.
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

/// Affine and scf ops to branches, strided metadata expanded: what every
/// pipeline does once its loops are final (on the host, or in kernels).
void addLoopLowering(OpPassManager &pm) {
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
}

/// The CPU's tail: the remaining linalg ops to loops, then everything to
/// the LLVM dialect.
void addLoopsToLLVM(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  addLoopLowering(pm);
  pm.addNestedPass<func::FuncOp>(createLegalizeEmptyBuffers());
  addHostToLLVM(pm);
}

} // namespace

void buildLinalgToLLVMPipeline(OpPassManager &pm,
                               const LinalgToLLVMOptions &options) {
  addBufferization(pm);
  if (options.gpuMapping) {
    // The GPU's loops, sequentially: every kernel's blocks and threads run
    // in order, so the results must equal the CPU's.
    addWorkspacePlan(pm, options.printMemoryPlan);
    MapToGPUOptions map;
    map.returnStatus = true;
    pm.addNestedPass<func::FuncOp>(createMapToGPU(map));
    addLoopsToLLVM(pm);
    return;
  }
  pm.addNestedPass<func::FuncOp>(createFillPadBorders());
  pm.addNestedPass<func::FuncOp>(createWritePadInteriors());
  pm.addNestedPass<func::FuncOp>(createCopyToLinalg());
  addWorkspacePlan(pm, options.printMemoryPlan,
                   options.vectorLanes > 0 && options.epilogueLifetimes);
  pm.addNestedPass<func::FuncOp>(createLowerRuntimeChecks());
  // Before the loops are lowered: the expansions may create scf ops.
  if (options.noLibm) {
    pm.addNestedPass<func::FuncOp>(createApproximateMath());
  } else if (options.vectorLanes > 0 && options.fusedFMA) {
    // The polynomials are chains of math.fma: without FMA instructions
    // each would be a call to fmaf.
    ApproximateMathOptions approximate;
    approximate.vectorizableOnly = true;
    pm.addNestedPass<func::FuncOp>(createApproximateMath(approximate));
  }

  if (options.vectorLanes > 0) {
    VectorizeContractionsOptions vectorize;
    vectorize.lanes = options.vectorLanes;
    vectorize.rows = options.tileRows;
    vectorize.parallel = options.parallel;
    vectorize.fused = options.fusedFMA;
    vectorize.maskedLoads = options.maskedLoads;
    vectorize.prefetchDistance = options.prefetchDistance;
    pm.addPass(createVectorizeContractions(vectorize));
    VectorizeReductionsOptions reductions;
    reductions.lanes = options.vectorLanes;
    reductions.parallel = options.parallel;
    reductions.maskedLoads = options.maskedLoads;
    pm.addPass(createVectorizeReductions(reductions));
  }
  if (options.parallel)
    pm.addPass(createParallelizeGenerics());
  pm.addNestedPass<func::FuncOp>(createCollapseElementwise());
  if (options.vectorLanes > 0) {
    VectorizeFillsOptions fills;
    fills.lanes = options.vectorLanes;
    fills.maskedStores = options.maskedLoads;
    pm.addNestedPass<func::FuncOp>(createVectorizeFills(fills));
    VectorizeElementwiseOptions elementwise;
    elementwise.lanes = options.vectorLanes;
    elementwise.maskedLoads = options.maskedLoads;
    pm.addNestedPass<func::FuncOp>(createVectorizeElementwise(elementwise));
  }
  pm.addNestedPass<func::FuncOp>(createReorderContractionLoops());
  addLoopsToLLVM(pm);
}

void buildLinalgToGPUPipeline(OpPassManager &pm,
                              const LinalgToGPUOptions &options) {
  addBufferization(pm);
  addWorkspacePlan(pm, options.printMemoryPlan);
  // Copies stay memref.copy: map-to-gpu makes them parallel kernels.
  MapToGPUOptions map;
  map.blockSize = options.blockSize;
  pm.addNestedPass<func::FuncOp>(createMapToGPU(map));
  // The ops a single thread runs in order are still linalg ops.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // No canonicalization before the launches exist: it would inline the
  // one-iteration loops back into the host code.
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addNestedPass<func::FuncOp>(createCheckHostCode());
  // Folded bounds are constants that outlining sinks into the kernels.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createMergeGPUModules());
  addLoopLowering(pm);

  // Kernels: NVVM, with libdevice for the math functions.
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  // Kernels take bare pointers (the buffers' shapes are static), as the
  // launches below pass them.
  ConvertGpuOpsToNVVMOpsOptions kernels;
  kernels.useBarePtrCallConv = true;
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps(kernels));
  pm.addNestedPass<gpu::GPUModuleOp>(LLVM::createNVVMOptimizeForTargetPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());

  // Host: launches through the shim's mgpu* functions, weights through
  // their device copies.
  pm.addNestedPass<func::FuncOp>(createLegalizeEmptyBuffers());
  GpuToLLVMConversionPassOptions launches;
  launches.hostBarePtrCallConv = true;
  launches.kernelBarePtrCallConv = true;
  pm.addPass(createGpuToLLVMConversionPass(launches));
  addHostToLLVM(pm);
  pm.addPass(createUploadConstants());

  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = options.cudaPath;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void registerPipelines() {
  PassPipelineRegistration<>("onnx-to-linalg",
                             "Lower the ONNX dialect to linalg on tensors",
                             buildONNXToLinalgPipeline);
  PassPipelineRegistration<LinalgToLLVMOptions>(
      "linalg-to-llvm",
      "Bufferize, plan the workspace and lower to the LLVM dialect",
      buildLinalgToLLVMPipeline);
  PassPipelineRegistration<LinalgToGPUOptions>(
      "linalg-to-gpu",
      "Bufferize, plan the workspace, map loops to GPU kernels (NVVM) and "
      "lower the host code to the LLVM dialect",
      buildLinalgToGPUPipeline);
}

void registerAllCompilerDialects(DialectRegistry &registry) {
  registry.insert<ONNXDialect, affine::AffineDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  complex::ComplexDialect, func::FuncDialect,
                  index::IndexDialect, linalg::LinalgDialect,
                  LLVM::LLVMDialect, math::MathDialect, memref::MemRefDialect,
                  scf::SCFDialect, tensor::TensorDialect, vector::VectorDialect,
                  gpu::GPUDialect, NVVM::NVVMDialect>();
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  // The GPU conversions lower every dialect in a kernel (and the host code
  // around launches) through these interfaces.
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  NVVM::registerConvertGpuToNVVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
}

} // namespace onnxc
