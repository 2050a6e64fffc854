// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Range: compiled for the declared length, checked at run time (a zero
// delta fails too), then start + i * delta.
// CHECK-LABEL: func.func @range
// CHECK: arith.ceildivsi
// CHECK: cf.assert %{{.*}}, "Range: the inputs give another length than compiled"
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi64>)
// CHECK: linalg.index 0
// CHECK: arith.muli
// CHECK: arith.addi
func.func @range(%s: tensor<i64>, %l: tensor<i64>, %d: tensor<i64>) -> tensor<4xi64> {
  %0 = "onnx.Range"(%s, %l, %d) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// TopK: each element's rank in its row (a reduction over the row), then the
// element of rank p for output p.
// CHECK-LABEL: func.func @topk
// CHECK: cf.assert %{{.*}}, "TopK: K differs from the compiled K"
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<3x4xf32>) outs(%{{.*}} : tensor<3x4xi64>)
// CHECK: arith.cmpf ogt
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<3x4xi64>) outs(%{{.*}}, %{{.*}} : tensor<3x2xf32>, tensor<3x2xi64>)
func.func @topk(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %0:2 = "onnx.TopK"(%x, %k) {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %0#0, %0#1 : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

// NonZero: one pass that appends coordinates while there is room, then
// checks the count.
// CHECK-LABEL: func.func @nonzero
// CHECK: %[[LOOP:.*]]:2 = scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %c0) -> (tensor<2x3xi64>, index)
// CHECK: arith.cmpf une
// CHECK: scf.if
// CHECK: tensor.insert
// CHECK: tensor.insert
// CHECK: cf.assert %{{.*}}, "NonZero: the data has another count than compiled"
func.func @nonzero(%x: tensor<2x2xf32>) -> tensor<2x3xi64> {
  %0 = "onnx.NonZero"(%x) : (tensor<2x2xf32>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// Compress along an axis: selected rows are copied in order.
// CHECK-LABEL: func.func @compress
// CHECK: scf.for
// CHECK: tensor.extract_slice %{{.*}} : tensor<3x2xf32> to tensor<1x2xf32>
// CHECK: tensor.insert_slice %{{.*}} : tensor<1x2xf32> into tensor<2x2xf32>
// CHECK: cf.assert %{{.*}}, "Compress: the condition selects another count than compiled"
func.func @compress(%x: tensor<3x2xf32>, %c: tensor<3xi1>) -> tensor<2x2xf32> {
  %0 = "onnx.Compress"(%x, %c) {axis = 0 : i64} : (tensor<3x2xf32>, tensor<3xi1>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Hann window of the compiled size: 0.5 - 0.5 cos(2 pi i / N).
// CHECK-LABEL: func.func @hann
// CHECK: cf.assert %{{.*}}, "window: the size differs from the compiled size"
// CHECK: linalg.generic
// CHECK: math.cos %{{.*}} : f64
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @hann(%n: tensor<i64>) -> tensor<10xf32> {
  %0 = "onnx.HannWindow"(%n) : (tensor<i64>) -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

// CumSum along a run-time axis: both candidate sums, then a pick.
// CHECK-LABEL: func.func @cumsum_axis
// CHECK: cf.assert %{{.*}}, "CumSum: the axis is out of range"
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.select
func.func @cumsum_axis(%x: tensor<2x3xf32>, %axis: tensor<i32>) -> tensor<2x3xf32> {
  %0 = "onnx.CumSum"(%x, %axis) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Pad with run-time pads: the output shape they give is checked.
// CHECK-LABEL: func.func @pad_runtime
// CHECK: tensor.extract %{{.*}} : tensor<4xi64>
// CHECK: cf.assert %{{.*}}, "Pad: the pads give another shape than compiled"
// CHECK: linalg.generic
func.func @pad_runtime(%x: tensor<2x3xf32>, %pads: tensor<4xi64>) -> tensor<4x5xf32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.Pad"(%x, %pads, %none) {mode = "edge"} : (tensor<2x3xf32>, tensor<4xi64>, none) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// NonMaxSuppression: batches, classes, rounds; each round searches the best
// live box, emits it and retires overlapping boxes in one marks tensor.
// CHECK-LABEL: func.func @nms
// CHECK: linalg.fill ins(%{{.*}} : i64) outs(%{{.*}} : tensor<6xi64>)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for {{.*}} -> (f32, index, i1)
// CHECK: arith.cmpf ogt
// CHECK: scf.if
// CHECK: tensor.insert
// CHECK: arith.divf
// CHECK: cf.assert %{{.*}}, "NonMaxSuppression: the data selects another number of boxes than compiled"
func.func @nms(%b: tensor<1x6x4xf32>, %s: tensor<1x1x6xf32>, %m: tensor<1xi64>, %iou: tensor<1xf32>, %st: tensor<1xf32>) -> tensor<3x3xi64> {
  %0 = "onnx.NonMaxSuppression"(%b, %s, %m, %iou, %st) : (tensor<1x6x4xf32>, tensor<1x1x6xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<3x3xi64>
  return %0 : tensor<3x3xi64>
}

// -----

// Unique: first occurrences, ranks (sorted by value), then one pass that
// fills Y, indices, counts and inverse_indices.
// CHECK-LABEL: func.func @unique
// CHECK: tensor.expand_shape %{{.*}} output_shape [1, 6, 1] : tensor<6xf32> into tensor<1x6x1xf32>
// CHECK: scf.for
// CHECK: arith.cmpf une
// CHECK: arith.cmpf olt
// CHECK: cf.assert %{{.*}}, "Unique: the data has another number of uniques than compiled"
// CHECK: scf.for {{.*}} -> (tensor<1x4x1xf32>, tensor<4xi64>, tensor<4xi64>, tensor<6xi64>)
// CHECK: tensor.insert_slice %{{.*}} : tensor<1x1x1xf32> into tensor<1x4x1xf32>
func.func @unique(%x: tensor<6xf32>) -> (tensor<4xf32>, tensor<4xi64>, tensor<6xi64>, tensor<4xi64>) {
  %0:4 = "onnx.Unique"(%x) {sorted = 1 : i64} : (tensor<6xf32>) -> (tensor<4xf32>, tensor<4xi64>, tensor<6xi64>, tensor<4xi64>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<4xf32>, tensor<4xi64>, tensor<6xi64>, tensor<4xi64>
}
