// RUN: onnx-opt %s -vectorize-contractions="lanes=8 rows=6" -canonicalize -cse -split-input-file | FileCheck %s

// A 1x1 convolution reads its 5x5 input image and writes its 5x5 output
// image as one line of 25 pixels each: the image's rows fold into one dim
// of 25 columns (3 full vectors and one element), instead of 5 columns a
// row (one vector 5/8 filled).
// CHECK-LABEL: func.func @conv1x1_columns
// CHECK-DAG: %[[X:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : memref<1x8x5x5xf32> into memref<1x8x25xf32>
// CHECK-DAG: %[[Y:.*]] = memref.collapse_shape %arg2 {{\[}}[0], [1], [2, 3]] : memref<1x16x5x5xf32> into memref<1x16x25xf32>
// CHECK: scf.for %[[F:.*]] = %c0 to %c16 step %c2 {
// CHECK: scf.for %[[C:.*]] = %c0 to %c8 step %c1 iter_args(
// CHECK-NEXT: vector.load %[[X]][%c0, %[[C]], %c0] : memref<1x8x25xf32>, vector<8xf32>
// CHECK-NEXT: vector.load %[[X]][%c0, %[[C]], %c8] : memref<1x8x25xf32>, vector<8xf32>
// CHECK-NEXT: vector.load %[[X]][%c0, %[[C]], %c16] : memref<1x8x25xf32>, vector<8xf32>
// CHECK-NEXT: vector.load %[[X]][%c0, %[[C]], %c24] : memref<1x8x25xf32>, vector<1xf32>
// CHECK: vector.store %{{.*}}, %[[Y]][%c0, %[[F]], %c0] : memref<1x16x25xf32>, vector<8xf32>
#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>
#out = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
func.func @conv1x1_columns(%x: memref<1x8x5x5xf32>, %w: memref<8x1x1x16xf32>, %y: memref<1x16x5x5xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x8x5x5xf32>, memref<8x1x1x16xf32>) outs(%y : memref<1x16x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// 32 output channels along the vectors (the 3-pixel rows would fill 3/8 of
// a vector): the 3x3 image folds into 9 rows, one tile of 9 accumulators,
// where 3 rows a tile could not hide the FMA latency.
// CHECK-LABEL: func.func @conv1x1_rows
// CHECK-DAG: %[[X:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : memref<1x8x3x3xf32> into memref<1x8x9xf32>
// CHECK-DAG: %[[Y:.*]] = memref.collapse_shape %arg2 {{\[}}[0], [1], [2, 3]] : memref<1x32x3x3xf32> into memref<1x32x9xf32>
// CHECK: scf.for %[[F:.*]] = %c0 to %c32 step %c8 {
// CHECK: scf.for %[[C:.*]] = %c0 to %c8 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: memref.load %[[X]][%c0, %[[C]], %c0] : memref<1x8x9xf32>
// CHECK-COUNT-8: memref.load %[[X]][%c0, %[[C]], %c{{[1-8]}}] : memref<1x8x9xf32>
// CHECK: scf.yield
// CHECK: memref.store %{{.*}}, %[[Y]][%c0, %[[F]], %c8] : memref<1x32x9xf32>
#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>
#out = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
func.func @conv1x1_rows(%x: memref<1x8x3x3xf32>, %w: memref<8x1x1x32xf32>, %y: memref<1x32x3x3xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x8x3x3xf32>, memref<8x1x1x32xf32>) outs(%y : memref<1x32x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A 3x3 kernel reads input rows oh + kh: the image's rows are not one line
// of the input, and nothing folds.
// CHECK-LABEL: func.func @conv3x3
// CHECK-NOT: memref.collapse_shape
// CHECK: return
#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>
#out = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
func.func @conv3x3(%x: memref<1x8x5x5xf32>, %w: memref<8x3x3x32xf32>, %y: memref<1x32x3x3xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x8x5x5xf32>, memref<8x3x3x32xf32>) outs(%y : memref<1x32x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The output is the interior of a padded buffer (rows 5 apart, 3 wide): its
// rows are not one line of memory, and nothing folds.
// CHECK-LABEL: func.func @strided_output
// CHECK-NOT: memref.collapse_shape
// CHECK: return
#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>
#out = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
func.func @strided_output(%x: memref<1x8x3x3xf32>, %w: memref<8x1x1x32xf32>, %padded: memref<1x32x5x5xf32>) {
  %y = memref.subview %padded[0, 0, 1, 1] [1, 32, 3, 3] [1, 1, 1, 1] : memref<1x32x5x5xf32> to memref<1x32x3x3xf32, strided<[800, 25, 5, 1], offset: 6>>
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x8x3x3xf32>, memref<8x1x1x32xf32>) outs(%y : memref<1x32x3x3xf32, strided<[800, 25, 5, 1], offset: 6>>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
