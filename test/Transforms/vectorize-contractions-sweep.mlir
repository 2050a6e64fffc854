// RUN: onnx-opt %s -vectorize-contractions="lanes=16 rows=12" | FileCheck %s
// RUN: onnx-opt %s -vectorize-contractions="lanes=16 rows=12" | FileCheck %s --check-prefix=WARM

// A stem convolution (3x3, stride 2, 3 -> 24 channels) on a 224x224 model
// input: 602 KB of B, more than L2 keeps next to a sweep's output. The
// sweep over the output rows goes outside the two row tiles of output
// channels in 5 blocks of about 128 KB of B (one of 23 rows, four of 22),
// and the first row tile of each block prefetches the input rows that
// the output row 8 rows later reads (2 rows of each of the 3 channels: 84
// lines), clamped to B.
// CHECK-LABEL: func.func @stem(
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %arg0 {{\[}}[0, 1, 2]] : memref<3x224x224xf32> into memref<150528xf32>
// CHECK: scf.for %[[TILE:.*]] = %{{.*}} to %c24 step %c12 {
// CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %c23{{.*}} step %c1 {
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[TILE]], %{{.*}} : index
// CHECK: scf.if %[[FIRST]] {
// CHECK: %[[AHEAD:.*]] = arith.addi %[[ROW]], %c8{{.*}} : index
// CHECK: %[[IN:.*]] = arith.muli %[[AHEAD]], %c2{{.*}} : index
// CHECK: %[[START:.*]] = arith.muli %[[IN]], %c224 : index
// CHECK: %[[CLAMPED:.*]] = arith.minsi %[[START]], %c150527 : index
// CHECK: memref.prefetch %[[FLAT]][%[[CLAMPED]]], read, locality<3>, data
// CHECK-COUNT-83: memref.prefetch %[[FLAT]]
// CHECK-NOT: memref.prefetch
// CHECK: scf.for %{{.*}} = %{{.*}} to %c96 step %c32 {
// CHECK: scf.for %[[BLOCK:.*]] = %c23 to %c111 step %c22 {
// CHECK: scf.for %{{.*}} = %{{.*}} to %c24{{.*}} step %c12{{.*}} {
// CHECK: scf.for %{{.*}} = %[[BLOCK]] to %{{.*}} step %c1{{.*}} {
// CHECK: scf.if
memref.global "private" constant @w : memref<3x3x3x24xf32> = dense<1.0>
func.func @stem(%x: memref<3x224x224xf32>, %ws: memref<1183104xi8>) {
  %c0 = arith.constant 0 : index
  %w = memref.get_global @w : memref<3x3x3x24xf32>
  %c = memref.view %ws[%c0][] : memref<1183104xi8> to memref<24x111x111xf32>
  linalg.generic {indexing_maps = [affine_map<(o, h, x, c, i, j) -> (c, i, j, o)>, affine_map<(o, h, x, c, i, j) -> (c, h * 2 + i, x * 2 + j)>, affine_map<(o, h, x, c, i, j) -> (o, h, x)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%w, %x : memref<3x3x3x24xf32>, memref<3x224x224xf32>) outs(%c : memref<24x111x111xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// The same convolution on a workspace buffer (the output of the kernel
// before, in L3 or L2 rather than memory): the same blocks, but nothing
// is prefetched.
// WARM-LABEL: func.func @warm(
// WARM-NOT: memref.prefetch
// WARM: scf.for %{{.*}} = %{{.*}} to %c24 step %c12 {
// WARM: scf.for %{{.*}} = %{{.*}} to %c23{{.*}} step %c1 {
// WARM: scf.for %[[BLOCK:.*]] = %c23 to %c111 step %c22 {
// WARM: scf.for %{{.*}} = %{{.*}} to %c24{{.*}} step %c12{{.*}} {
// WARM: scf.for %{{.*}} = %[[BLOCK]] to %{{.*}} step %c1{{.*}} {
// WARM-NOT: memref.prefetch
// WARM: return
func.func @warm(%ws: memref<1785216xi8>) {
  %c0 = arith.constant 0 : index
  %c602112 = arith.constant 602112 : index
  %w = memref.get_global @w : memref<3x3x3x24xf32>
  %x = memref.view %ws[%c0][] : memref<1785216xi8> to memref<3x224x224xf32>
  %c = memref.view %ws[%c602112][] : memref<1785216xi8> to memref<24x111x111xf32>
  linalg.generic {indexing_maps = [affine_map<(o, h, x, c, i, j) -> (c, i, j, o)>, affine_map<(o, h, x, c, i, j) -> (c, h * 2 + i, x * 2 + j)>, affine_map<(o, h, x, c, i, j) -> (o, h, x)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%w, %x : memref<3x3x3x24xf32>, memref<3x224x224xf32>) outs(%c : memref<24x111x111xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// A stride-1 1x1 convolution (16 -> 96 channels) on a 112x112 workspace
// buffer (800 KB): the row tiles stay outermost, each sweeping all of B
// (blocks made MobileNetV2 slower at 2 threads).
// WARM-LABEL: func.func @unit_stride(
// WARM: scf.for %{{.*}} = %{{.*}} to %c96 step %c12 {
// WARM-NEXT: %{{.*}} = arith.constant
// WARM-NEXT: %{{.*}} = arith.constant
// WARM-NEXT: %{{.*}} = arith.constant
// WARM-NEXT: scf.for %{{.*}} = %{{.*}} to %c112 step %c1 {
// WARM-NOT: memref.prefetch
// WARM: return
memref.global "private" constant @w1 : memref<16x96xf32> = dense<1.0>
func.func @unit_stride(%ws: memref<6021120xi8>) {
  %c0 = arith.constant 0 : index
  %c802816 = arith.constant 802816 : index
  %w = memref.get_global @w1 : memref<16x96xf32>
  %x = memref.view %ws[%c0][] : memref<6021120xi8> to memref<16x112x112xf32>
  %c = memref.view %ws[%c802816][] : memref<6021120xi8> to memref<96x112x112xf32>
  linalg.generic {indexing_maps = [affine_map<(o, h, x, c) -> (c, o)>, affine_map<(o, h, x, c) -> (c, h, x)>, affine_map<(o, h, x, c) -> (o, h, x)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : memref<16x96xf32>, memref<16x112x112xf32>) outs(%c : memref<96x112x112xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
