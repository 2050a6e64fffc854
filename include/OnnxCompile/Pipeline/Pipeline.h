//===- Pipeline.h - The compiler's pass pipelines ---------------*- C++ -*-===//

#ifndef ONNXCOMPILE_PIPELINE_PIPELINE_H
#define ONNXCOMPILE_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace onnxc {

/// ONNX dialect -> linalg/tensor/arith/math on tensors.
void buildONNXToLinalgPipeline(mlir::OpPassManager &pm);

/// Tensors -> bufferized, workspace-planned loops -> LLVM dialect with the
/// bare-pointer calling convention.
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm);

/// Registers both pipelines (onnx-to-linalg, linalg-to-llvm) for onnx-opt.
void registerPipelines();

/// Registers every dialect the pipelines create, and the interfaces
/// (bufferization, LLVM translation) they rely on.
void registerAllCompilerDialects(mlir::DialectRegistry &registry);

} // namespace onnxc

#endif // ONNXCOMPILE_PIPELINE_PIPELINE_H
