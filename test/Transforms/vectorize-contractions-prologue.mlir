// RUN: onnx-opt %s -vectorize-contractions="lanes=8 rows=4" -split-input-file | FileCheck %s

// C starts as the bias broadcast along its columns (N): the kernel loads
// the bias vector as its initial accumulators, and the broadcast loop is
// gone; C is never read.
// CHECK-LABEL: func.func @bias_columns(
// CHECK-NOT: linalg.generic
// CHECK: %[[BIAS:.*]] = memref.get_global @bias16 : memref<16xf32>
// CHECK: %[[INIT:.*]] = vector.load %[[BIAS]][%{{.*}}] : memref<16xf32>, vector<8xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}%[[INIT]]
// CHECK-NOT: vector.load %[[C:.*]]{{.*}} : memref<4x16xf32>
// CHECK: vector.store
// CHECK-NOT: linalg.generic
// CHECK: return
memref.global "private" constant @bias16 : memref<16xf32> = dense<1.0> {alignment = 64 : i64}
memref.global "private" constant @b8x16 : memref<8x16xf32> = dense<2.0> {alignment = 64 : i64}
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#col = affine_map<(m, n) -> (n)>
#id = affine_map<(m, n) -> (m, n)>
func.func @bias_columns(%a: memref<4x8xf32>, %c: memref<4x16xf32>) {
  %bias = memref.get_global @bias16 : memref<16xf32>
  %b = memref.get_global @b8x16 : memref<8x16xf32>
  linalg.generic {indexing_maps = [#col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The bias is per row (M): each row's accumulators start from its bias
// element, broadcast.
// CHECK-LABEL: func.func @bias_rows(
// CHECK: %[[BIAS:.*]] = memref.get_global @bias4 : memref<4xf32>
// CHECK: %[[E:.*]] = memref.load %[[BIAS]][%{{.*}}] : memref<4xf32>
// CHECK: vector.broadcast %[[E]] : f32 to vector<8xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
memref.global "private" constant @bias4 : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]> {alignment = 64 : i64}
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#row = affine_map<(m, n) -> (m)>
#id = affine_map<(m, n) -> (m, n)>
func.func @bias_rows(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  %bias = memref.get_global @bias4 : memref<4xf32>
  linalg.generic {indexing_maps = [#row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<4xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A fill with a constant: the accumulators start as that constant. The
// fill before it, overwritten unread, goes too.
// CHECK-LABEL: func.func @fill(
// CHECK-NOT: linalg.fill
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : vector<8xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}%[[Z]]
// CHECK-NOT: linalg.fill
// CHECK: return
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @fill(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%c : memref<4x16xf32>)
  linalg.fill ins(%zero : f32) outs(%c : memref<4x16xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not a prologue: C's initial values come from a buffer the kernel could
// overwrite (not a constant global), or something touches memory between
// the broadcast and the contraction. C is loaded as before.
// CHECK-LABEL: func.func @not_constant(
// CHECK: linalg.generic
// CHECK: vector.load %{{.*}} : memref<4x16xf32>, vector<8xf32>
// CHECK-LABEL: func.func @in_between(
// CHECK: linalg.generic
// CHECK: memref.store
// CHECK: vector.load %{{.*}} : memref<4x16xf32>, vector<8xf32>
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#col = affine_map<(m, n) -> (n)>
#id = affine_map<(m, n) -> (m, n)>
func.func @not_constant(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %bias: memref<16xf32>, %c: memref<4x16xf32>) {
  linalg.generic {indexing_maps = [#col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
memref.global "private" constant @bias16b : memref<16xf32> = dense<1.0> {alignment = 64 : i64}
func.func @in_between(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  %bias = memref.get_global @bias16b : memref<16xf32>
  %i = arith.constant 0 : index
  %v = arith.constant 5.0 : f32
  linalg.generic {indexing_maps = [#col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  memref.store %v, %c[%i, %i] : memref<4x16xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
