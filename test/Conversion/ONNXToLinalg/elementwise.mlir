// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Binary ops broadcast with numpy rules in the indexing maps.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "onnx.Add"(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Unsigned integers become signless; Div picks the unsigned division.
// CHECK-LABEL: func.func @div_unsigned
// CHECK-SAME: (%{{.*}}: tensor<4xi8> {bufferization.writable = false}, %{{.*}}: tensor<4xi8> {bufferization.writable = false}) -> tensor<4xi8>
// CHECK: arith.divui
func.func @div_unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = "onnx.Div"(%a, %b) : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @sigmoid
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @sigmoid(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "onnx.Sigmoid"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Clip with only a max: the absent min is skipped.
// CHECK-LABEL: func.func @clip_max
// CHECK: linalg.generic
// CHECK-NOT: arith.maximumf
// CHECK: arith.minimumf
func.func @clip_max(%a: tensor<4xf32>, %hi: tensor<f32>) -> tensor<4xf32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.Clip"(%a, %none, %hi) : (tensor<4xf32>, none, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @cast_float_to_uint8
// CHECK: arith.fptoui %{{.*}} : f32 to i8
func.func @cast_float_to_uint8(%a: tensor<4xf32>) -> tensor<4xui8> {
  %0 = "onnx.Cast"(%a) {to = 2 : i64} : (tensor<4xf32>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @less
// CHECK: arith.cmpi slt
// CHECK-SAME: i32
func.func @less(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi1> {
  %0 = "onnx.Less"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @where
// CHECK: arith.select
func.func @where(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<f32>) -> tensor<4xf32> {
  %0 = "onnx.Where"(%c, %a, %b) : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Integer Pow is exact: square and multiply over the exponent's 32 bits,
// and trunc(base^exponent) for negative exponents.
// CHECK-LABEL: func.func @pow_int
// CHECK: linalg.generic
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c1 iter_args(%{{.*}} = %c1_i32, %{{.*}} = %in, %{{.*}} = %in_0) -> (i32, i32, i32)
// CHECK: arith.muli
// CHECK: arith.shrui
// CHECK: scf.yield
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK-NOT: math.powf
func.func @pow_int(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "onnx.Pow"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// An integer base with a float exponent: whole exponents take the exact
// integer path, others go through double.
// CHECK-LABEL: func.func @pow_int_float
// CHECK: math.trunc
// CHECK: scf.for
// CHECK: math.powf %{{.*}}, %{{.*}} : f64
// CHECK: arith.select
func.func @pow_int_float(%a: tensor<4xi64>, %b: tensor<4xf32>) -> tensor<4xi64> {
  %0 = "onnx.Pow"(%a, %b) : (tensor<4xi64>, tensor<4xf32>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}
