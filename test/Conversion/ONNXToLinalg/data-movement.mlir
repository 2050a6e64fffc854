// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @reshape
// CHECK: tensor.collapse_shape {{.*}} into tensor<6xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<3x2xf32>
func.func @reshape(%x: tensor<2x3xf32>, %s: tensor<2xi64>) -> tensor<3x2xf32> {
  %0 = "onnx.Reshape"(%x, %s) : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK: linalg.transpose ins({{.*}} : tensor<2x3x4xf32>) outs({{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = "onnx.Transpose"(%x) {perm = [2, 0, 1]} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK: tensor.insert_slice {{.*}}[0, 0] [2, 3] [1, 1]
// CHECK: tensor.insert_slice {{.*}}[0, 3] [2, 1] [1, 1]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>) -> tensor<2x4xf32> {
  %0 = "onnx.Concat"(%a, %b) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @split
// CHECK: tensor.extract_slice {{.*}}[0, 0] [2, 1] [1, 1]
// CHECK: tensor.extract_slice {{.*}}[0, 1] [2, 3] [1, 1]
func.func @split(%a: tensor<2x4xf32>, %s: tensor<2xi64>) -> (tensor<2x1xf32>, tensor<2x3xf32>) {
  %0, %1 = "onnx.Split"(%a, %s) {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2xi64>) -> (tensor<2x1xf32>, tensor<2x3xf32>)
  return %0, %1 : tensor<2x1xf32>, tensor<2x3xf32>
}

// -----

// A positive-step Slice is a strided extract_slice.
// CHECK-LABEL: func.func @slice_strided
// CHECK: tensor.extract_slice {{.*}}[1] [3] [2]
func.func @slice_strided(%x: tensor<8xf32>) -> tensor<3xf32> {
  %starts = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %ends = "onnx.Constant"() {value = dense<[7]> : tensor<1xi64>} : () -> tensor<1xi64>
  %axes = "onnx.Constant"() {value = dense<[0]> : tensor<1xi64>} : () -> tensor<1xi64>
  %steps = "onnx.Constant"() {value = dense<[2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.Slice"(%x, %starts, %ends, %axes, %steps) : (tensor<8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A negative step reads backwards through an affine map.
// CHECK: #[[REV:.*]] = affine_map<(d0) -> (-d0 + 7)>
// CHECK-LABEL: func.func @slice_reverse
// CHECK: linalg.generic {indexing_maps = [#[[REV]], #{{.*}}]
func.func @slice_reverse(%x: tensor<8xf32>) -> tensor<8xf32> {
  %starts = "onnx.Constant"() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %ends = "onnx.Constant"() {value = dense<[-9223372036854775807]> : tensor<1xi64>} : () -> tensor<1xi64>
  %none = "onnx.NoValue"() : () -> none
  %steps = "onnx.Constant"() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.Slice"(%x, %starts, %ends, %none, %steps) : (tensor<8xf32>, tensor<1xi64>, tensor<1xi64>, none, tensor<1xi64>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Gather wraps negative indices and extracts along the axis.
// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic
// CHECK: arith.index_cast
// CHECK: arith.select
// CHECK: tensor.extract
func.func @gather(%x: tensor<5x4xf32>, %i: tensor<2xi64>) -> tensor<2x4xf32> {
  %0 = "onnx.Gather"(%x, %i) {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Shape of a static tensor is a constant.
// CHECK-LABEL: func.func @shape
// CHECK: arith.constant dense<[2, 3]> : tensor<2xi64>
func.func @shape(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  %0 = "onnx.Shape"(%x) : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Bounds known only at run time are read in the body: the entry whose axis
// is the dim gives its start (clamped) and step.
// CHECK-LABEL: func.func @slice_runtime
// CHECK: linalg.generic
// CHECK: tensor.extract %arg1
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0
func.func @slice_runtime(%x: tensor<8xf32>, %starts: tensor<1xi64>, %ends: tensor<1xi64>) -> tensor<3xf32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.Slice"(%x, %starts, %ends, %none, %none) : (tensor<8xf32>, tensor<1xi64>, tensor<1xi64>, none, none) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
