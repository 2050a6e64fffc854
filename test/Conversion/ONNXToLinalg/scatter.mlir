// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Scatters loop over the updates and insert into a copy of the data.
// CHECK-LABEL: func.func @scatter_elements
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %arg0)
// CHECK: tensor.extract %arg1
// CHECK: tensor.extract %arg2
// CHECK: tensor.insert
// CHECK: scf.yield
func.func @scatter_elements(%d: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>) -> tensor<3x3xf32> {
  %0 = "onnx.ScatterElements"(%d, %i, %u) {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// ScatterND with add accumulates into the current value.
// CHECK-LABEL: func.func @scatter_nd_add
// CHECK: scf.for
// CHECK: arith.addf
// CHECK: tensor.insert
func.func @scatter_nd_add(%d: tensor<4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) -> tensor<4x4xf32> {
  %0 = "onnx.ScatterND"(%d, %i, %u) {reduction = "add"} : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// GatherND reads the coordinates from the last index dim.
// CHECK-LABEL: func.func @gather_nd
// CHECK: linalg.generic
// CHECK-COUNT-2: tensor.extract %arg1
// CHECK: tensor.extract %arg0
func.func @gather_nd(%d: tensor<2x2xf32>, %i: tensor<2x2xi64>) -> tensor<2xf32> {
  %0 = "onnx.GatherND"(%d, %i) : (tensor<2x2xf32>, tensor<2x2xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
