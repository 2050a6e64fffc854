// RUN: onnx-opt %s -fill-pad-borders -split-input-file | FileCheck %s

// A 1x2x4x4 buffer padded by 1 on each side of its last two dims: the
// fill covers the rows above and below the interior, then the columns left
// and right of it within the interior rows; the copy writes the rest.
// CHECK-LABEL: func.func @pad(
// CHECK-SAME: %[[SRC:[a-z0-9]+]]: memref<1x2x2x2xf32>, %[[P:[a-z0-9]+]]: memref<1x2x4x4xf32>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[TOP:.*]] = memref.subview %[[P]][0, 0, 0, 0] [1, 2, 1, 4] [1, 1, 1, 1]
// CHECK-NEXT: linalg.fill ins(%[[ZERO]] : f32) outs(%[[TOP]]
// CHECK-NEXT: %[[BOTTOM:.*]] = memref.subview %[[P]][0, 0, 3, 0] [1, 2, 1, 4] [1, 1, 1, 1]
// CHECK-NEXT: linalg.fill ins(%[[ZERO]] : f32) outs(%[[BOTTOM]]
// CHECK-NEXT: %[[LEFT:.*]] = memref.subview %[[P]][0, 0, 1, 0] [1, 2, 2, 1] [1, 1, 1, 1]
// CHECK-NEXT: linalg.fill ins(%[[ZERO]] : f32) outs(%[[LEFT]]
// CHECK-NEXT: %[[RIGHT:.*]] = memref.subview %[[P]][0, 0, 1, 3] [1, 2, 2, 1] [1, 1, 1, 1]
// CHECK-NEXT: linalg.fill ins(%[[ZERO]] : f32) outs(%[[RIGHT]]
// CHECK-NOT: linalg.map
// CHECK: memref.copy %[[SRC]]
func.func @pad(%src: memref<1x2x2x2xf32>, %p: memref<1x2x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.map outs(%p : memref<1x2x4x4xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %interior = memref.subview %p[0, 0, 1, 1] [1, 2, 2, 2] [1, 1, 1, 1] : memref<1x2x4x4xf32> to memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>
  memref.copy %src, %interior : memref<1x2x2x2xf32> to memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>
  return
}

// -----

// Padding only at the end of the last dim: one slab, the high columns.
// CHECK-LABEL: func.func @high_only(
// CHECK: memref.subview %{{.*}}[0, 3] [2, 2] [1, 1]
// CHECK-NEXT: linalg.fill
// CHECK-NOT: linalg.fill
// CHECK: memref.copy
func.func @high_only(%src: memref<2x3xf32>, %p: memref<2x5xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%p : memref<2x5xf32>)
  %interior = memref.subview %p[0, 0] [2, 3] [1, 1] : memref<2x5xf32> to memref<2x3xf32, strided<[5, 1]>>
  memref.copy %src, %interior : memref<2x3xf32> to memref<2x3xf32, strided<[5, 1]>>
  return
}

// -----

// Not a pad: something reads the buffer between the fill and the copy, or
// the copy writes a strided subview. The fill stays whole.
// CHECK-LABEL: func.func @read_between(
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<2x5xf32>)
// CHECK-LABEL: func.func @strided(
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<2x6xf32>)
func.func @read_between(%src: memref<2x3xf32>, %p: memref<2x5xf32>, %out: memref<2x5xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%p : memref<2x5xf32>)
  memref.copy %p, %out : memref<2x5xf32> to memref<2x5xf32>
  %interior = memref.subview %p[0, 0] [2, 3] [1, 1] : memref<2x5xf32> to memref<2x3xf32, strided<[5, 1]>>
  memref.copy %src, %interior : memref<2x3xf32> to memref<2x3xf32, strided<[5, 1]>>
  return
}
func.func @strided(%src: memref<2x3xf32>, %p: memref<2x6xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%p : memref<2x6xf32>)
  %interior = memref.subview %p[0, 0] [2, 3] [1, 2] : memref<2x6xf32> to memref<2x3xf32, strided<[6, 2]>>
  memref.copy %src, %interior : memref<2x3xf32> to memref<2x3xf32, strided<[6, 2]>>
  return
}

// -----

// The copy reads the buffer itself: its source's values come from the
// fill, which stays whole.
// CHECK-LABEL: func.func @self_copy(
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<2x5xf32>)
func.func @self_copy(%p: memref<2x5xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%p : memref<2x5xf32>)
  %from = memref.subview %p[0, 2] [2, 3] [1, 1] : memref<2x5xf32> to memref<2x3xf32, strided<[5, 1], offset: 2>>
  %interior = memref.subview %p[0, 0] [2, 3] [1, 1] : memref<2x5xf32> to memref<2x3xf32, strided<[5, 1]>>
  memref.copy %from, %interior : memref<2x3xf32, strided<[5, 1], offset: 2>> to memref<2x3xf32, strided<[5, 1]>>
  return
}
