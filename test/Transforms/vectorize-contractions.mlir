// RUN: onnx-opt %s -vectorize-contractions="lanes=8 rows=6" -canonicalize -cse -split-input-file | FileCheck %s
// RUN: onnx-opt %s -vectorize-contractions="lanes=8 rows=6 fused=false" -split-input-file | FileCheck %s --check-prefix=UNFUSED

// Without FMA instructions (fused=false), the multiply-adds are vector.fma,
// which the backend may split into a multiply and an add.
// UNFUSED-LABEL: func.func @matmul
// UNFUSED-NOT: math.fma
// UNFUSED: vector.fma {{.*}} : vector<8xf32>

// C[m, n] += A[m, k] * B[k, n], M = 8, N = 40, K = 4, at most 12 rows a
// tile: the 40 columns are a tile of 3 vectors and, for the 16 columns
// past it, a narrower tile of 2 (not two tiles of 3 vectors, one of them
// partly empty), 4 rows each (12 accumulators hide the FMA latency).
// Each tile loads its accumulators once, runs the K loop on them in
// registers (its B vectors, one broadcast A element per row) and stores
// them.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[M0:.*]] = %c0 to %c8 step %c4 {
// CHECK-NEXT: vector.load %arg2[%[[M0]], %c0] : memref<8x40xf32>, vector<8xf32>
// CHECK-COUNT-11: vector.load %arg2[{{.*}}] : memref<8x40xf32>, vector<8xf32>
// CHECK: %{{.*}}:12 = scf.for %[[K:.*]] = %c0 to %c4 step %c1 iter_args(
// CHECK-NEXT: %[[B0:.*]] = vector.load %arg1[%[[K]], %c0] : memref<4x40xf32>, vector<8xf32>
// CHECK-NEXT: %[[B1:.*]] = vector.load %arg1[%[[K]], %c8] : memref<4x40xf32>, vector<8xf32>
// CHECK-NEXT: %[[B2:.*]] = vector.load %arg1[%[[K]], %c16] : memref<4x40xf32>, vector<8xf32>
// CHECK-NEXT: %[[A0:.*]] = memref.load %arg0[%[[M0]], %[[K]]]
// CHECK-NEXT: %[[S0:.*]] = vector.broadcast %[[A0]] : f32 to vector<8xf32>
// CHECK-NEXT: math.fma %[[S0]], %[[B0]], %{{.*}} : vector<8xf32>
// CHECK-NEXT: math.fma %[[S0]], %[[B1]], %{{.*}} : vector<8xf32>
// CHECK-NEXT: math.fma %[[S0]], %[[B2]], %{{.*}} : vector<8xf32>
// CHECK: scf.yield
// CHECK-COUNT-12: vector.store %{{.*}}, %arg2[{{.*}}] : memref<8x40xf32>, vector<8xf32>
// CHECK: %{{.*}}:8 = scf.for %[[K2:.*]] = %c0 to %c4 step %c1 iter_args(
// CHECK-NEXT: vector.load %arg1[%[[K2]], %c24] : memref<4x40xf32>, vector<8xf32>
// CHECK-NEXT: vector.load %arg1[%[[K2]], %c32] : memref<4x40xf32>, vector<8xf32>
// CHECK: scf.yield
// CHECK-COUNT-8: vector.store %{{.*}}, %arg2[{{.*}}] : memref<8x40xf32>, vector<8xf32>
// CHECK-NOT: scf.for
// CHECK: return
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @matmul(%a: memref<8x4xf32>, %b: memref<4x40xf32>, %c: memref<8x40xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x4xf32>, memref<4x40xf32>) outs(%c : memref<8x40xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A stride-2 convolution, NCHW, one output row of 5 columns: the input is
// B (it reads the output column ow along its innermost dim, 2 * ow + kw);
// the weight is A; M is the output channel, which the input does not read.
// Each B vector loads the covering span of 9 and keeps every other lane.
// CHECK-LABEL: func.func @strided_conv
// CHECK: scf.for {{.*}} = %c0 to %c2 step %c1 iter_args({{.*}}) -> (vector<5xf32>, vector<5xf32>, vector<5xf32>)
// CHECK: scf.for {{.*}} = %c0 to %c3 step %c1 iter_args(
// CHECK: %[[SPAN:.*]] = vector.load %arg0{{.*}} : memref<1x2x1x11xf32>, vector<9xf32>
// CHECK: vector.shuffle %[[SPAN]], %[[SPAN]] [0, 2, 4, 6, 8] : vector<9xf32>, vector<9xf32>
// CHECK-COUNT-3: math.fma {{.*}} : vector<5xf32>
#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>
#out = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
func.func @strided_conv(%x: memref<1x2x1x11xf32>, %w: memref<3x2x1x3xf32>, %y: memref<1x3x1x5xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x2x1x11xf32>, memref<3x2x1x3xf32>) outs(%y : memref<1x3x1x5xf32>) {
  ^bb0(%i: f32, %k: f32, %acc: f32):
    %p = arith.mulf %i, %k : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Left to the scalar loops: B reads N along its outer dim (B[n, k]), and
// a product with only 3 columns.
// A convolution whose weight is stored output-channel innermost
// ([c, kh, kw, f]), with 5-wide output rows, 16 output channels and 48
// reduction steps: N is the output channel (16 columns fill two 8-lane
// vectors; 5 would fill 5 of 8), M the output column: one tile of 5 rows
// by 2 vectors. C is not
// contiguous along N: each tile
// gathers its accumulators once and scatters them once.
// CHECK-LABEL: func.func @channels_last_weight
// CHECK-COUNT-8: memref.load %arg2[%c0, %{{.*}}, %c0, %c0] : memref<1x16x1x5xf32>
// CHECK-NEXT: vector.from_elements {{.*}} : vector<8xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: vector.load %arg1[{{.*}}] : memref<16x1x3x16xf32>, vector<8xf32>
// CHECK: memref.load %arg0[{{.*}}] : memref<1x16x1x7xf32>
// CHECK: vector.extract {{.*}}[0] : f32 from vector<8xf32>
// CHECK: memref.store {{.*}}, %arg2
#xin = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#wcl = affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>
#yout = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
func.func @channels_last_weight(%x: memref<1x16x1x7xf32>, %w: memref<16x1x3x16xf32>, %y: memref<1x16x1x5xf32>) {
  linalg.generic {indexing_maps = [#xin, #wcl, #yout], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x16x1x7xf32>, memref<16x1x3x16xf32>) outs(%y : memref<1x16x1x5xf32>) {
  ^bb0(%i: f32, %k: f32, %acc: f32):
    %p = arith.mulf %i, %k : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// CHECK-LABEL: func.func @not_contiguous
// CHECK: linalg.generic
// CHECK-NOT: math.fma
// CHECK-LABEL: func.func @narrow
// CHECK: linalg.generic
// CHECK-NOT: math.fma
#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @not_contiguous(%a: memref<8x4xf32>, %b: memref<32x4xf32>, %c: memref<8x32xf32>) {
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x4xf32>, memref<32x4xf32>) outs(%c : memref<8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
func.func @narrow(%a: memref<8x4xf32>, %b: memref<4x3xf32>, %c: memref<8x3xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x4xf32>, memref<4x3xf32>) outs(%c : memref<8x3xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// N = 8 fills one vector per row: a tile takes twice the rows (12, with
// rows=6), the same number of accumulators as 6 rows of two vectors.
// CHECK-LABEL: func.func @one_vector_wide
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-NOT: scf.for
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @one_vector_wide(%a: memref<12x16xf32>, %b: memref<16x8xf32>, %c: memref<12x8xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<12x16xf32>, memref<16x8xf32>) outs(%c : memref<12x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// 25 rows, at most 12 a tile: three balanced tiles, one of 9 rows and two
// of 8 (not 9, 9 and 7, nor 12, 12 and a single row).
// CHECK-LABEL: func.func @balanced_rows
// CHECK: %{{.*}}:9 = scf.for {{.*}} iter_args(
// CHECK: scf.for %[[R:.*]] = %c9 to %c25 step %c8 {
// CHECK: %{{.*}}:8 = scf.for {{.*}} iter_args(
// CHECK-NOT: scf.for {{.*}} iter_args
// CHECK: return
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @balanced_rows(%a: memref<25x2xf32>, %b: memref<2x8xf32>, %c: memref<25x8xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<25x2xf32>, memref<2x8xf32>) outs(%c : memref<25x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
