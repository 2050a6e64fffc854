// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// QuantizeLinear rounds half to even, adds the zero point and saturates to
// the unsigned 8-bit range.
// CHECK-LABEL: func.func @quantize
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.uitofp
// CHECK: arith.addf
// CHECK: arith.constant 0.000000e+00 : f32
// CHECK: arith.maximumf
// CHECK: arith.constant 2.550000e+02 : f32
// CHECK: arith.minimumf
// CHECK: arith.fptoui %{{.*}} : f32 to i8
func.func @quantize(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4xui8> {
  %0 = "onnx.QuantizeLinear"(%x, %s, %z) : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Per-axis scales broadcast along the axis.
// CHECK-LABEL: func.func @dequantize_axis
// CHECK: tensor.expand_shape {{.*}} into tensor<3x1xf32>
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @dequantize_axis(%x: tensor<2x3x4xi8>, %s: tensor<3xf32>) -> tensor<2x3x4xf32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.DequantizeLinear"(%x, %s, %none) {axis = 1 : i64} : (tensor<2x3x4xi8>, tensor<3xf32>, none) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// MatMulInteger widens to i32 and subtracts zero points before the product.
// CHECK-LABEL: func.func @matmul_integer
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.subi
// CHECK: arith.muli
// CHECK: arith.addi
func.func @matmul_integer(%a: tensor<2x3xui8>, %b: tensor<3x4xui8>, %za: tensor<ui8>) -> tensor<2x4xi32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.MatMulInteger"(%a, %b, %za, %none) : (tensor<2x3xui8>, tensor<3x4xui8>, tensor<ui8>, none) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

// ConvInteger centers both operands in i32 and convolves with integer
// arithmetic.
// CHECK-LABEL: func.func @conv_integer
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.subi
// CHECK: linalg.generic
// CHECK: arith.muli
// CHECK: arith.addi
func.func @conv_integer(%x: tensor<1x1x3x3xui8>, %w: tensor<1x1x2x2xui8>, %zx: tensor<ui8>) -> tensor<1x1x2x2xi32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.ConvInteger"(%x, %w, %zx, %none) : (tensor<1x1x3x3xui8>, tensor<1x1x2x2xui8>, tensor<ui8>, none) -> tensor<1x1x2x2xi32>
  return %0 : tensor<1x1x2x2xi32>
}
