//===- ONNXOps.td - ONNX dialect operations ----------------*- tablegen -*-===//
//
// Hand-written ops of the ONNX dialect, plus the ops generated from ONNX's
// schema registry.
//
//===----------------------------------------------------------------------===//

#ifndef ONNXCOMPILE_DIALECT_ONNX_IR_ONNXOPS_TD
#define ONNXCOMPILE_DIALECT_ONNX_IR_ONNXOPS_TD

include "OnnxCompile/Dialect/ONNX/IR/ONNXBase.td"

def ONNXNoValueOp : ONNX_Op<"NoValue", [Pure]> {
  let summary = "The absent value of an optional input or output";
  let description = [{
    ONNX marks a missing optional input with an empty name. The importer
    gives every such operand the NoneType value of this op, so that each
    ONNX op keeps a fixed operand list.
  }];
  let results = (outs NoneType:$none);
}

include "OnnxCompile/Dialect/ONNX/IR/ONNXGeneratedOps.td"

#endif // ONNXCOMPILE_DIALECT_ONNX_IR_ONNXOPS_TD
