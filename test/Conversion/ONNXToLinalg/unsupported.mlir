// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

// An op without a lowering is an error naming the op, never dropped.
func.func @det(%x: tensor<2x3x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{operator 'Det' is not supported by the compiler yet}}
  %0 = "onnx.Det"(%x) : (tensor<2x3x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A lowering that does not support an operand type says why.
func.func @batchnorm_training(%x: tensor<1x3x4x4xf32>, %s: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{operator 'BatchNormalization' cannot be compiled: training mode is not supported}}
  %0, %1, %2 = "onnx.BatchNormalization"(%x, %s, %s, %s, %s) {training_mode = 1 : i64} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return %0 : tensor<1x3x4x4xf32>
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
