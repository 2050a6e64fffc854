// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Reflect padding mirrors indices around the edges.
// CHECK-LABEL: func.func @pad_reflect
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: arith.subi
// CHECK: arith.select
// CHECK: tensor.extract
func.func @pad_reflect(%x: tensor<3x4xf32>) -> tensor<5x4xf32> {
  %pads = "onnx.Constant"() {value = dense<[1, 0, 1, 0]> : tensor<4xi64>} : () -> tensor<4xi64>
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.Pad"(%x, %pads, %none) {mode = "reflect"} : (tensor<3x4xf32>, tensor<4xi64>, none) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

// Tile reads the input modulo its shape.
// CHECK: #[[MOD:.*]] = affine_map<(d0, d1) -> (d0 mod 2, d1 mod 3)>
// CHECK-LABEL: func.func @tile
// CHECK: linalg.generic {indexing_maps = [#[[MOD]], #{{.*}}]
func.func @tile(%x: tensor<2x3xf32>, %r: tensor<2xi64>) -> tensor<4x3xf32> {
  %0 = "onnx.Tile"(%x, %r) : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// DepthToSpace (DCR) is reshape, transpose, reshape.
// CHECK-LABEL: func.func @depth_to_space
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x2x2x3x3xf32>
// CHECK: linalg.transpose {{.*}} permutation = [0, 3, 4, 1, 5, 2]
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x2x6x6xf32>
func.func @depth_to_space(%x: tensor<1x8x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %0 = "onnx.DepthToSpace"(%x) {blocksize = 2 : i64} : (tensor<1x8x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Dropout at inference forwards its input and reports an all-true mask.
// CHECK-LABEL: func.func @dropout
// CHECK: %[[TRUE:.*]] = arith.constant true
// CHECK: %[[MASK:.*]] = linalg.fill ins(%[[TRUE]] : i1)
// CHECK: return %arg0, %[[MASK]]
func.func @dropout(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {
  %none = "onnx.NoValue"() : () -> none
  %0, %1 = "onnx.Dropout"(%x, %none, %none) : (tensor<4xf32>, none, none) -> (tensor<4xf32>, tensor<4xi1>)
  return %0, %1 : tensor<4xf32>, tensor<4xi1>
}

// -----

// GatherElements replaces the axis coordinate by the index.
// CHECK-LABEL: func.func @gather_elements
// CHECK: linalg.generic
// CHECK: arith.index_cast
// CHECK: linalg.index 0
// CHECK: tensor.extract
func.func @gather_elements(%x: tensor<3x3xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf32> {
  %0 = "onnx.GatherElements"(%x, %i) {axis = 1 : i64} : (tensor<3x3xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Trilu keeps j - i >= k for the upper triangle.
// CHECK-LABEL: func.func @triu
// CHECK: linalg.index 0
// CHECK: linalg.index 1
// CHECK: arith.cmpi sge
func.func @triu(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.Trilu"(%x, %none) : (tensor<3x4xf32>, none) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// ReverseSequence (time_axis 0, batch_axis 1): each output element reads its
// batch entry's length (clamped to the time dim) and, before it, the
// mirrored time index.
// CHECK-LABEL: func.func @reverse_sequence
// CHECK: linalg.generic
// CHECK: %[[T:.*]] = linalg.index 0
// CHECK: %[[B:.*]] = linalg.index 1
// CHECK: tensor.extract %arg1[%[[B]]] : tensor<3xi64>
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.cmpi slt, %[[T]]
// CHECK: arith.select
// CHECK: tensor.extract %arg0
func.func @reverse_sequence(%x: tensor<4x3x2xf32>, %lens: tensor<3xi64>) -> tensor<4x3x2xf32> {
  %0 = "onnx.ReverseSequence"(%x, %lens) {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x3x2xf32>, tensor<3xi64>) -> tensor<4x3x2xf32>
  return %0 : tensor<4x3x2xf32>
}

// -----

// Dropout with run-time training mode and ratio: the identity, and a run
// that asks for random dropout (training with a nonzero ratio) returns 2.
// CHECK-LABEL: func.func @dropout_runtime
// CHECK: arith.cmpi eq
// CHECK: arith.cmpf oeq
// CHECK: arith.ori
// CHECK: cf.assert %{{.*}}, "Dropout: random dropout in training mode"
// CHECK: return %arg0
func.func @dropout_runtime(%x: tensor<4xf32>, %r: tensor<f32>, %t: tensor<i1>) -> tensor<4xf32> {
  %y, %m = "onnx.Dropout"(%x, %r, %t) : (tensor<4xf32>, tensor<f32>, tensor<i1>) -> (tensor<4xf32>, none)
  return %y : tensor<4xf32>
}
