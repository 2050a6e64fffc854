//===- onnx-opt.cpp - mlir-opt with the ONNX dialect and passes -----------===//

#include "OnnxCompile/Conversion/Passes.h"
#include "OnnxCompile/Pipeline/Pipeline.h"
#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  onnxc::registerConversionPasses();
  onnxc::registerTransformsPasses();
  onnxc::registerPipelines();
  mlir::DialectRegistry registry;
  onnxc::registerAllCompilerDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "onnx-compile optimizer driver\n", registry));
}
