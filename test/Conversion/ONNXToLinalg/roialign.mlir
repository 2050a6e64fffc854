// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// RoiAlign (avg, fixed sampling_ratio): a generic over the output reads the
// RoI's box and (clamped) batch index, then sums 2x2 bilinear samples of
// four taps each in two scf.for loops and divides by the sample count.
// CHECK-LABEL: func.func @roialign_avg
// CHECK: linalg.generic
// CHECK-COUNT-4: tensor.extract %arg1
// CHECK: tensor.extract %arg2
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK: scf.for {{.*}} to %[[C2]]
// CHECK: scf.for {{.*}} to %[[C2]]
// CHECK-COUNT-4: tensor.extract %arg0
// CHECK: scf.yield
// CHECK: arith.divf
// CHECK: linalg.yield
func.func @roialign_avg(%x: tensor<1x2x10x10xf32>, %rois: tensor<3x4xf32>, %b: tensor<3xi64>) -> tensor<3x2x5x5xf32> {
  %0 = "onnx.RoiAlign"(%x, %rois, %b) {output_height = 5 : i64, output_width = 5 : i64, sampling_ratio = 2 : i64} : (tensor<1x2x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x5x5xf32>
  return %0 : tensor<3x2x5x5xf32>
}

// -----

// Max mode with an adaptive grid: the loop bounds are ceil(bin size),
// clamped before the conversion to an index.
// CHECK-LABEL: func.func @roialign_max_adaptive
// CHECK: linalg.generic
// CHECK: math.ceil
// CHECK: arith.maxnumf
// CHECK: arith.minnumf
// CHECK: arith.fptosi
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.maximumf
// CHECK: linalg.yield
func.func @roialign_max_adaptive(%x: tensor<1x1x8x8xf32>, %rois: tensor<2x4xf32>, %b: tensor<2xi64>) -> tensor<2x1x2x2xf32> {
  %0 = "onnx.RoiAlign"(%x, %rois, %b) {mode = "max", output_height = 2 : i64, output_width = 2 : i64} : (tensor<1x1x8x8xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x1x2x2xf32>
  return %0 : tensor<2x1x2x2xf32>
}
