//===- Passes.td - onnx-compile conversion passes ----------*- tablegen -*-===//

#ifndef ONNXCOMPILE_CONVERSION_PASSES_TD
#define ONNXCOMPILE_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertONNXToLinalg : Pass<"convert-onnx-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower the ONNX dialect to linalg, tensor, arith and math";
  let description = [{
    Lowers every ONNX op to tensor-level upstream dialects: linalg named ops
    and linalg.generic for computation, tensor ops for data movement, arith
    and math for scalar bodies; bufferization.alloc_tensor for loop-carried
    scratch tensors that need buffers of their own. Unsigned element types
    become signless; the patterns pick unsigned arithmetic from the op's
    original types. An op without a lowering is an error that names the op
    and its node.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::func::FuncDialect",
    "mlir::linalg::LinalgDialect", "mlir::math::MathDialect",
    "mlir::tensor::TensorDialect", "mlir::scf::SCFDialect",
    "mlir::complex::ComplexDialect", "mlir::cf::ControlFlowDialect",
    "mlir::bufferization::BufferizationDialect"
  ];
}

#endif // ONNXCOMPILE_CONVERSION_PASSES_TD
