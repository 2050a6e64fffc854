// RUN: onnx-opt %s -forward-output-copies | FileCheck %s

// A convolution's grouped output [1, 1, 4, 3, 3], collapsed to the
// model's [1, 4, 3, 3] and copied into the output argument: the kernels
// write the argument, viewed with the grouped shape, and the copy and the
// allocation go.
// CHECK-LABEL: func.func @collapsed(
// CHECK-SAME: %[[X:.*]]: memref<1x4x3x3xf32>, %[[OUT:.*]]: memref<1x4x3x3xf32>)
// CHECK-NOT: memref.alloc
// CHECK: %[[VIEW:.*]] = memref.expand_shape %[[OUT]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 1, 4, 3, 3] : memref<1x4x3x3xf32> into memref<1x1x4x3x3xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[VIEW]] : memref<1x1x4x3x3xf32>)
// CHECK: linalg.generic {{.*}} outs(%[[VIEW]] : memref<1x1x4x3x3xf32>)
// CHECK-NOT: memref.copy
// CHECK: return
func.func @collapsed(%x: memref<1x4x3x3xf32>, %out: memref<1x4x3x3xf32>) {
  %cst = arith.constant 0.0 : f32
  %alloc = memref.alloc() : memref<1x1x4x3x3xf32>
  linalg.fill ins(%cst : f32) outs(%alloc : memref<1x1x4x3x3xf32>)
  %g = memref.expand_shape %x [[0], [1, 2], [3], [4]] output_shape [1, 1, 4, 3, 3] : memref<1x4x3x3xf32> into memref<1x1x4x3x3xf32>
  linalg.generic {indexing_maps = [affine_map<(a, b, c, d, e) -> (a, b, c, d, e)>, affine_map<(a, b, c, d, e) -> (a, b, c, d, e)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%g : memref<1x1x4x3x3xf32>) outs(%alloc : memref<1x1x4x3x3xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  %r = memref.collapse_shape %alloc [[0], [1, 2], [3], [4]] : memref<1x1x4x3x3xf32> into memref<1x4x3x3xf32>
  memref.copy %r, %out : memref<1x4x3x3xf32> to memref<1x4x3x3xf32>
  return
}

// Two reshapes, undone in turn: [2, 6] expanded to [2, 2, 3], then
// collapsed to [4, 3].
// CHECK-LABEL: func.func @two_reshapes(
// CHECK-SAME: %[[OUT:.*]]: memref<4x3xf32>)
// CHECK: %[[E:.*]] = memref.expand_shape %[[OUT]] {{\[}}[0, 1], [2]] output_shape [2, 2, 3] : memref<4x3xf32> into memref<2x2x3xf32>
// CHECK: %[[C:.*]] = memref.collapse_shape %[[E]] {{\[}}[0], [1, 2]] : memref<2x2x3xf32> into memref<2x6xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[C]] : memref<2x6xf32>)
// CHECK-NOT: memref.copy
func.func @two_reshapes(%out: memref<4x3xf32>) {
  %cst = arith.constant 1.0 : f32
  %alloc = memref.alloc() : memref<2x6xf32>
  linalg.fill ins(%cst : f32) outs(%alloc : memref<2x6xf32>)
  %e = memref.expand_shape %alloc [[0], [1, 2]] output_shape [2, 2, 3] : memref<2x6xf32> into memref<2x2x3xf32>
  %c = memref.collapse_shape %e [[0, 1], [2]] : memref<2x2x3xf32> into memref<4x3xf32>
  memref.copy %c, %out : memref<4x3xf32> to memref<4x3xf32>
  return
}

// The allocation is read after its copy into the first output (it is the
// second output too): that copy stays. The second copy is its last use,
// so the allocation becomes the second output, and the first is copied
// from it.
// CHECK-LABEL: func.func @read_after(
// CHECK-SAME: %[[OUT:.*]]: memref<4xf32>, %[[OUT2:.*]]: memref<2x2xf32>)
// CHECK-NOT: memref.alloc
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[OUT2]] : memref<2x2xf32>)
// CHECK: %[[C:.*]] = memref.collapse_shape %[[OUT2]]
// CHECK: memref.copy %[[C]], %[[OUT]]
// CHECK-NOT: memref.copy
func.func @read_after(%out: memref<4xf32>, %out2: memref<2x2xf32>) {
  %cst = arith.constant 1.0 : f32
  %alloc = memref.alloc() : memref<2x2xf32>
  linalg.fill ins(%cst : f32) outs(%alloc : memref<2x2xf32>)
  %c = memref.collapse_shape %alloc [[0, 1]] : memref<2x2xf32> into memref<4xf32>
  memref.copy %c, %out : memref<4xf32> to memref<4xf32>
  memref.copy %alloc, %out2 : memref<2x2xf32> to memref<2x2xf32>
  return
}

// A copy of a part of the allocation (a slice) is not a reshape: it
// stays.
// CHECK-LABEL: func.func @slice(
// CHECK: memref.alloc
// CHECK: memref.copy
func.func @slice(%out: memref<2xf32>) {
  %cst = arith.constant 1.0 : f32
  %alloc = memref.alloc() : memref<4xf32>
  linalg.fill ins(%cst : f32) outs(%alloc : memref<4xf32>)
  %s = memref.subview %alloc[0] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1]>>
  memref.copy %s, %out : memref<2xf32, strided<[1]>> to memref<2xf32>
  return
}

// An allocation copied as it is (returned through a cast that
// canonicalization removed after buffer-results-to-out-params): the
// argument takes its place.
// CHECK-LABEL: func.func @direct(
// CHECK-SAME: %[[OUT:.*]]: memref<1x8xf32>)
// CHECK-NOT: memref.alloc
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[OUT]] : memref<1x8xf32>)
// CHECK-NOT: memref.copy
func.func @direct(%out: memref<1x8xf32>) {
  %cst = arith.constant 1.0 : f32
  %alloc = memref.alloc() : memref<1x8xf32>
  linalg.fill ins(%cst : f32) outs(%alloc : memref<1x8xf32>)
  memref.copy %alloc, %out : memref<1x8xf32> to memref<1x8xf32>
  return
}
