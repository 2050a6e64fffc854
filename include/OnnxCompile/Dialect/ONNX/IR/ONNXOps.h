//===- ONNXOps.h - ONNX dialect operations ----------------------*- C++ -*-===//

#ifndef ONNXCOMPILE_DIALECT_ONNX_IR_ONNXOPS_H
#define ONNXCOMPILE_DIALECT_ONNX_IR_ONNXOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "OnnxCompile/Dialect/ONNX/IR/ONNXDialect.h"

#define GET_OP_CLASSES
#include "OnnxCompile/Dialect/ONNX/IR/ONNXOps.h.inc"

#endif // ONNXCOMPILE_DIALECT_ONNX_IR_ONNXOPS_H
