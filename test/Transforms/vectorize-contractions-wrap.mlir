// RUN: onnx-opt %s -vectorize-contractions="lanes=8 rows=6 masked-loads=true" -canonicalize -cse -split-input-file | FileCheck %s
// RUN: onnx-opt %s -vectorize-contractions="lanes=8 rows=6" -canonicalize -cse -split-input-file | FileCheck %s --check-prefix=PLAIN

// A 3x3 convolution of a padded 14x14 image: its 12-column output rows
// would fill 1.5 vectors each (75% of the lanes). Wrapped along the
// input's 14-element rows, the 12 rows are one line of 11 * 14 + 12 = 166
// columns, of which each row's last 2 (under the padding) are computed and
// not stored (86% useful). The input and the output are each viewed as one
// line per channel; every result vector goes to C by two masked stores:
// the lanes up to the end of its row's 12 columns, and the lanes of the
// next row, at the next row's start less the lanes before it.
// CHECK-LABEL: func.func @conv3x3_wrapped
// CHECK-DAG: %[[X:.*]] = memref.reinterpret_cast %arg0 to offset: [0], sizes: [1, 4, 196], strides: [784, 196, 1]
// CHECK-DAG: %[[Y:.*]] = memref.reinterpret_cast %arg2 to offset: [0], sizes: [1, 8, 144], strides: [1152, 144, 1]
// CHECK: scf.for %[[F:.*]] = %c0 to %c8 step %c4 {
// CHECK: scf.for %[[P:.*]] = %c0 to %c144 step %c24 {
// CHECK: scf.for %[[C:.*]] = %c0 to %c4 step %c1
// CHECK: scf.for %[[KH:.*]] = %c0 to %c3 step %c1
// CHECK: scf.for %[[KW:.*]] = %c0 to %c3 step %c1
// CHECK: %[[ROW:.*]] = arith.muli %[[KH]], %c14 : index
// CHECK: %[[AT:.*]] = arith.addi %[[P]], %[[ROW]] : index
// CHECK: %[[AT2:.*]] = arith.addi %[[AT]], %[[KW]] : index
// CHECK: vector.load %[[X]][%c0, %[[C]], %[[AT2]]] : memref<1x4x196xf32, strided<[784, 196, 1]>>, vector<8xf32>
// CHECK: %[[R:.*]] = arith.divui %[[P]], %c14 : index
// CHECK: %[[COL:.*]] = arith.remui %[[P]], %c14 : index
// CHECK: %[[START:.*]] = arith.muli %[[R]], %c12 : index
// CHECK: %[[LEFT:.*]] = arith.subi %c12, %[[COL]] : index
// CHECK: %[[FIRST:.*]] = vector.create_mask %[[LEFT]] : vector<8xi1>
// CHECK: %[[HERE:.*]] = arith.addi %[[START]], %[[COL]] : index
// CHECK: %[[HERE_LOW:.*]] = arith.maxsi %[[HERE]], %c0 : index
// CHECK: %[[HERE_CLAMPED:.*]] = arith.minsi %[[HERE_LOW]], %c143 : index
// CHECK: vector.maskedstore %[[Y]][%c0, %[[F]], %[[HERE_CLAMPED]]], %[[FIRST]], %{{.*}}#0
// CHECK: %[[NEXT:.*]] = arith.subi %c14, %[[COL]] : index
// CHECK: %[[END:.*]] = arith.subi %c26, %[[COL]] : index
// CHECK: %[[BELOW_END:.*]] = vector.create_mask %[[END]] : vector<8xi1>
// CHECK: %[[BEFORE:.*]] = vector.create_mask %[[NEXT]] : vector<8xi1>
// CHECK: %[[FROM:.*]] = arith.xori %[[BEFORE]], %{{.*}} : vector<8xi1>
// CHECK: %[[SECOND:.*]] = arith.andi %[[BELOW_END]], %[[FROM]] : vector<8xi1>
// CHECK: %[[NEXTROW:.*]] = arith.addi %[[START]], %c12 : index
// CHECK: %[[SHIFTED:.*]] = arith.subi %[[NEXTROW]], %[[NEXT]] : index
// CHECK: %[[LOW:.*]] = arith.maxsi %[[SHIFTED]], %c0 : index
// CHECK: %[[CLAMPED:.*]] = arith.minsi %[[LOW]], %c143 : index
// CHECK: vector.maskedstore %[[Y]][%c0, %[[F]], %[[CLAMPED]]], %[[SECOND]], %{{.*}}#0
// The last 22 columns of the line: 2 vectors and 6 lanes, a masked load.
// CHECK: vector.maskedload %[[X]][%c0, %{{.*}}, %{{.*}}], %{{.*}}, %{{.*}} : memref<1x4x196xf32, strided<[784, 196, 1]>>, vector<8xi1>, vector<8xf32> into vector<8xf32>
// CHECK: vector.extract_strided_slice %{{.*}} {offsets = [0], sizes = [6], strides = [1]} : vector<8xf32> to vector<6xf32>
// Without masked moves (NEON, where LLVM scalarizes them), rows stay rows.
// PLAIN-LABEL: func.func @conv3x3_wrapped
// PLAIN-NOT: memref.reinterpret_cast
// PLAIN-NOT: vector.maskedstore
// PLAIN: return
#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>
#out = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
func.func @conv3x3_wrapped(%x: memref<1x4x14x14xf32>, %w: memref<4x3x3x8xf32>, %y: memref<1x8x12x12xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<1x8x12x12xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x4x14x14xf32>, memref<4x3x3x8xf32>) outs(%y : memref<1x8x12x12xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A 1x1 convolution from a pad's interior (rows 14 apart) into another
// pad's interior: neither image folds into one dim, but both are lines
// along their rows, with nothing computed twice.
// CHECK-LABEL: func.func @conv1x1_interiors
// CHECK-DAG: memref.reinterpret_cast %{{.*}} to offset: [15], sizes: [1, 4, 166], strides: [784, 196, 1]
// CHECK-DAG: memref.reinterpret_cast %{{.*}} to offset: [15], sizes: [1, 8, 166], strides: [1568, 196, 1]
// CHECK: arith.divui %{{.*}}, %c14 : index
// CHECK: vector.maskedstore
// CHECK: vector.maskedstore
#in = affine_map<(n, f, oh, ow, c) -> (n, c, oh, ow)>
#w = affine_map<(n, f, oh, ow, c) -> (c, f)>
#out = affine_map<(n, f, oh, ow, c) -> (n, f, oh, ow)>
func.func @conv1x1_interiors(%xp: memref<1x4x14x14xf32>, %w: memref<4x8xf32>, %yp: memref<1x8x14x14xf32>) {
  %x = memref.subview %xp[0, 0, 1, 1] [1, 4, 12, 12] [1, 1, 1, 1] : memref<1x4x14x14xf32> to memref<1x4x12x12xf32, strided<[784, 196, 14, 1], offset: 15>>
  %y = memref.subview %yp[0, 0, 1, 1] [1, 8, 12, 12] [1, 1, 1, 1] : memref<1x8x14x14xf32> to memref<1x8x12x12xf32, strided<[1568, 196, 14, 1], offset: 15>>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<1x8x12x12xf32, strided<[1568, 196, 14, 1], offset: 15>>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<1x4x12x12xf32, strided<[784, 196, 14, 1], offset: 15>>, memref<4x8xf32>) outs(%y : memref<1x8x12x12xf32, strided<[1568, 196, 14, 1], offset: 15>>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Rows of 5 (a 5x5 output of a 1x1 convolution into a pad's interior,
// rows 7 apart) are shorter than a vector: the vector of columns 8 to 15
// covers rows 1 (columns 3 and 4), 2 and 3 (column 0), three masked
// stores, each from where its lane 0 would be in that row. The tile's
// positions are constants here, and so are the masks.
// CHECK-LABEL: func.func @short_rows
// CHECK-DAG: %[[Y:.*]] = memref.reinterpret_cast %{{.*}} to offset: [8], sizes: [1, 8, 33], strides: [392, 49, 1]
// CHECK: %[[ROW1:.*]] = vector.constant_mask [2] : vector<8xi1>
// CHECK: vector.maskedstore %[[Y]][%c0, %{{.*}}, %c10], %[[ROW1]], %[[V:.*]]#1
// CHECK: %[[SEVEN:.*]] = vector.constant_mask [7] : vector<8xi1>
// CHECK: %[[FROM2:.*]] = arith.xori %[[ROW1]], %{{.*}} : vector<8xi1>
// CHECK: %[[ROW2:.*]] = arith.andi %[[SEVEN]], %[[FROM2]] : vector<8xi1>
// CHECK: vector.maskedstore %[[Y]][%c0, %{{.*}}, %c12], %[[ROW2]], %[[V]]#1
// CHECK: %[[ROW3:.*]] = arith.xori %[[SEVEN]], %{{.*}} : vector<8xi1>
// CHECK: vector.maskedstore %[[Y]][%c0, %{{.*}}, %c14], %[[ROW3]], %[[V]]#1
#in = affine_map<(n, f, oh, ow, c) -> (n, c, oh, ow)>
#w = affine_map<(n, f, oh, ow, c) -> (c, f)>
#out = affine_map<(n, f, oh, ow, c) -> (n, f, oh, ow)>
func.func @short_rows(%x: memref<1x4x5x5xf32>, %w: memref<4x8xf32>, %yp: memref<1x8x7x7xf32>) {
  %y = memref.subview %yp[0, 0, 1, 1] [1, 8, 5, 5] [1, 1, 1, 1] : memref<1x8x7x7xf32> to memref<1x8x5x5xf32, strided<[392, 49, 7, 1], offset: 8>>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<1x8x5x5xf32, strided<[392, 49, 7, 1], offset: 8>>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<1x4x5x5xf32>, memref<4x8xf32>) outs(%y : memref<1x8x5x5xf32, strided<[392, 49, 7, 1], offset: 8>>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A 7-column output of 9-wide padded rows, contiguous: the second row of
// the first vector would start 2 elements before C, so the rows stay rows.
// CHECK-LABEL: func.func @row_before_c
// CHECK-NOT: vector.maskedstore %{{.*}} : memref<1x8x49xf32
// CHECK: return
#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>
#out = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
func.func @row_before_c(%x: memref<1x4x9x9xf32>, %w: memref<4x3x3x8xf32>, %y: memref<1x8x7x7xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<1x8x7x7xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x4x9x9xf32>, memref<4x3x3x8xf32>) outs(%y : memref<1x8x7x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// C's elements are read (no prologue sets the accumulators): results of
// the columns under the padding would need C's elements there too, so
// the rows stay rows.
// CHECK-LABEL: func.func @accumulates_into_c
// CHECK-NOT: memref.reinterpret_cast
// CHECK-NOT: vector.maskedstore %{{.*}}, %{{.*}}, %{{.*}} : memref<1x8x144xf32
// CHECK: return
#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>
#out = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
func.func @accumulates_into_c(%x: memref<1x4x14x14xf32>, %w: memref<4x3x3x8xf32>, %y: memref<1x8x12x12xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x4x14x14xf32>, memref<4x3x3x8xf32>) outs(%y : memref<1x8x12x12xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// 16 output channels fill two vectors, and 12-column rows 1.5: unwrapped,
// the channels go along the vectors (rows of 12 points, C's elements
// stored one by one). Wrapped into one line of 11 * 14 + 12 columns, the
// image's rows along the vectors rate better, and the kernel takes that
// orientation: C stored by vectors.
// CHECK-LABEL: func.func @conv_orientation
// CHECK-DAG: %[[X:.*]] = memref.reinterpret_cast %arg0 to offset: [0], sizes: [1, 8, 196], strides: [1568, 196, 1]
// CHECK-DAG: %[[Y:.*]] = memref.reinterpret_cast %arg2 to offset: [0], sizes: [1, 16, 144], strides: [2304, 144, 1]
// CHECK: vector.load %[[X]]
// CHECK: vector.maskedstore %[[Y]]
// CHECK-NOT: memref.store
// PLAIN-LABEL: func.func @conv_orientation
// PLAIN: memref.store %{{.*}}, %arg2[%c0, %c0, %{{.*}}, %{{.*}}] : memref<1x16x12x12xf32>
// PLAIN: memref.store %{{.*}}, %arg2[%c0, %c1, %{{.*}}, %{{.*}}] : memref<1x16x12x12xf32>
#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>
#out = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
func.func @conv_orientation(%x: memref<1x8x14x14xf32>, %w: memref<8x3x3x16xf32>, %y: memref<1x16x12x12xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<1x16x12x12xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x8x14x14xf32>, memref<8x3x3x16xf32>) outs(%y : memref<1x16x12x12xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// @conv_orientation with a residual add and a ReLU after it, reading and
// writing pads' interiors (rows 14 apart). Along the channels, the
// residual would be read by element, and the add would stay a loop of its
// own; in the wrapped orientation the kernel takes it: the residual is
// read the way the results are stored, one masked load for each row a
// vector covers (merged into one vector), from its own line view.
// CHECK-LABEL: func.func @conv_orientation_residual
// CHECK-DAG: %[[X:.*]] = memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [1, 8, 196], strides: [1568, 196, 1]
// CHECK-DAG: memref.reinterpret_cast %{{.*}} to offset: [15], sizes: [1, 16, 166], strides: [3136, 196, 1]
// CHECK-DAG: memref.reinterpret_cast %{{.*}} to offset: [15], sizes: [1, 16, 166], strides: [3136, 196, 1]
// CHECK: vector.load %[[X]]
// CHECK: %[[ROW0:.*]] = vector.maskedload %[[R:[a-z_0-9]+]][%c0, %{{.*}}, %[[AT0:.*]]], %[[MASK0:.*]], %{{.*}} : memref<1x16x166xf32
// CHECK: %[[BOTH:.*]] = vector.maskedload %[[R]][%c0, %{{.*}}, %[[AT1:.*]]], %[[MASK1:.*]], %[[ROW0]] : memref<1x16x166xf32
// CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %[[BOTH]] : vector<8xf32>
// CHECK: %[[RELU:.*]] = arith.maximumf %[[SUM]], %{{.*}} : vector<8xf32>
// CHECK: vector.maskedstore %[[Z:[a-z_0-9]+]][%c0, %{{.*}}, %[[AT0]]], %[[MASK0]], %[[RELU]] : memref<1x16x166xf32
// CHECK: vector.maskedstore %[[Z]][%c0, %{{.*}}, %[[AT1]]], %[[MASK1]], %[[RELU]] : memref<1x16x166xf32
// CHECK-NOT: memref.store
// CHECK-NOT: linalg.generic
// CHECK: return
#in = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>
#w = affine_map<(n, f, oh, ow, c, kh, kw) -> (c, kh, kw, f)>
#out = affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>
#id = affine_map<(n, f, h, w) -> (n, f, h, w)>
func.func @conv_orientation_residual(%ws: memref<40576xi8>, %w: memref<8x3x3x16xf32>) {
  %c0 = arith.constant 0 : index
  %c6272 = arith.constant 6272 : index
  %c18816 = arith.constant 18816 : index
  %x = memref.view %ws[%c0][] : memref<40576xi8> to memref<1x8x14x14xf32>
  %rp = memref.view %ws[%c6272][] : memref<40576xi8> to memref<1x16x14x14xf32>
  %zp = memref.view %ws[%c18816][] : memref<40576xi8> to memref<1x16x14x14xf32>
  %r = memref.subview %rp[0, 0, 1, 1] [1, 16, 12, 12] [1, 1, 1, 1] : memref<1x16x14x14xf32> to memref<1x16x12x12xf32, strided<[3136, 196, 14, 1], offset: 15>>
  %z = memref.subview %zp[0, 0, 1, 1] [1, 16, 12, 12] [1, 1, 1, 1] : memref<1x16x14x14xf32> to memref<1x16x12x12xf32, strided<[3136, 196, 14, 1], offset: 15>>
  %c31360 = arith.constant 31360 : index
  %y = memref.view %ws[%c31360][] : memref<40576xi8> to memref<1x16x12x12xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<1x16x12x12xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x8x14x14xf32>, memref<8x3x3x16xf32>) outs(%y : memref<1x16x12x12xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y, %r : memref<1x16x12x12xf32>, memref<1x16x12x12xf32, strided<[3136, 196, 14, 1], offset: 15>>) outs(%z : memref<1x16x12x12xf32, strided<[3136, 196, 14, 1], offset: 15>>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  }
  return
}
