// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// DFT: the direct transform, the output dims plus a reduction over the
// signal index n, with the twiddle factor in f64.
// CHECK-LABEL: func.func @dft
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<8xf32>) outs(%{{.*}} : tensor<1x8x2xf32>)
// CHECK: arith.remui
// CHECK: math.cos %{{.*}} : f64
// CHECK: math.sin %{{.*}} : f64
// CHECK: arith.negf
func.func @dft(%x: tensor<1x8x1xf32>) -> tensor<1x8x2xf32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.DFT"(%x, %none) : (tensor<1x8x1xf32>, none) -> tensor<1x8x2xf32>
  return %0 : tensor<1x8x2xf32>
}

// -----

// STFT: frames of the windowed signal; the run-time frame_step must give
// the compiled number of frames.
// CHECK-LABEL: func.func @stft
// CHECK: cf.assert %{{.*}}, "STFT: frame_step gives another number of frames than compiled"
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<16xf32>) outs(%{{.*}} : tensor<1x7x9x2xf32>)
// CHECK: tensor.extract %{{.*}} : tensor<16xf32>
func.func @stft(%s: tensor<1x64x1xf32>, %step: tensor<i64>, %w: tensor<16xf32>) -> tensor<1x7x9x2xf32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.STFT"(%s, %step, %w, %none) : (tensor<1x64x1xf32>, tensor<i64>, tensor<16xf32>, none) -> tensor<1x7x9x2xf32>
  return %0 : tensor<1x7x9x2xf32>
}

// -----

// MelWeightMatrix: its shape from run-time inputs is checked.
// CHECK-LABEL: func.func @mel
// CHECK: cf.assert %{{.*}}, "MelWeightMatrix: the inputs give another shape than compiled"
// CHECK: math.log10
// CHECK: linalg.generic
// CHECK: math.powf
func.func @mel(%n: tensor<i32>, %d: tensor<i32>, %r: tensor<i32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<9x8xf32> {
  %0 = "onnx.MelWeightMatrix"(%n, %d, %r, %lo, %hi) : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<9x8xf32>
  return %0 : tensor<9x8xf32>
}
