// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Softmax: max, subtract, exp, sum, divide along the axis.
// CHECK-LABEL: func.func @softmax
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = "onnx.Softmax"(%x) {axis = -1 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// BatchNormalization (inference): per-channel parameters broadcast along
// dim 1 after a reshape to [C, 1, 1].
// CHECK-LABEL: func.func @batchnorm
// CHECK-COUNT-4: tensor.expand_shape {{.*}} into tensor<3x1x1xf32>
// CHECK: math.rsqrt
func.func @batchnorm(%x: tensor<1x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %0, %1, %2 = "onnx.BatchNormalization"(%x, %s, %b, %m, %v) {epsilon = 1.0e-05 : f32} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<1x3x4x4xf32>, none, none)
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// LayerNormalization over the last axis.
// CHECK-LABEL: func.func @layernorm
// CHECK: iterator_types = ["parallel", "reduction"]
// CHECK: math.rsqrt
func.func @layernorm(%x: tensor<4x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0, %1, %2 = "onnx.LayerNormalization"(%x, %s, %b) {axis = -1 : i64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, none, none)
  return %0 : tensor<4x8xf32>
}

// -----

// LRN sums squares over a window of channels of a channel-padded input.
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 + d4, d2, d3)>
// CHECK-LABEL: func.func @lrn
// CHECK: tensor.pad %{{.*}} low[0, 1, 0, 0] high[0, 1, 0, 0]
// CHECK: linalg.generic {indexing_maps = [#[[WIN]], #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: math.powf
func.func @lrn(%x: tensor<1x5x2x2xf32>) -> tensor<1x5x2x2xf32> {
  %0 = "onnx.LRN"(%x) {size = 3 : i64} : (tensor<1x5x2x2xf32>) -> tensor<1x5x2x2xf32>
  return %0 : tensor<1x5x2x2xf32>
}

// -----

// InstanceNormalization: statistics over the spatial dims per (n, c).
// CHECK-LABEL: func.func @instance_norm
// CHECK: iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: math.rsqrt
func.func @instance_norm(%x: tensor<1x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %0 = "onnx.InstanceNormalization"(%x, %s, %b) : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// BatchNormalization in training mode normalizes with the batch statistics
// over N, H and W (the population variance) and updates the running ones
// with the momentum: input * 0.75 + batch * 0.25.
// CHECK-LABEL: func.func @batchnorm_training
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction", "reduction"]{{.*}} outs({{.*}} : tensor<3xf32>)
// CHECK: math.rsqrt
// CHECK: arith.constant 7.500000e-01 : f32
// CHECK: arith.constant 2.500000e-01 : f32
func.func @batchnorm_training(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) {
  %0, %1, %2 = "onnx.BatchNormalization"(%x, %s, %b, %m, %v) {training_mode = 1 : i64, momentum = 0.75 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>)
  return %0, %1, %2 : tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>
}
