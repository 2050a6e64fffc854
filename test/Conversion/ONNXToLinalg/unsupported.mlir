// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

// An op without a lowering is an error naming the op, never dropped.
func.func @nonzero(%x: tensor<2x3xf32>) -> tensor<2x6xi64> {
  // expected-error @+1 {{operator 'NonZero' is not supported by the compiler yet}}
  %0 = "onnx.NonZero"(%x) : (tensor<2x3xf32>) -> tensor<2x6xi64>
  return %0 : tensor<2x6xi64>
}

// -----

// A lowering that does not support an operand type says why.
func.func @roialign_bad_mode(%x: tensor<1x1x8x8xf32>, %rois: tensor<2x4xf32>, %b: tensor<2xi64>) -> tensor<2x1x1x1xf32> {
  // expected-error @+1 {{operator 'RoiAlign' cannot be compiled: unknown mode 'median'}}
  %0 = "onnx.RoiAlign"(%x, %rois, %b) {mode = "median"} : (tensor<1x1x8x8xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x1x1x1xf32>
  return %0 : tensor<2x1x1x1xf32>
}

// -----

// Without keepdims, dropping either dim of a 2x2 input leaves [2]: the
// axes cannot be told from the shapes, which is an error.
func.func @reduce_sum_ambiguous(%x: tensor<2x2xf32>, %axes: tensor<1xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{operator 'ReduceSum' cannot be compiled: the axes are not constant and the shapes leave them ambiguous}}
  %0 = "onnx.ReduceSum"(%x, %axes) {keepdims = 0 : i64} : (tensor<2x2xf32>, tensor<1xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// GridSample samples 2-D images only (opset 16).
func.func @gridsample_3d(%x: tensor<1x1x2x3x4xf32>, %grid: tensor<1x2x2x2x3xf32>) -> tensor<1x1x2x2x2xf32> {
  // expected-error @+1 {{operator 'GridSample' cannot be compiled: only 2-D sampling (4-D X, grid (N, H, W, 2)) is supported}}
  %0 = "onnx.GridSample"(%x, %grid) : (tensor<1x1x2x3x4xf32>, tensor<1x2x2x2x3xf32>) -> tensor<1x1x2x2x2xf32>
  return %0 : tensor<1x1x2x2x2xf32>
}

// -----

func.func @gridsample_bad_padding(%x: tensor<1x1x3x2xf32>, %grid: tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32> {
  // expected-error @+1 {{operator 'GridSample' cannot be compiled: unknown padding_mode 'wrap'}}
  %0 = "onnx.GridSample"(%x, %grid) {padding_mode = "wrap"} : (tensor<1x1x3x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32>
  return %0 : tensor<1x1x2x4xf32>
}

// -----

// ReverseSequence's batch and time axes are 0 and 1, in either order.
func.func @reverse_sequence_axes(%x: tensor<4x3x2xf32>, %lens: tensor<2xi64>) -> tensor<4x3x2xf32> {
  // expected-error @+1 {{operator 'ReverseSequence' cannot be compiled: batch_axis and time_axis must be 0 and 1}}
  %0 = "onnx.ReverseSequence"(%x, %lens) {batch_axis = 2 : i64, time_axis = 0 : i64} : (tensor<4x3x2xf32>, tensor<2xi64>) -> tensor<4x3x2xf32>
  return %0 : tensor<4x3x2xf32>
}

// -----

// MaxUnpool can pad the unpooled result, never crop it.
func.func @maxunpool_smaller(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>, %shape: tensor<4xi64>) -> tensor<1x1x3x3xf32> {
  // expected-error @+1 {{operator 'MaxUnpool' cannot be compiled: the output shape is smaller than the unpooled shape}}
  %0 = "onnx.MaxUnpool"(%x, %i, %shape) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<4xi64>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}
