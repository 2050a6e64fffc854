// RUN: onnx-opt %s -vectorize-reductions="lanes=8" -canonicalize -cse -split-input-file | FileCheck %s
// RUN: onnx-opt %s -vectorize-reductions="lanes=8 parallel=true min-parallel-work=64" -split-input-file | FileCheck %s --check-prefix=PAR
// RUN: onnx-opt %s -vectorize-reductions="lanes=8 masked-loads=true" -canonicalize -cse -split-input-file | FileCheck %s --check-prefix=MASKED

// A row sum of squares over [20, 32] -> [20]: one lane per row, 8 rows a
// vector; the three vectors (8, 8 and the 4 remaining rows) are reduced in
// one loop, three independent chains. Each lane reads its row in order (a
// gather of one element per row and column), the body runs on vectors,
// the accumulators stay in registers over the 32 columns. The output's
// rows are consecutive: one vector load and store.
// CHECK-LABEL: func.func @sum_of_squares
// CHECK-NOT: linalg.generic
// CHECK: %[[I0:.*]] = vector.load %arg1[%c0] : memref<20xf32>, vector<8xf32>
// CHECK: %[[I1:.*]] = vector.load %arg1[%c8] : memref<20xf32>, vector<8xf32>
// CHECK: %[[I2:.*]] = vector.load %arg1[%c16] : memref<20xf32>, vector<4xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %c32 step %c1 iter_args(%[[A0:.*]] = %[[I0]], %[[A1:.*]] = %[[I1]], %[[A2:.*]] = %[[I2]]) -> (vector<8xf32>, vector<8xf32>, vector<4xf32>)
// CHECK: memref.load %arg0[%c0, %[[K]]]
// CHECK-COUNT-7: memref.load %arg0
// CHECK: %[[X:.*]] = vector.from_elements {{.*}} : vector<8xf32>
// CHECK: %[[SQ:.*]] = arith.mulf %[[X]], %[[X]] : vector<8xf32>
// CHECK: %[[S0:.*]] = arith.addf %[[A0]], %[[SQ]] : vector<8xf32>
// CHECK: memref.load %arg0[%c8, %[[K]]]
// CHECK: %[[S1:.*]] = arith.addf %[[A1]], %{{.*}} : vector<8xf32>
// CHECK: memref.load %arg0[%c16, %[[K]]]
// CHECK: %[[S2:.*]] = arith.addf %[[A2]], %{{.*}} : vector<4xf32>
// CHECK: scf.yield %[[S0]], %[[S1]], %[[S2]]
// CHECK: vector.store %{{.*}}, %arg1[%c0] : memref<20xf32>, vector<8xf32>
// CHECK: vector.store %{{.*}}, %arg1[%c8] : memref<20xf32>, vector<8xf32>
// CHECK: vector.store %{{.*}}, %arg1[%c16] : memref<20xf32>, vector<4xf32>
// PAR-LABEL: func.func @sum_of_squares
// PAR: call @onnxc_parallel_for({{.*}}, %c3)
// PAR-LABEL: func.func private @sum_of_squares_reduction0
// PAR: scf.if
#in = affine_map<(i, k) -> (i, k)>
#out = affine_map<(i, k) -> (i)>
func.func @sum_of_squares(%x: memref<20x32xf32>, %y: memref<20xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<20x32xf32>) outs(%y : memref<20xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Softmax's max with a NaN check (cmpf + select keep their predicate), and
// an input that does not read the row dim is broadcast.
// CHECK-LABEL: func.func @row_max
// CHECK: vector.broadcast {{.*}} : f32 to vector<8xf32>
// CHECK: arith.cmpf ogt, {{.*}} : vector<8xf32>
// CHECK: arith.select {{.*}} : vector<8xi1>, vector<8xf32>
#in = affine_map<(i, k) -> (i, k)>
#col = affine_map<(i, k) -> (k)>
#out = affine_map<(i, k) -> (i)>
func.func @row_max(%x: memref<8x16xf32>, %w: memref<16xf32>, %y: memref<8xf32>) {
  linalg.generic {indexing_maps = [#in, #col, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x, %w : memref<8x16xf32>, memref<16xf32>) outs(%y : memref<8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %gt = arith.cmpf ogt, %p, %acc : f32
    %m = arith.select %gt, %p, %acc : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Left alone: fewer than 4 rows, and a body with an op that is not
// elementwise (linalg.index).
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-2: linalg.generic
#in = affine_map<(i, k) -> (i, k)>
#out = affine_map<(i, k) -> (i)>
func.func @left_alone(%x: memref<3x32xf32>, %y: memref<3xf32>, %z: memref<8x32xf32>, %w: memref<8xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<3x32xf32>) outs(%y : memref<3xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%z : memref<8x32xf32>) outs(%w : memref<8xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %k = linalg.index 1 : index
    %i = arith.index_cast %k : index to i64
    %f = arith.sitofp %i : i64 to f32
    %p = arith.mulf %a, %f : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A 3x3 stride-2 max pool: the window expressions (2 * ow + kw) are
// linear, so lanes gather every other element.
// Each step keeps `x > acc ? x : acc` (one vmaxps) and whether x was a
// number; a NaN replaces the result where one was not. The window's 3
// columns (2 * ow + kw) share one load of the 11 elements they cover: the
// even lanes, the odd ones, and the even ones moved on by one lane with
// the span's last element (a lane rotation).
// CHECK-LABEL: func.func @max_pool
// CHECK-NOT: linalg.generic
// CHECK: %[[NAN:.*]] = arith.constant dense<0x7FC00000> : vector<5xf32>
// CHECK: %[[TRUE:.*]] = arith.constant dense<true> : vector<5xi1>
// CHECK: scf.for %[[KH:.*]] = %c0 to %c3 step %c1 iter_args(%[[ACC:[a-z0-9_]+]] = %{{[a-z0-9_]+}}, %[[ORD:[a-z0-9_]+]] = %[[TRUE]], {{.*}}) -> (vector<5xf32>, vector<5xi1>, {{.*}})
// CHECK: %[[SPAN:.*]] = vector.load %arg0[%{{.*}}, %[[KH]], %c0] : memref<2x11x11xf32>, vector<11xf32>
// CHECK: %[[X:.*]] = vector.shuffle %[[SPAN]], %[[SPAN]] [0, 2, 4, 6, 8] : vector<11xf32>, vector<11xf32>
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[X]], %[[ACC]] : vector<5xf32>
// CHECK: %[[MAX:.*]] = arith.select %[[GT]], %[[X]], %[[ACC]] : vector<5xi1>, vector<5xf32>
// CHECK: %[[NUM:.*]] = arith.cmpf ord, %[[X]], %[[X]] : vector<5xf32>
// CHECK: %[[ALL:.*]] = arith.andi %[[ORD]], %[[NUM]] : vector<5xi1>
// CHECK: %[[ODD:.*]] = vector.shuffle %[[SPAN]], %[[SPAN]] [1, 3, 5, 7, 9] : vector<11xf32>, vector<11xf32>
// CHECK: arith.cmpf ogt, %[[ODD]], %[[MAX]] : vector<5xf32>
// CHECK: %[[NEXT:.*]] = vector.shuffle %[[X]], %[[SPAN]] [1, 2, 3, 4, 15] : vector<5xf32>, vector<11xf32>
// CHECK: arith.cmpf ogt, %[[NEXT]], %{{.*}} : vector<5xf32>
// CHECK: scf.yield
// CHECK: arith.select %{{.*}}, %{{.*}}, %[[NAN]] : vector<5xi1>, vector<5xf32>
// CHECK-NOT: arith.maximumf
#in = affine_map<(c, oh, ow, kh, kw) -> (c, oh * 2 + kh, ow * 2 + kw)>
#win = affine_map<(c, oh, ow, kh, kw) -> (kh, kw)>
#out = affine_map<(c, oh, ow, kh, kw) -> (c, oh, ow)>
func.func @max_pool(%x: memref<2x11x11xf32>, %w: memref<3x3xf32>, %y: memref<2x5x5xf32>) {
  linalg.generic {indexing_maps = [#in, #win, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<2x11x11xf32>, memref<3x3xf32>) outs(%y : memref<2x5x5xf32>) {
  ^bb0(%a: f32, %unused: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A 3-wide max pool with stride 2 along the rows' dim: lane l reads input
// column 2 * (ow + l) + k. The 3 columns share one load of the 17 elements
// they cover, each picks its lanes; the output's rows are consecutive.
// CHECK-LABEL: func.func @strided_pool
// CHECK: %[[OUT:.*]] = vector.load %arg2[%c0, %c0] : memref<2x8xf32>, vector<8xf32>
// CHECK: %[[SPAN:.*]] = vector.load %arg0[%c0, %c0] : memref<2x17xf32>, vector<17xf32>
// CHECK: %[[X:.*]] = vector.shuffle %[[SPAN]], %[[SPAN]] [0, 2, 4, 6, 8, 10, 12, 14] : vector<17xf32>, vector<17xf32>
// CHECK: arith.cmpf ogt, %[[X]], %[[OUT]] : vector<8xf32>
// CHECK: vector.shuffle %[[SPAN]], %[[SPAN]] [1, 3, 5, 7, 9, 11, 13, 15] : vector<17xf32>, vector<17xf32>
// CHECK: vector.shuffle %[[X]], %[[SPAN]] [1, 2, 3, 4, 5, 6, 7, 24] : vector<8xf32>, vector<17xf32>
// CHECK: vector.load %arg0[%c1, %c0] : memref<2x17xf32>, vector<17xf32>
// CHECK: vector.store %{{.*}}, %arg2[%c0, %c0] : memref<2x8xf32>, vector<8xf32>
// CHECK: vector.store %{{.*}}, %arg2[%c1, %c0] : memref<2x8xf32>, vector<8xf32>
// With masked loads (AVX2, AVX-512), the 17-element span is one masked
// load of 32, not loads of 16 and 1 elements.
// MASKED-LABEL: func.func @strided_pool
// MASKED: %[[MASK:.*]] = vector.constant_mask [17] : vector<32xi1>
// MASKED: %[[WIDE:.*]] = vector.maskedload %arg0[%c0, %c0], %[[MASK]], %{{.*}} : memref<2x17xf32>, vector<32xi1>, vector<32xf32> into vector<32xf32>
// MASKED: %[[SPAN:.*]] = vector.extract_strided_slice %[[WIDE]] {offsets = [0], sizes = [17], strides = [1]} : vector<32xf32> to vector<17xf32>
// MASKED: vector.shuffle %[[SPAN]], %[[SPAN]] [0, 2, 4, 6, 8, 10, 12, 14] : vector<17xf32>, vector<17xf32>
#win = affine_map<(c, ow, k) -> (c, ow * 2 + k)>
#kernel = affine_map<(c, ow, k) -> (k)>
#pool = affine_map<(c, ow, k) -> (c, ow)>
func.func @strided_pool(%x: memref<2x17xf32>, %w: memref<3xf32>, %y: memref<2x8xf32>) {
  linalg.generic {indexing_maps = [#win, #kernel, #pool], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<2x17xf32>, memref<3xf32>) outs(%y : memref<2x8xf32>) {
  ^bb0(%a: f32, %unused: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Rows of one vector (4 columns) each: the 4 consecutive output rows of
// the innermost outer dim share a loop nest, four independent chains (a
// compare and select a step would otherwise wait on the one before); the
// last 2 of the 10 rows share the tail.
// CHECK-LABEL: func.func @short_rows
// CHECK: scf.for %[[H:.*]] = %c0 to %c8 step %c4
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<4xf32>, vector<4xi1>, vector<4xf32>, vector<4xi1>, vector<4xf32>, vector<4xi1>, vector<4xf32>, vector<4xi1>)
// CHECK-COUNT-4: arith.cmpf ogt, {{.*}} : vector<4xf32>
// CHECK: scf.yield
// CHECK-COUNT-4: vector.store
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<4xf32>, vector<4xi1>, vector<4xf32>, vector<4xi1>)
// CHECK-COUNT-2: vector.store
// CHECK: return
#win = affine_map<(oh, ow, kh, kw) -> (oh + kh, ow + kw)>
#kernel = affine_map<(oh, ow, kh, kw) -> (kh, kw)>
#pool = affine_map<(oh, ow, kh, kw) -> (oh, ow)>
func.func @short_rows(%x: memref<12x6xf32>, %w: memref<3x3xf32>, %y: memref<10x4xf32>) {
  linalg.generic {indexing_maps = [#win, #kernel, #pool], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<12x6xf32>, memref<3x3xf32>) outs(%y : memref<10x4xf32>) {
  ^bb0(%a: f32, %unused: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// The max pool's output is filled with -inf right before: the accumulators
// start from -inf instead, and the fill goes (one pass over the output
// less).
// CHECK-LABEL: func.func @pool_after_fill
// CHECK-NOT: linalg.fill
// CHECK: %[[NEGINF:.*]] = arith.constant dense<0xFF800000> : vector<8xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[NEGINF]], %{{.*}} = %{{.*}}, %{{.*}} = %[[NEGINF]], %{{.*}} = %{{.*}}) -> (vector<8xf32>, vector<8xi1>, vector<8xf32>, vector<8xi1>)
// CHECK: arith.cmpf ogt
// CHECK-COUNT-2: vector.store
#win = affine_map<(c, ow, k) -> (c, ow + k)>
#kernel = affine_map<(c, ow, k) -> (k)>
#pool = affine_map<(c, ow, k) -> (c, ow)>
func.func @pool_after_fill(%x: memref<2x10xf32>, %w: memref<3xf32>, %y: memref<2x8xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%y : memref<2x8xf32>)
  linalg.generic {indexing_maps = [#win, #kernel, #pool], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<2x10xf32>, memref<3xf32>) outs(%y : memref<2x8xf32>) {
  ^bb0(%a: f32, %unused: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  }
  return
}
