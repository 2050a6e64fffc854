// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

// An op without a lowering is an error naming the op, never dropped.
func.func @multinomial(%x: tensor<1x8xf32>) -> tensor<1x2xi32> {
  // expected-error @+1 {{operator 'Multinomial' is not supported by the compiler yet}}
  %0 = "onnx.Multinomial"(%x) {sample_size = 2 : i64} : (tensor<1x8xf32>) -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

// A lowering that does not support an operand type says why.
func.func @roialign_bad_mode(%x: tensor<1x1x8x8xf32>, %rois: tensor<2x4xf32>, %b: tensor<2xi64>) -> tensor<2x1x1x1xf32> {
  // expected-error @+1 {{operator 'RoiAlign' cannot be compiled: unknown mode 'median'}}
  %0 = "onnx.RoiAlign"(%x, %rois, %b) {mode = "median"} : (tensor<1x1x8x8xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x1x1x1xf32>
  return %0 : tensor<2x1x1x1xf32>
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

// -----

// ONNX's Affine op defaults alpha to 1, ONNX Runtime's recurrent kernels to
// 0: an Affine activation without explicit parameters is refused.
func.func @rnn_affine_defaults(%x: tensor<3x2x5xf32>, %w: tensor<1x4x5xf32>, %r: tensor<1x4x4xf32>) -> tensor<1x2x4xf32> {
  %none = "onnx.NoValue"() : () -> none
  // expected-error @+1 {{operator 'RNN' cannot be compiled: activation 'Affine' needs explicit activation_alpha/activation_beta values (runtimes disagree on its defaults)}}
  %y, %yh = "onnx.RNN"(%x, %w, %r, %none, %none, %none) {activations = ["Affine"]} : (tensor<3x2x5xf32>, tensor<1x4x5xf32>, tensor<1x4x4xf32>, none, none, none) -> (none, tensor<1x2x4xf32>)
  return %yh : tensor<1x2x4xf32>
}

// -----

// A bidirectional LSTM takes 3 activations per direction.
func.func @lstm_activation_count(%x: tensor<3x2x5xf32>, %w: tensor<2x16x5xf32>, %r: tensor<2x16x4xf32>) -> tensor<2x2x4xf32> {
  %none = "onnx.NoValue"() : () -> none
  // expected-error @+1 {{operator 'LSTM' cannot be compiled: expects 6 activation functions, got 3}}
  %y, %yh, %yc = "onnx.LSTM"(%x, %w, %r, %none, %none, %none, %none, %none) {direction = "bidirectional", activations = ["Sigmoid", "Tanh", "Tanh"]} : (tensor<3x2x5xf32>, tensor<2x16x5xf32>, tensor<2x16x4xf32>, none, none, none, none, none) -> (none, tensor<2x2x4xf32>, none)
  return %yh : tensor<2x2x4xf32>
}

// -----

func.func @gru_unknown_activation(%x: tensor<3x2x5xf32>, %w: tensor<1x12x5xf32>, %r: tensor<1x12x4xf32>) -> tensor<1x2x4xf32> {
  %none = "onnx.NoValue"() : () -> none
  // expected-error @+1 {{operator 'GRU' cannot be compiled: unknown activation function 'Swish'}}
  %y, %yh = "onnx.GRU"(%x, %w, %r, %none, %none, %none) {activations = ["Sigmoid", "Swish"]} : (tensor<3x2x5xf32>, tensor<1x12x5xf32>, tensor<1x12x4xf32>, none, none, none) -> (none, tensor<1x2x4xf32>)
  return %yh : tensor<1x2x4xf32>
}

// -----

func.func @gru_weight_shape(%x: tensor<3x2x5xf32>, %w: tensor<1x9x5xf32>, %r: tensor<1x12x4xf32>) -> tensor<1x2x4xf32> {
  %none = "onnx.NoValue"() : () -> none
  // expected-error @+1 {{operator 'GRU' cannot be compiled: W has shape [1, 9, 5], expected [1, 12, 5]}}
  %y, %yh = "onnx.GRU"(%x, %w, %r, %none, %none, %none) : (tensor<3x2x5xf32>, tensor<1x9x5xf32>, tensor<1x12x4xf32>, none, none, none) -> (none, tensor<1x2x4xf32>)
  return %yh : tensor<1x2x4xf32>
}
