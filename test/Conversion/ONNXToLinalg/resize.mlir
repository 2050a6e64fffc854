// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Linear resize from sizes: the unresized N and C dims index directly;
// H and W read two taps each (four products).
// CHECK-LABEL: func.func @resize_linear_sizes
// CHECK: linalg.generic
// CHECK-COUNT-2: math.floor
// CHECK-COUNT-4: tensor.extract
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @resize_linear_sizes(%x: tensor<1x1x2x2xf32>, %sizes: tensor<4xi64>) -> tensor<1x1x4x4xf32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.Resize"(%x, %none, %none, %sizes) {mode = "linear"} : (tensor<1x1x2x2xf32>, none, none, tensor<4xi64>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Run-time scales are read in the body.
// CHECK-LABEL: func.func @resize_nearest_scales
// CHECK: linalg.generic
// CHECK: tensor.extract %arg1
// CHECK: math.ceil
func.func @resize_nearest_scales(%x: tensor<1x1x2x2xf32>, %scales: tensor<4xf32>) -> tensor<1x1x4x6xf32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.Resize"(%x, %none, %scales, %none) {mode = "nearest"} : (tensor<1x1x2x2xf32>, none, tensor<4xf32>, none) -> tensor<1x1x4x6xf32>
  return %0 : tensor<1x1x4x6xf32>
}
