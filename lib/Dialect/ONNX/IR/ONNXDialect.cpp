//===- ONNXDialect.cpp - ONNX dialect ---------------------------*- C++ -*-===//

#include "OnnxCompile/Dialect/ONNX/IR/ONNXDialect.h"
#include "OnnxCompile/Dialect/ONNX/IR/ONNXOps.h"

using namespace mlir;
using namespace onnxc;

#include "OnnxCompile/Dialect/ONNX/IR/ONNXDialect.cpp.inc"

void ONNXDialect::initialize() { registerONNXDialectOperations(this); }
