// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Bilinear sampling with zero padding: one generic over the output reads
// the grid's x and y, then four input taps, each masked when outside.
// CHECK-LABEL: func.func @gridsample_bilinear_zeros
// CHECK: linalg.generic
// CHECK: tensor.extract %arg1
// CHECK: math.floor
// CHECK: tensor.extract %arg1
// CHECK: math.floor
// CHECK-COUNT-4: tensor.extract %arg0
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @gridsample_bilinear_zeros(%x: tensor<1x2x3x4xf32>, %grid: tensor<1x5x6x2xf32>) -> tensor<1x2x5x6xf32> {
  %0 = "onnx.GridSample"(%x, %grid) : (tensor<1x2x3x4xf32>, tensor<1x5x6x2xf32>) -> tensor<1x2x5x6xf32>
  return %0 : tensor<1x2x5x6xf32>
}

// -----

// Nearest rounds half to even (as PyTorch) and reads one tap; border padding
// clamps the coordinate into the input.
// CHECK-LABEL: func.func @gridsample_nearest_border
// CHECK: linalg.generic
// CHECK: math.roundeven
// CHECK: arith.maxnumf
// CHECK: arith.minnumf
// CHECK: math.roundeven
// CHECK-COUNT-1: tensor.extract %arg0
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @gridsample_nearest_border(%x: tensor<1x1x3x2xf32>, %grid: tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32> {
  %0 = "onnx.GridSample"(%x, %grid) {mode = "nearest", padding_mode = "border", align_corners = 1 : i64} : (tensor<1x1x3x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32>
  return %0 : tensor<1x1x2x4xf32>
}

// -----

// Bicubic reads a 4x4 neighbourhood; reflection folds coordinates back with
// a floating-point parity test (no float-to-int conversion of the count).
// CHECK-LABEL: func.func @gridsample_bicubic_reflection
// CHECK: linalg.generic
// CHECK: math.trunc
// CHECK: arith.cmpf une
// CHECK-COUNT-16: tensor.extract %arg0
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @gridsample_bicubic_reflection(%x: tensor<1x1x3x2xf32>, %grid: tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32> {
  %0 = "onnx.GridSample"(%x, %grid) {mode = "bicubic", padding_mode = "reflection"} : (tensor<1x1x3x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32>
  return %0 : tensor<1x1x2x4xf32>
}

// -----

// f16 data is sampled in f32 and the result truncated back.
// CHECK-LABEL: func.func @gridsample_f16
// CHECK: linalg.generic
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK: linalg.yield
func.func @gridsample_f16(%x: tensor<1x1x3x2xf16>, %grid: tensor<1x2x4x2xf16>) -> tensor<1x1x2x4xf16> {
  %0 = "onnx.GridSample"(%x, %grid) : (tensor<1x1x3x2xf16>, tensor<1x2x4x2xf16>) -> tensor<1x1x2x4xf16>
  return %0 : tensor<1x1x2x4xf16>
}
