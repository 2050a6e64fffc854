// RUN: onnx-opt %s -convert-onnx-to-linalg -canonicalize -split-input-file | FileCheck %s

// The input projection X*W^T (+ Wb + Rb) is one contraction before the time
// loop; each step is H*R^T into a scratch tensor and a linalg.map that
// writes the new state in place. The reverse direction walks t = S-1-i; clip
// bounds the activation's input.
// CHECK-LABEL: func.func @rnn_reverse
// CHECK: %[[SCRATCH:.*]] = bufferization.alloc_tensor() : tensor<2x4xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}}ins(%{{.*}}, %{{.*}} : tensor<6x5xf32>, tensor<5x4xf32>)
// CHECK: %[[RT:.*]] = linalg.transpose ins(%{{.*}} : tensor<4x4xf32>)
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[H:.*]] = %{{.*}}, %[[Y:.*]] = %{{.*}}, %[[S:.*]] = %[[SCRATCH]])
// CHECK:   %[[T:.*]] = arith.subi %{{.*}}, %[[I]] : index
// CHECK:   %[[XW:.*]] = tensor.extract_slice %{{.*}}[%[[T]], 0, 0] [1, 2, 4]
// CHECK:   %[[ZERO:.*]] = linalg.fill {{.*}} outs(%[[S]] : tensor<2x4xf32>)
// CHECK:   %[[HR:.*]] = linalg.generic {{.*}} ins(%[[H]], %[[RT]] : {{.*}}) outs(%[[ZERO]] : tensor<2x4xf32>)
// CHECK:   %[[NEW:.*]] = linalg.map ins(%[[XW]], %[[HR]], %[[H]] : {{.*}}) outs(%[[H]] : tensor<2x4xf32>)
// CHECK:     arith.maximumf
// CHECK:     arith.minimumf
// CHECK:     math.tanh
// CHECK:   %[[Y2:.*]] = tensor.insert_slice %[[NEW]] into %[[Y]][%[[T]], 0, 0, 0] [1, 1, 2, 4]
// CHECK:   scf.yield %[[NEW]], %[[Y2]], %[[HR]]
func.func @rnn_reverse(%x: tensor<3x2x5xf32>, %w: tensor<1x4x5xf32>, %r: tensor<1x4x4xf32>, %b: tensor<1x8xf32>) -> (tensor<3x1x2x4xf32>, tensor<1x2x4xf32>) {
  %none = "onnx.NoValue"() : () -> none
  %y, %yh = "onnx.RNN"(%x, %w, %r, %b, %none, %none) {hidden_size = 4 : i64, direction = "reverse", clip = 2.0 : f32} : (tensor<3x2x5xf32>, tensor<1x4x5xf32>, tensor<1x4x4xf32>, tensor<1x8xf32>, none, none) -> (tensor<3x1x2x4xf32>, tensor<1x2x4xf32>)
  return %y, %yh : tensor<3x1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// Without linear_before_reset, GRU's reset gate applies to H before Rh:
// H*R[zr]^T, then r (.) H, then (r (.) H)*Rh^T, then the update. Each
// product has a scratch tensor (and buffer) of its own.
// CHECK-LABEL: func.func @gru_defaults
// CHECK: %[[ZR:.*]] = bufferization.alloc_tensor() : tensor<2x8xf32>
// CHECK: %[[RH:.*]] = bufferization.alloc_tensor() : tensor<2x4xf32>
// CHECK: %[[RHR:.*]] = bufferization.alloc_tensor() : tensor<2x4xf32>
// CHECK: scf.for {{.*}} iter_args(%[[H:.*]] = %{{.*}}, %[[S1:.*]] = %[[ZR]], %[[S2:.*]] = %[[RH]], %[[S3:.*]] = %[[RHR]])
// CHECK:   %[[HZR:.*]] = linalg.generic {{.*}} ins(%[[H]], %{{.*}} : tensor<2x4xf32>, tensor<4x8xf32>)
// CHECK:   %[[RESET:.*]] = linalg.map ins(%{{.*}}, %{{.*}}, %[[H]] : {{.*}}) outs(%[[S2]] : tensor<2x4xf32>)
// CHECK:     math.exp
// CHECK:   %[[HRH:.*]] = linalg.generic {{.*}} ins(%[[RESET]], %{{.*}} : tensor<2x4xf32>, tensor<4x4xf32>)
// CHECK:   %[[NEW:.*]] = linalg.map ins({{.*}}, %[[HRH]], %[[H]] : {{.*}}) outs(%[[H]] : tensor<2x4xf32>)
// CHECK:     math.tanh
// CHECK:     arith.subf
// CHECK:   scf.yield %[[NEW]], %[[HZR]], %[[RESET]], %[[HRH]]
func.func @gru_defaults(%x: tensor<3x2x5xf32>, %w: tensor<1x12x5xf32>, %r: tensor<1x12x4xf32>) -> tensor<1x2x4xf32> {
  %none = "onnx.NoValue"() : () -> none
  %y, %yh = "onnx.GRU"(%x, %w, %r, %none, %none, %none) {hidden_size = 4 : i64} : (tensor<3x2x5xf32>, tensor<1x12x5xf32>, tensor<1x12x4xf32>, none, none, none) -> (none, tensor<1x2x4xf32>)
  return %yh : tensor<1x2x4xf32>
}

// -----

// With linear_before_reset, one product per step; Rbh stays out of the
// projection because r multiplies it. Activation alphas go to the
// functions that take one (HardSigmoid here, beta by default 0.5).
// CHECK-LABEL: func.func @gru_linear_before_reset
// CHECK: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: scf.for
// CHECK:   linalg.generic
// CHECK-NOT: linalg.generic
// CHECK:   linalg.map
// CHECK:     arith.maximumf
// CHECK:     arith.mulf %{{.*}}, %[[HALF]]
// CHECK:     arith.addf %{{.*}}, %[[HALF]]
// CHECK:     arith.minimumf
// CHECK:   scf.yield
func.func @gru_linear_before_reset(%x: tensor<3x2x5xf32>, %w: tensor<1x12x5xf32>, %r: tensor<1x12x4xf32>, %b: tensor<1x24xf32>) -> tensor<1x2x4xf32> {
  %none = "onnx.NoValue"() : () -> none
  %y, %yh = "onnx.GRU"(%x, %w, %r, %b, %none, %none) {hidden_size = 4 : i64, linear_before_reset = 1 : i64, activations = ["Relu", "HardSigmoid"], activation_alpha = [0.5 : f32]} : (tensor<3x2x5xf32>, tensor<1x12x5xf32>, tensor<1x12x4xf32>, tensor<1x24xf32>, none, none) -> (none, tensor<1x2x4xf32>)
  return %yh : tensor<1x2x4xf32>
}

// -----

// Bidirectional LSTM with run-time sequence_lens, peepholes and layout 1:
// X is transposed to time-major, each direction has its loop (the second
// walks backwards), masked entries keep their state and write zeros to Y,
// entries of length 0 get zero final states, and Y/Y_c are transposed back.
// CHECK-LABEL: func.func @lstm_bidirectional
// CHECK: linalg.transpose ins(%arg0 : tensor<2x3x5xf32>) {{.*}} permutation = [1, 0, 2]
// CHECK: scf.for
// CHECK:   linalg.map
// CHECK:     arith.cmpi slt
// CHECK:     arith.select
// CHECK:   linalg.map
// CHECK:   linalg.map
// CHECK:   tensor.insert_slice %{{.*}} into %{{.*}}[%{{.*}}, 0, 0, 0]
// CHECK: scf.for
// CHECK:   arith.subi
// CHECK:   tensor.insert_slice %{{.*}} into %{{.*}}[%{{.*}}, 1, 0, 0]
// CHECK: arith.cmpi sle
// CHECK: linalg.transpose ins(%{{.*}} : tensor<3x2x2x4xf32>) {{.*}} permutation = [2, 0, 1, 3]
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x2x4xf32>) {{.*}} permutation = [1, 0, 2]
func.func @lstm_bidirectional(%x: tensor<2x3x5xf32>, %w: tensor<2x16x5xf32>, %r: tensor<2x16x4xf32>, %b: tensor<2x32xf32>, %lens: tensor<2xi32>, %p: tensor<2x12xf32>) -> (tensor<2x3x2x4xf32>, tensor<2x2x4xf32>) {
  %none = "onnx.NoValue"() : () -> none
  %y, %yh, %yc = "onnx.LSTM"(%x, %w, %r, %b, %lens, %none, %none, %p) {hidden_size = 4 : i64, direction = "bidirectional", layout = 1 : i64} : (tensor<2x3x5xf32>, tensor<2x16x5xf32>, tensor<2x16x4xf32>, tensor<2x32xf32>, tensor<2xi32>, none, none, tensor<2x12xf32>) -> (tensor<2x3x2x4xf32>, none, tensor<2x2x4xf32>)
  return %y, %yc : tensor<2x3x2x4xf32>, tensor<2x2x4xf32>
}

// -----

// sequence_lens known to be full need no masking.
// CHECK-LABEL: func.func @lstm_full_lengths
// CHECK-NOT: arith.cmpi
// CHECK: return
func.func @lstm_full_lengths(%x: tensor<3x2x5xf32>, %w: tensor<1x16x5xf32>, %r: tensor<1x16x4xf32>) -> tensor<1x2x4xf32> {
  %none = "onnx.NoValue"() : () -> none
  %lens = "onnx.Constant"() {value = dense<3> : tensor<2xi32>} : () -> tensor<2xi32>
  %y, %yh, %yc = "onnx.LSTM"(%x, %w, %r, %none, %lens, %none, %none, %none) {hidden_size = 4 : i64} : (tensor<3x2x5xf32>, tensor<1x16x5xf32>, tensor<1x16x4xf32>, none, tensor<2xi32>, none, none, none) -> (none, tensor<1x2x4xf32>, none)
  return %yh : tensor<1x2x4xf32>
}
