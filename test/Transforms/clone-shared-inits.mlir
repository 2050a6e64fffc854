// RUN: onnx-opt %s -clone-shared-inits | FileCheck %s
// RUN: onnx-opt %s -clone-shared-inits -one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=BUF
// RUN: onnx-opt %s -clone-shared-inits -eliminate-empty-tensors -one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=CONCAT

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

// Two concatenations of one shape insert their slices into one
// tensor.empty (CSE merged theirs; SqueezeNet's fire modules): each gets
// its own. Bufferized, the ReLU then writes straight into the first
// concatenation's buffer, which is what the function returns; with one
// empty for both, that buffer went to the second, and the first was a
// copy of it.
// CHECK-LABEL: func.func @shared_concat
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK-NEXT: %[[I1:.*]] = tensor.insert_slice %{{.*}} into %[[E1]][0, 0]
// CHECK-NEXT: tensor.insert_slice %{{.*}} into %[[I1]][2, 0]
// CHECK-NEXT: %[[E2:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK-NEXT: %[[I2:.*]] = tensor.insert_slice %{{.*}} into %[[E2]][0, 0]
// CHECK-NEXT: tensor.insert_slice %{{.*}} into %[[I2]][2, 0]
// CONCAT-LABEL: func.func @shared_concat
// CONCAT: %[[A:.*]] = memref.alloc() {{.*}} : memref<4x4xf32>
// CONCAT: %[[S:.*]] = memref.subview %[[A]][0, 0] [2, 4] [1, 1]
// CONCAT: linalg.generic {{.*}} outs(%[[S]] :
// CONCAT: return %[[A]], %{{.*}} : memref<4x4xf32>, memref<4x4xf32>
func.func @shared_concat(%x: tensor<2x4xf32>, %y: tensor<2x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %half = tensor.empty() : tensor<2x4xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<2x4xf32>) outs(%half : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %cst : f32
    linalg.yield %m : f32
  } -> tensor<2x4xf32>
  %0 = tensor.insert_slice %relu into %e[0, 0] [2, 4] [1, 1] : tensor<2x4xf32> into tensor<4x4xf32>
  %1 = tensor.insert_slice %y into %0[2, 0] [2, 4] [1, 1] : tensor<2x4xf32> into tensor<4x4xf32>
  %2 = tensor.insert_slice %y into %e[0, 0] [2, 4] [1, 1] : tensor<2x4xf32> into tensor<4x4xf32>
  %3 = tensor.insert_slice %x into %2[2, 0] [2, 4] [1, 1] : tensor<2x4xf32> into tensor<4x4xf32>
  return %1, %3 : tensor<4x4xf32>, tensor<4x4xf32>
}
