//===- Pipeline.h - The compiler's pass pipelines ---------------*- C++ -*-===//

#ifndef ONNXCOMPILE_PIPELINE_PIPELINE_H
#define ONNXCOMPILE_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace onnxc {

/// ONNX dialect -> linalg/tensor/arith/math on tensors.
void buildONNXToLinalgPipeline(mlir::OpPassManager &pm);

/// Options of the linalg-to-llvm pipeline (onnx-compile's -print-memory-plan,
/// -no-libm and the target's vector width).
struct LinalgToLLVMOptions
    : public mlir::PassPipelineOptions<LinalgToLLVMOptions> {
  Option<bool> printMemoryPlan{
      *this, "print-memory-plan",
      llvm::cl::desc("Print the workspace plan of every function to stdout"),
      llvm::cl::init(false)};
  Option<bool> noLibm{
      *this, "no-libm",
      llvm::cl::desc("Replace transcendentals by polynomial approximations "
                     "so that the code needs no libm"),
      llvm::cl::init(false)};
  Option<int64_t> vectorLanes{
      *this, "vector-lanes",
      llvm::cl::desc("f32 lanes of the target's vector registers for the "
                     "register-tiled contractions; 0 leaves contractions "
                     "to scalar loops"),
      llvm::cl::init(0)};
  Option<int64_t> tileRows{
      *this, "tile-rows",
      llvm::cl::desc("Output rows of the contractions' register tile"),
      llvm::cl::init(6)};
  Option<bool> fusedFMA{
      *this, "fused-fma",
      llvm::cl::desc("The target has FMA instructions: contractions use "
                     "fused multiply-adds"),
      llvm::cl::init(true)};
  Option<bool> maskedLoads{
      *this, "masked-loads",
      llvm::cl::desc("The target has masked vector loads and stores: "
                     "vectors of 14 lanes move as 16 with 2 masked off"),
      llvm::cl::init(false)};
  Option<int64_t> prefetchDistance{
      *this, "prefetch-distance",
      llvm::cl::desc("Bytes ahead of the loads at which the contractions' "
                     "micro-kernels prefetch their packed weights (0: no "
                     "prefetch)"),
      llvm::cl::init(0)};
  Option<bool> epilogueLifetimes{
      *this, "epilogue-lifetimes",
      llvm::cl::desc("Plan the workspace so that contractions can apply "
                     "their activations in the kernel (more workspace, one "
                     "pass over memory less per activation)"),
      llvm::cl::init(false)};
  Option<bool> gpuMapping{
      *this, "gpu-mapping",
      llvm::cl::desc("Map the loops as for the GPU (map-to-gpu) and run the "
                     "mapped loops on the CPU: a test of the mapping"),
      llvm::cl::init(false)};
  Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Call the onnxc_parallel_for hook for large "
                     "contractions (the object stays serial unless the "
                     "runtime's thread pool is linked)"),
      llvm::cl::init(false)};
};

/// Tensors -> bufferized, workspace-planned loops -> LLVM dialect with the
/// bare-pointer calling convention.
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm,
                               const LinalgToLLVMOptions &options);

/// Options of the linalg-to-gpu pipeline (onnx-compile -target=nvptx64).
struct LinalgToGPUOptions
    : public mlir::PassPipelineOptions<LinalgToGPUOptions> {
  Option<bool> printMemoryPlan{
      *this, "print-memory-plan",
      llvm::cl::desc("Print the workspace plan of every function to stdout"),
      llvm::cl::init(false)};
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("The GPU: sm_80, sm_90, ..."),
                           llvm::cl::init("sm_80")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What the object embeds: fatbin (cubin and PTX, needs "
                     "CUDA's ptxas and fatbinary) or isa (PTX only)"),
      llvm::cl::init("isa")};
  Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("CUDA toolkit holding bin/ptxas and "
                     "nvvm/libdevice (default: MLIR's)"),
      llvm::cl::init("")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block"),
                            llvm::cl::init(256)};
};

/// Tensors -> bufferized, workspace-planned loops mapped to GPU blocks and
/// threads -> NVVM kernels serialized into a gpu.binary, and host code in
/// the LLVM dialect that launches them through the CUDA shim.
void buildLinalgToGPUPipeline(mlir::OpPassManager &pm,
                              const LinalgToGPUOptions &options);

/// Registers the pipelines (onnx-to-linalg, linalg-to-llvm, linalg-to-gpu)
/// for onnx-opt.
void registerPipelines();

/// Registers every dialect the pipelines create, and the interfaces
/// (bufferization, LLVM translation) they rely on.
void registerAllCompilerDialects(mlir::DialectRegistry &registry);

} // namespace onnxc

#endif // ONNXCOMPILE_PIPELINE_PIPELINE_H
