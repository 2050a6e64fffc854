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

// -----

// A residual block's output: a max pool (a fill, then a generic that reads
// and writes its output) is copied into a pad's interior, and read again
// after the copy (the residual branch), through an expand_shape. The pool
// works on the interior, and the later reader reads it there through an
// expand_shape that takes the interior's strides.
// CHECK-LABEL: func.func @read_after_copy(
// CHECK: %[[P:.*]] = memref.alloc() : memref<1x2x4x4xf32>
// CHECK-NEXT: %[[IN:.*]] = memref.subview %[[P]][0, 0, 1, 1] [1, 2, 2, 2] [1, 1, 1, 1]
// CHECK-NEXT: linalg.fill ins(%{{.*}} : f32) outs(%[[IN]] : memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>)
// CHECK-NEXT: linalg.generic {{.*}} outs(%[[IN]] : memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>)
// CHECK: %[[E:.*]] = memref.expand_shape %[[IN]] {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 2, 2, 2, 1] : memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>> into memref<1x2x2x2x1xf32, strided<[32, 16, 4, 1, 1], offset: 5>>
// CHECK-NOT: memref.copy %{{.*}} : memref<1x2x2x2xf32> to
// CHECK: memref.copy %[[P]], %{{.*}} : memref<1x2x4x4xf32> to memref<1x2x4x4xf32>
// CHECK: linalg.generic {{.*}} ins(%[[E]] : memref<1x2x2x2x1xf32, strided<[32, 16, 4, 1, 1], offset: 5>>)
// CHECK: return
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
#id5 = affine_map<(a, b, c, d, e) -> (a, b, c, d, e)>
func.func @read_after_copy(%x: memref<1x2x2x2xf32>, %out: memref<1x2x2x2x1xf32>, %outp: memref<1x2x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %act = memref.alloc() : memref<1x2x2x2xf32>
  linalg.fill ins(%ninf : f32) outs(%act : memref<1x2x2x2xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x2x2x2xf32>) outs(%act : memref<1x2x2x2xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.maximumf %in, %o : f32
    linalg.yield %r : f32
  }
  %p = memref.alloc() : memref<1x2x4x4xf32>
  %top = memref.subview %p[0, 0, 0, 0] [1, 2, 1, 4] [1, 1, 1, 1] : memref<1x2x4x4xf32> to memref<1x2x1x4xf32, strided<[32, 16, 4, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x2x1x4xf32, strided<[32, 16, 4, 1]>>)
  %interior = memref.subview %p[0, 0, 1, 1] [1, 2, 2, 2] [1, 1, 1, 1] : memref<1x2x4x4xf32> to memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>
  memref.copy %act, %interior : memref<1x2x2x2xf32> to memref<1x2x2x2xf32, strided<[32, 16, 4, 1], offset: 5>>
  %skip = memref.expand_shape %act [[0], [1], [2], [3, 4]] output_shape [1, 2, 2, 2, 1] : memref<1x2x2x2xf32> into memref<1x2x2x2x1xf32>
  memref.copy %p, %outp : memref<1x2x4x4xf32> to memref<1x2x4x4xf32>
  linalg.generic {indexing_maps = [#id5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%skip : memref<1x2x2x2x1xf32>) outs(%out : memref<1x2x2x2x1xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.addf %in, %in : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// The activation is written again after the copy: the interior would
// change with it. Nothing changes.
// CHECK-LABEL: func.func @written_after_copy(
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<1x2x2x2xf32> to memref<1x2x2x2xf32, strided
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @written_after_copy(%x: memref<1x2x2x2xf32>, %out: memref<1x2x4x4xf32>, %out2: memref<1x2x2x2xf32>) {
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
  linalg.fill ins(%zero : f32) outs(%act : memref<1x2x2x2xf32>)
  memref.copy %act, %out2 : memref<1x2x2x2xf32> to memref<1x2x2x2xf32>
  memref.copy %p, %out : memref<1x2x4x4xf32> to memref<1x2x4x4xf32>
  return
}

// -----

// The pad's interior is written after the copy (an in-place op on the
// padded buffer): the activation, still read later, would change with it.
// Nothing changes.
// CHECK-LABEL: func.func @interior_written_after_copy(
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<1x2x2x2xf32> to memref<1x2x2x2xf32, strided
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @interior_written_after_copy(%x: memref<1x2x2x2xf32>, %out: memref<1x2x4x4xf32>, %out2: memref<1x2x2x2xf32>) {
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
  linalg.fill ins(%zero : f32) outs(%p : memref<1x2x4x4xf32>)
  memref.copy %act, %out2 : memref<1x2x2x2xf32> to memref<1x2x2x2xf32>
  memref.copy %p, %out : memref<1x2x4x4xf32> to memref<1x2x4x4xf32>
  return
}

// -----

// A ConvTranspose's strided input: the activation is zero-filled, then
// written through a strided box of its own (a view other than a reshape,
// which could not take the interior's strides), then copied into the pad's
// interior. Nothing changes, and the interior stays.
// CHECK-LABEL: func.func @source_box(
// CHECK: %[[A:.*]] = memref.alloc() : memref<1x1x7x5xf32>
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<1x1x3x3xf32> to memref<1x1x3x3xf32, strided<[35, 35, 15, 2]>>
// CHECK: %[[IN:.*]] = memref.subview %{{.*}}[0, 0, 2, 2] [1, 1, 7, 5] [1, 1, 1, 1]
// CHECK: memref.copy %[[A]], %[[IN]]
func.func @source_box(%x: memref<1x1x3x3xf32>, %out: memref<1x1x12x10xf32>) {
  %zero = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<1x1x7x5xf32>
  linalg.fill ins(%zero : f32) outs(%a : memref<1x1x7x5xf32>)
  %box = memref.subview %a[0, 0, 0, 0] [1, 1, 3, 3] [1, 1, 3, 2] : memref<1x1x7x5xf32> to memref<1x1x3x3xf32, strided<[35, 35, 15, 2]>>
  memref.copy %x, %box : memref<1x1x3x3xf32> to memref<1x1x3x3xf32, strided<[35, 35, 15, 2]>>
  %p = memref.alloc() : memref<1x1x12x10xf32>
  %top = memref.subview %p[0, 0, 0, 0] [1, 1, 2, 10] [1, 1, 1, 1] : memref<1x1x12x10xf32> to memref<1x1x2x10xf32, strided<[120, 120, 10, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x1x2x10xf32, strided<[120, 120, 10, 1]>>)
  %interior = memref.subview %p[0, 0, 2, 2] [1, 1, 7, 5] [1, 1, 1, 1] : memref<1x1x12x10xf32> to memref<1x1x7x5xf32, strided<[120, 120, 10, 1], offset: 22>>
  memref.copy %a, %interior : memref<1x1x7x5xf32> to memref<1x1x7x5xf32, strided<[120, 120, 10, 1], offset: 22>>
  memref.copy %p, %out : memref<1x1x12x10xf32> to memref<1x1x12x10xf32>
  return
}
