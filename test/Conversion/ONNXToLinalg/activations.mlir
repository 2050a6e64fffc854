// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @elu
// CHECK: math.expm1
// CHECK: arith.cmpf olt
// CHECK: arith.select
func.func @elu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "onnx.Elu"(%x) {alpha = 2.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Softplus avoids overflow: max(x, 0) + log1p(exp(-|x|)).
// CHECK-LABEL: func.func @softplus
// CHECK: math.absf
// CHECK: math.exp
// CHECK: arith.maximumf
// CHECK: math.log1p
func.func @softplus(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "onnx.Softplus"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Integer Mod without fmod follows the divisor's sign.
// CHECK-LABEL: func.func @mod_python
// CHECK: arith.remsi
// CHECK: arith.xori
// CHECK: arith.addi
// CHECK: arith.select
func.func @mod_python(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "onnx.Mod"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @mod_fmod
// CHECK: arith.remf
func.func @mod_fmod(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "onnx.Mod"(%a, %b) {fmod = 1 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @bitshift_right
// CHECK: arith.shrui
func.func @bitshift_right(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = "onnx.BitShift"(%a, %b) {direction = "RIGHT"} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// PRelu broadcasts its slope.
// CHECK-DAG: #[[SLOPE:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @prelu
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SLOPE]], #{{.*}}]
// CHECK: arith.mulf
func.func @prelu(%x: tensor<2x3xf32>, %s: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "onnx.PRelu"(%x, %s) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
