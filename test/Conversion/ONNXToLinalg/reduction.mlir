// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// ReduceSum's axes are a constant input; keepdims reshapes the result.
// CHECK-LABEL: func.func @reduce_sum_keepdims
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: arith.addf
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1x4xf32>
func.func @reduce_sum_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %axes = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.ReduceSum"(%x, %axes) : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// ReduceMean divides by the number of reduced elements.
// CHECK-LABEL: func.func @reduce_mean
// CHECK: iterator_types = ["reduction", "parallel", "reduction"]
// CHECK: arith.constant 8.000000e+00 : f32
// CHECK: arith.divf
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = "onnx.ReduceMean"(%x) {axes = [0, -1], keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// An empty axes list with noop_with_empty_axes is the identity.
// CHECK-LABEL: func.func @reduce_noop
// CHECK-NOT: iterator_types = ["reduction"
func.func @reduce_noop(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.ReduceSum"(%x, %none) {noop_with_empty_axes = 1 : i64} : (tensor<2x3xf32>, none) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// ArgMax keeps a value and an index accumulator.
// CHECK-LABEL: func.func @argmax
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<2xf32>, tensor<2xi64>)
// CHECK: arith.cmpf ogt
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1xi64>
func.func @argmax(%x: tensor<2x5xf32>) -> tensor<2x1xi64> {
  %0 = "onnx.ArgMax"(%x) {axis = 1 : i64} : (tensor<2x5xf32>) -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// CumSum adds x[j] for j <= i through an extra reduction dim.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @cumsum
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #{{.*}}], iterator_types = ["parallel", "reduction"]}
// CHECK: arith.cmpi sle
func.func @cumsum(%x: tensor<5xf32>) -> tensor<5xf32> {
  %axis = "onnx.Constant"() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %0 = "onnx.CumSum"(%x, %axis) : (tensor<5xf32>, tensor<i64>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// ReduceSum with run-time axes and keepdims: the dims that shrink to 1 are
// the reduced ones.
// CHECK-LABEL: func.func @reduce_sum_runtime_axes
// CHECK: iterator_types = ["parallel", "reduction", "parallel"]
func.func @reduce_sum_runtime_axes(%x: tensor<3x2x2xf32>, %axes: tensor<1xi64>) -> tensor<3x1x2xf32> {
  %0 = "onnx.ReduceSum"(%x, %axes) : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<3x1x2xf32>
  return %0 : tensor<3x1x2xf32>
}

// -----

// Run-time axes that the shapes leave ambiguous (dim 1 or dim 2 of size 2):
// both reductions, then the one the axes name; none named fails the run.
// CHECK-LABEL: func.func @reduce_sum_pick
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: cf.assert %{{.*}}, "Reduce: the axes give another result shape than compiled"
// CHECK: linalg.generic
// CHECK: arith.select
func.func @reduce_sum_pick(%x: tensor<3x2x2xf32>, %axes: tensor<1xi64>) -> tensor<3x2xf32> {
  %0 = "onnx.ReduceSum"(%x, %axes) {keepdims = 0 : i64} : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
