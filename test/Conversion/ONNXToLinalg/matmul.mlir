// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Batched MatMul broadcasts the batch dims of B and reduces over K.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batched
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @batched(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// A vector operand contributes no M dim.
// CHECK-DAG: #[[V:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[M:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @vector_matrix
// CHECK: linalg.generic {indexing_maps = [#[[V]], #[[M]], #{{.*}}], iterator_types = ["parallel", "reduction"]}
func.func @vector_matrix(%a: tensor<4xf32>, %b: tensor<4x5xf32>) -> tensor<5xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Gemm with transB reads B as (n, k), then scales and adds C.
// CHECK-DAG: #[[BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @gemm
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BT]], #{{.*}}]
// CHECK: linalg.generic
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @gemm(%a: tensor<2x4xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "onnx.Gemm"(%a, %b, %c) {alpha = 0.5 : f32, transB = 1 : i64} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A constant B with transB (a linear layer's weight) is transposed at
// compile time, so the contraction reads it as (k, n).
// CHECK-DAG: #[[KN:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func.func @gemm_constant_weight
// CHECK: %[[W:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[KN]], #{{.*}}]{{.*}} ins(%{{.*}}, %[[W]] : tensor<1x3xf32>, tensor<3x2xf32>)
func.func @gemm_constant_weight(%a: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = "onnx.Constant"() {value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.Gemm"(%a, %w, %none) {transB = 1 : i64} : (tensor<1x3xf32>, tensor<2x3xf32>, none) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
