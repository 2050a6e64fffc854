// RUN: onnx-opt %s -write-pad-interiors -split-input-file | FileCheck %s

// An activation written into its own buffer, then copied into the interior
// of a padded buffer whose border is filled: the activation writes the
// interior, the padded buffer is allocated before it, and the copy and the
// activation's buffer are gone.
// CHECK-LABEL: func.func @relu_then_pad(
// CHECK: %[[P:.*]] = memref.alloc() : memref<1x2x4x4xf32>
// CHECK-NEXT: %[[IN:.*]] = memref.subview %[[P]][0, 0, 1, 1] [1, 2, 2, 2] [1, 1, 1, 1]
// CHECK-NEXT: linalg.generic {{.*}} ins(%{{.*}} : memref<1x2x2x2xf32>) outs(%[[IN]] : memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>)
// CHECK: linalg.fill
// CHECK-NOT: memref.copy %{{.*}} : memref<1x2x2x2xf32>
// CHECK-NOT: memref.alloc() : memref<1x2x2x2xf32>
// CHECK: return
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @relu_then_pad(%x: memref<1x2x2x2xf32>, %out: memref<1x2x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %act = memref.alloc() : memref<1x2x2x2xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x2x2x2xf32>) outs(%act : memref<1x2x2x2xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  %p = memref.alloc() : memref<1x2x4x4xf32>
  %top = memref.subview %p[0, 0, 0, 0] [1, 2, 1, 4] [1, 1, 1, 1] : memref<1x2x4x4xf32> to memref<1x2x1x4xf32, strided<[32, 16, 4, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x2x1x4xf32, strided<[32, 16, 4, 1]>>)
  %interior = memref.subview %p[0, 0, 1, 1] [1, 2, 2, 2] [1, 1, 1, 1] : memref<1x2x4x4xf32> to memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>
  memref.copy %act, %interior : memref<1x2x2x2xf32> to memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>
  memref.copy %p, %out : memref<1x2x4x4xf32> to memref<1x2x4x4xf32>
  return
}

// -----

// The activation is read by something else too (a residual branch): it
// keeps its buffer, and the copy stays.
// CHECK-LABEL: func.func @two_readers(
// CHECK: memref.copy %[[ACT:.*]], %{{.*}} : memref<1x2x2x2xf32> to memref<1x2x2x2xf32, strided
// CHECK: memref.copy %[[ACT]], %{{.*}} : memref<1x2x2x2xf32> to memref<1x2x2x2xf32>
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @two_readers(%x: memref<1x2x2x2xf32>, %out: memref<1x2x4x4xf32>, %out2: memref<1x2x2x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %act = memref.alloc() : memref<1x2x2x2xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x2x2x2xf32>) outs(%act : memref<1x2x2x2xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  %p = memref.alloc() : memref<1x2x4x4xf32>
  linalg.fill ins(%zero : f32) outs(%p : memref<1x2x4x4xf32>)
  %interior = memref.subview %p[0, 0, 1, 1] [1, 2, 2, 2] [1, 1, 1, 1] : memref<1x2x4x4xf32> to memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>
  memref.copy %act, %interior : memref<1x2x2x2xf32> to memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>
  memref.copy %act, %out2 : memref<1x2x2x2xf32> to memref<1x2x2x2xf32>
  memref.copy %p, %out : memref<1x2x4x4xf32> to memref<1x2x4x4xf32>
  return
}

// -----

// The padded buffer is filled whole before the copy (its fill covers the
// interior): writing the interior first would be overwritten. Nothing
// changes.
// CHECK-LABEL: func.func @whole_fill(
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : memref<1x2x2x2xf32>)
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<1x2x2x2xf32> to memref<1x2x2x2xf32, strided
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @whole_fill(%x: memref<1x2x2x2xf32>, %out: memref<1x2x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %act = memref.alloc() : memref<1x2x2x2xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x2x2x2xf32>) outs(%act : memref<1x2x2x2xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  %p = memref.alloc() : memref<1x2x4x4xf32>
  linalg.fill ins(%zero : f32) outs(%p : memref<1x2x4x4xf32>)
  %interior = memref.subview %p[0, 0, 1, 1] [1, 2, 2, 2] [1, 1, 1, 1] : memref<1x2x4x4xf32> to memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>
  memref.copy %act, %interior : memref<1x2x2x2xf32> to memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>
  memref.copy %p, %out : memref<1x2x4x4xf32> to memref<1x2x4x4xf32>
  return
}

// -----

// A Concat: two activations (one seen through a collapse_shape) are copied
// into boxes of the result, and the first is also read by another op
// before its copy (a second branch). Both activations write their boxes,
// the first through an expand_shape of its box, and the reader reads the
// box.
// CHECK-LABEL: func.func @concat(
// CHECK: %[[CAT:.*]] = memref.alloc() : memref<1x4x2xf32>
// CHECK-NEXT: %[[LO:.*]] = memref.subview %[[CAT]][0, 0, 0] [1, 2, 2] [1, 1, 1]
// CHECK-NEXT: %[[LO5:.*]] = memref.expand_shape %[[LO]] {{\[}}[0], [1, 2], [3]] output_shape [1, 1, 2, 2]
// CHECK-NEXT: linalg.generic {{.*}} outs(%[[LO5]] : memref<1x1x2x2xf32, strided<[8, 4, 2, 1]>>)
// CHECK: linalg.generic {{.*}} ins(%[[LO5]] : memref<1x1x2x2xf32, strided<[8, 4, 2, 1]>>) outs(%{{.*}} : memref<1x1x2x2xf32>)
// CHECK: %[[HI:.*]] = memref.subview %[[CAT]][0, 2, 0] [1, 2, 2] [1, 1, 1]
// CHECK-NEXT: linalg.generic {{.*}} outs(%[[HI]] : memref<1x2x2xf32, strided<[8, 2, 1], offset: 4>>)
// CHECK-NOT: memref.copy %{{.*}} : memref<1x2x2xf32> to memref<1x2x2xf32, strided
// CHECK: return
#id3 = affine_map<(a, b, c) -> (a, b, c)>
#id4 = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @concat(%x: memref<1x1x2x2xf32>, %y: memref<1x2x2xf32>, %out: memref<1x4x2xf32>, %other: memref<1x1x2x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<1x1x2x2xf32>
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x1x2x2xf32>) outs(%a : memref<1x1x2x2xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a : memref<1x1x2x2xf32>) outs(%other : memref<1x1x2x2xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  %a3 = memref.collapse_shape %a [[0], [1, 2], [3]] : memref<1x1x2x2xf32> into memref<1x2x2xf32>
  %b = memref.alloc() : memref<1x2x2xf32>
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y : memref<1x2x2xf32>) outs(%b : memref<1x2x2xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  %cat = memref.alloc() : memref<1x4x2xf32>
  %lo = memref.subview %cat[0, 0, 0] [1, 2, 2] [1, 1, 1] : memref<1x4x2xf32> to memref<1x2x2xf32, strided<[8, 2, 1]>>
  memref.copy %a3, %lo : memref<1x2x2xf32> to memref<1x2x2xf32, strided<[8, 2, 1]>>
  %hi = memref.subview %cat[0, 2, 0] [1, 2, 2] [1, 1, 1] : memref<1x4x2xf32> to memref<1x2x2xf32, strided<[8, 2, 1], offset: 4>>
  memref.copy %b, %hi : memref<1x2x2xf32> to memref<1x2x2xf32, strided<[8, 2, 1], offset: 4>>
  memref.copy %cat, %out : memref<1x4x2xf32> to memref<1x4x2xf32>
  return
}
