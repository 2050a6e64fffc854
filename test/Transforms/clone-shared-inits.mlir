// RUN: onnx-opt %s -clone-shared-inits | FileCheck %s
// RUN: onnx-opt %s -clone-shared-inits -one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=BUF

// Two contractions start from one broadcast (CSE merged two equal bias
// broadcasts): each gets its own clone, built just before it, and the
// original goes.
// CHECK-LABEL: func.func @shared_bias
// CHECK-NEXT: tensor.empty
// CHECK-NEXT: %[[B1:.*]] = linalg.generic {{.*}} ins(%[[BIAS:[a-z0-9_]+]] : tensor<4xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: linalg.yield
// CHECK-NEXT: }
// CHECK-NEXT: linalg.matmul ins({{.*}}) outs(%[[B1]] : tensor<2x4xf32>)
// CHECK-NEXT: %[[B2:.*]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<4xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: linalg.yield
// CHECK-NEXT: }
// CHECK-NEXT: linalg.matmul ins({{.*}}) outs(%[[B2]] : tensor<2x4xf32>)
// CHECK-NEXT: return
// Bufferized, neither matmul writes into a copy of the other's init.
// BUF-LABEL: func.func @shared_bias
// BUF-NOT: memref.copy
// BUF: return
#bcast = affine_map<(m, n) -> (n)>
#id = affine_map<(m, n) -> (m, n)>
func.func @shared_bias(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %bias: tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %empty = tensor.empty() : tensor<2x4xf32>
  %init = linalg.generic {indexing_maps = [#bcast, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<4xf32>) outs(%empty : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x4xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  %1 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// An init whose producer reads its own init (an accumulation) is left
// shared: a clone would not compute the same values.
// CHECK-LABEL: func.func @reads_own_init
// CHECK-COUNT-1: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @reads_own_init(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %init = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<2x4xf32>) outs(%x : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  %1 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}
