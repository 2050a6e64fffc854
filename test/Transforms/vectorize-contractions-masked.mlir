// RUN: onnx-opt %s -vectorize-contractions="lanes=16 rows=6 masked-loads=true" -canonicalize -cse -split-input-file | FileCheck %s
// RUN: onnx-opt %s -vectorize-contractions="lanes=16 rows=6" -canonicalize -cse -split-input-file | FileCheck %s --check-prefix=PLAIN

// 14 columns, one 14-lane vector a row. With masked-loads (AVX2, AVX-512),
// B and C move as 16 lanes with the last 2 masked off (one masked move
// each, where LLVM splits a 14-lane load or store into 8, 4 and 2 lanes);
// the FMAs stay 14 lanes wide. Without, they are plain 14-lane loads.
// CHECK-LABEL: func.func @matmul14
// CHECK-DAG: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK-DAG: %[[MASK:.*]] = vector.constant_mask [14] : vector<16xi1>
// CHECK: %[[C0:.*]] = vector.maskedload %arg2[%c0, %c0], %[[MASK]], %[[ZERO]] : memref<4x14xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// CHECK: vector.extract_strided_slice %[[C0]] {offsets = [0], sizes = [14], strides = [1]} : vector<16xf32> to vector<14xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %c4 step %c1 iter_args(
// CHECK: %[[B:.*]] = vector.maskedload %arg1[%[[K]], %c0], %[[MASK]], %[[ZERO]] : memref<4x14xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// CHECK: %[[B14:.*]] = vector.extract_strided_slice %[[B]] {offsets = [0], sizes = [14], strides = [1]}
// CHECK: math.fma %{{.*}}, %[[B14]], %{{.*}} : vector<14xf32>
// CHECK: scf.yield
// CHECK: %[[WIDE:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0, 0] : vector<14xf32>, vector<14xf32>
// CHECK: vector.maskedstore %arg2[%c0, %c0], %[[MASK]], %[[WIDE]] : memref<4x14xf32>, vector<16xi1>, vector<16xf32>
// PLAIN-LABEL: func.func @matmul14
// PLAIN-NOT: vector.maskedload
// PLAIN: vector.load %arg1[%{{.*}}, %c0] : memref<4x14xf32>, vector<14xf32>
// PLAIN-NOT: vector.maskedstore
// PLAIN: vector.store %{{.*}}, %arg2[%c0, %c0] : memref<4x14xf32>, vector<14xf32>
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @matmul14(%a: memref<4x4xf32>, %b: memref<4x14xf32>, %c: memref<4x14xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x4xf32>, memref<4x14xf32>) outs(%c : memref<4x14xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A stride-2 convolution with 16 output columns: each B vector is every
// other element of a 31-element span, one masked load of 32 (two masked
// moves instead of loads of 16, 8, 4, 2 and 1 elements), then the shuffle.
// CHECK-LABEL: func.func @strided16
// CHECK: %[[MASK:.*]] = vector.constant_mask [31] : vector<32xi1>
// CHECK: %[[WIDE:.*]] = vector.maskedload %arg0[%c0, %{{.*}}, %c0, %{{.*}}], %[[MASK]], %{{.*}} : memref<1x2x1x33xf32>, vector<32xi1>, vector<32xf32> into vector<32xf32>
// CHECK: %[[SPAN:.*]] = vector.extract_strided_slice %[[WIDE]] {offsets = [0], sizes = [31], strides = [1]} : vector<32xf32> to vector<31xf32>
// CHECK: vector.shuffle %[[SPAN]], %[[SPAN]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<31xf32>, vector<31xf32>
#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#out = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
func.func @strided16(%x: memref<1x2x1x33xf32>, %w: memref<3x2x1x3xf32>, %y: memref<1x3x1x16xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x2x1x33xf32>, memref<3x2x1x3xf32>) outs(%y : memref<1x3x1x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
