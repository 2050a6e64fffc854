// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Det: a working copy of the matrices, then per matrix Gaussian elimination
// with partial pivoting in scf.for loops: the pivot search, the row swap
// (negating the determinant), the product of the pivots and the
// elimination below the pivot, skipped for a zero pivot.
// CHECK-LABEL: func.func @det
// CHECK: linalg.generic
// CHECK: scf.for {{.*}} iter_args({{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<3x2x2xf32>, tensor<3xf32>)
// CHECK: scf.for {{.*}} -> (tensor<3x2x2xf32>, f32)
// CHECK: scf.for {{.*}} -> (index, f32)
// CHECK: math.absf
// CHECK: arith.cmpf ogt
// CHECK: scf.for {{.*}} -> (tensor<3x2x2xf32>)
// CHECK: tensor.insert
// CHECK: tensor.insert
// CHECK: arith.negf
// CHECK: arith.mulf
// CHECK: arith.cmpf oeq
// CHECK: scf.for
// CHECK: arith.divf
// CHECK: scf.for
// CHECK: arith.subf
// CHECK: tensor.insert
func.func @det(%x: tensor<3x2x2xf32>) -> tensor<3xf32> {
  %0 = "onnx.Det"(%x) : (tensor<3x2x2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A single matrix gives a 0-D result; f16 is eliminated in f32.
// CHECK-LABEL: func.func @det_f16
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: scf.for {{.*}} -> (tensor<1x3x3xf32>, tensor<1xf16>)
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK: tensor.collapse_shape {{.*}} : tensor<1xf16> into tensor<f16>
func.func @det_f16(%x: tensor<3x3xf16>) -> tensor<f16> {
  %0 = "onnx.Det"(%x) : (tensor<3x3xf16>) -> tensor<f16>
  return %0 : tensor<f16>
}
