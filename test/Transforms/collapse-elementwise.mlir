// RUN: onnx-opt %s -collapse-elementwise -split-input-file | FileCheck %s

// A residual add on dense 1x160x7x7 buffers: one loop over 7840
// contiguous elements.
// CHECK-LABEL: func.func @add
// CHECK-DAG: %[[A:.*]] = memref.collapse_shape %arg0 {{\[}}[0, 1, 2, 3]] : memref<1x160x7x7xf32> into memref<7840xf32>
// CHECK-DAG: %[[B:.*]] = memref.collapse_shape %arg1 {{\[}}[0, 1, 2, 3]] : memref<1x160x7x7xf32> into memref<7840xf32>
// CHECK-DAG: %[[C:.*]] = memref.collapse_shape %arg2 {{\[}}[0, 1, 2, 3]] : memref<1x160x7x7xf32> into memref<7840xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[A]], %[[B]] : memref<7840xf32>, memref<7840xf32>) outs(%[[C]] : memref<7840xf32>)
// CHECK: arith.addf
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @add(%a: memref<1x160x7x7xf32>, %b: memref<1x160x7x7xf32>, %c: memref<1x160x7x7xf32>) {
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a, %b : memref<1x160x7x7xf32>, memref<1x160x7x7xf32>) outs(%c : memref<1x160x7x7xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The output is a pad's interior (rows 9 apart, 7 wide): its rows are not
// one line, and nothing collapses.
// CHECK-LABEL: func.func @strided_out
// CHECK-NOT: memref.collapse_shape
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @strided_out(%a: memref<1x4x7x7xf32>, %c: memref<1x4x7x7xf32, strided<[324, 81, 9, 1], offset: 10>>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a : memref<1x4x7x7xf32>) outs(%c : memref<1x4x7x7xf32, strided<[324, 81, 9, 1], offset: 10>>) {
  ^bb0(%x: f32, %z: f32):
    %m = arith.maximumf %x, %x : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A transpose (not the identity) is left alone.
// CHECK-LABEL: func.func @transpose
// CHECK-NOT: memref.collapse_shape
#in = affine_map<(d0, d1) -> (d1, d0)>
#out = affine_map<(d0, d1) -> (d0, d1)>
func.func @transpose(%a: memref<8x4xf32>, %c: memref<4x8xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<8x4xf32>) outs(%c : memref<4x8xf32>) {
  ^bb0(%x: f32, %z: f32):
    linalg.yield %x : f32
  }
  return
}
