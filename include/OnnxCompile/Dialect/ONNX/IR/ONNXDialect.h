//===- ONNXDialect.h - ONNX dialect -----------------------------*- C++ -*-===//

#ifndef ONNXCOMPILE_DIALECT_ONNX_IR_ONNXDIALECT_H
#define ONNXCOMPILE_DIALECT_ONNX_IR_ONNXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Dialect.h"

#include "OnnxCompile/Dialect/ONNX/IR/ONNXDialect.h.inc"

#endif // ONNXCOMPILE_DIALECT_ONNX_IR_ONNXDIALECT_H
