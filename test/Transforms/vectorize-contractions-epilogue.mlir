// RUN: onnx-opt %s -vectorize-contractions="lanes=8 rows=4" -split-input-file | FileCheck %s

// A matmul into scratch memory C, then ReLU6 of C into the output D: the
// kernel applies the ReLU6 to its accumulators and stores them into D
// (viewed with C's shape); the ReLU6 loop is gone. Its constants are made
// again next to the kernel.
// CHECK-LABEL: func.func @relu6(
// CHECK-SAME: %[[D:[a-z0-9]+]]: memref<4x16xf32>, %[[WS:[a-z0-9]+]]: memref<256xi8>)
// CHECK: %[[C:.*]] = memref.view %[[WS]]
// CHECK: %[[TARGET:.*]] = memref.reinterpret_cast %[[D]] to offset: [0], sizes: [4, 16], strides: [16, 1]
// CHECK: scf.for
// CHECK: math.fma
// CHECK: scf.yield
// CHECK: %[[ZERO:.*]] = vector.broadcast %{{.*}} : f32 to vector<8xf32>
// CHECK: %[[LO:.*]] = arith.maximumf %{{.*}}, %[[ZERO]] : vector<8xf32>
// CHECK: %[[SIX:.*]] = vector.broadcast %{{.*}} : f32 to vector<8xf32>
// CHECK: %[[HI:.*]] = arith.minimumf %[[LO]], %[[SIX]] : vector<8xf32>
// CHECK: vector.store %[[HI]], %[[TARGET]]
// CHECK-NOT: linalg.generic
// CHECK: return
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
func.func @relu6(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %d: memref<4x16xf32>, %ws: memref<256xi8>) {
  %c0 = arith.constant 0 : index
  %c = memref.view %ws[%c0][] : memref<256xi8> to memref<4x16xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<4x16xf32>) outs(%d : memref<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %six = arith.constant 6.0 : f32
    %lo = arith.maximumf %v, %zero : f32
    %hi = arith.minimumf %lo, %six : f32
    linalg.yield %hi : f32
  }
  return
}

// -----

// In place (the ReLU writes C back) through a reshape of C: the kernel
// stores ReLU(acc) into C itself.
// CHECK-LABEL: func.func @relu_in_place(
// CHECK: %[[C:.*]] = memref.view
// CHECK-NOT: memref.reinterpret_cast
// CHECK: arith.maximumf %{{.*}} : vector<8xf32>
// CHECK: vector.store %{{.*}}, %[[C]]
// CHECK-NOT: linalg.generic
func.func @relu_in_place(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %ws: memref<256xi8>) {
  %c0 = arith.constant 0 : index
  %c = memref.view %ws[%c0][] : memref<256xi8> to memref<4x16xf32>
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %e = memref.expand_shape %c [[0, 1], [2]] output_shape [1, 4, 16] : memref<4x16xf32> into memref<1x4x16xf32>
  linalg.generic {indexing_maps = [affine_map<(i, m, n) -> (i, m, n)>, affine_map<(i, m, n) -> (i, m, n)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%e : memref<1x4x16xf32>) outs(%e : memref<1x4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// No epilogue: C is a function argument (a model output outlives the
// function), or C is read again later, or D's memory overlaps the input A.
// CHECK-LABEL: func.func @output_c(
// CHECK: linalg.generic
// CHECK-LABEL: func.func @read_later(
// CHECK: linalg.generic
// CHECK: memref.copy
// CHECK-LABEL: func.func @overlapping(
// CHECK: linalg.generic
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
func.func @output_c(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>, %d: memref<4x16xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<4x16xf32>) outs(%d : memref<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  }
  return
}
func.func @read_later(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %d: memref<4x16xf32>, %e: memref<4x16xf32>, %ws: memref<256xi8>) {
  %c0 = arith.constant 0 : index
  %c = memref.view %ws[%c0][] : memref<256xi8> to memref<4x16xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<4x16xf32>) outs(%d : memref<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  }
  memref.copy %c, %e : memref<4x16xf32> to memref<4x16xf32>
  return
}
func.func @overlapping(%b: memref<8x16xf32>, %ws: memref<512xi8>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %a = memref.view %ws[%c64][] : memref<512xi8> to memref<4x8xf32>
  %c = memref.view %ws[%c256][] : memref<512xi8> to memref<4x16xf32>
  %d = memref.view %ws[%c0][] : memref<512xi8> to memref<4x16xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<4x16xf32>) outs(%d : memref<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A residual add with ReLU after a matmul whose columns are C's innermost
// dim: the residual R is read with C's indices (viewed with C's shape) and
// added in the kernel, before the ReLU and the store into D.
// CHECK-LABEL: func.func @residual(
// CHECK-SAME: %[[R:[a-z0-9]+]]: memref<64xf32>, %[[D:[a-z0-9]+]]: memref<4x16xf32>
// CHECK: %[[DFLAT:.*]] = memref.collapse_shape %[[D]]
// CHECK: %[[TARGET:.*]] = memref.reinterpret_cast %[[DFLAT]] to offset: [0], sizes: [4, 16]
// CHECK: %[[RV:.*]] = memref.reinterpret_cast %[[R]] to offset: [0], sizes: [4, 16]
// CHECK: math.fma
// CHECK: scf.yield
// CHECK: %[[RES:.*]] = vector.load %[[RV]]
// CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %[[RES]] : vector<8xf32>
// CHECK: %[[OUT:.*]] = arith.maximumf %[[SUM]]
// CHECK: vector.store %[[OUT]], %[[TARGET]]
// CHECK-NOT: linalg.generic
func.func @residual(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %r: memref<64xf32>, %d: memref<4x16xf32>, %ws: memref<256xi8>) {
  %c0 = arith.constant 0 : index
  %c = memref.view %ws[%c0][] : memref<256xi8> to memref<4x16xf32>
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  %flat = memref.collapse_shape %c [[0, 1]] : memref<4x16xf32> into memref<64xf32>
  %dflat = memref.collapse_shape %d [[0, 1]] : memref<4x16xf32> into memref<64xf32>
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%flat, %r : memref<64xf32>, memref<64xf32>) outs(%dflat : memref<64xf32>) {
  ^bb0(%v: f32, %w: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %sum = arith.addf %v, %w : f32
    %relu = arith.maximumf %sum, %zero : f32
    linalg.yield %relu : f32
  }
  return
}

// -----

// The ReLU writes the interior of a padded buffer (write-pad-interiors):
// the kernel stores into that strided view directly.
// CHECK-LABEL: func.func @into_pad_interior(
// CHECK: %[[P:.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<1024xi8> to memref<6x18xf32>
// CHECK: %[[IN:.*]] = memref.subview %[[P]][1, 1] [4, 16] [1, 1]
// CHECK: scf.for
// CHECK: math.fma
// CHECK: arith.maximumf %{{.*}} : vector<8xf32>
// CHECK: vector.store %{{.*}}, %[[IN]][%{{.*}}] : memref<4x16xf32, strided<[18, 1], offset: 19>>, vector<8xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
func.func @into_pad_interior(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %ws: memref<1024xi8>) {
  %c0 = arith.constant 0 : index
  %c512 = arith.constant 512 : index
  %c = memref.view %ws[%c0][] : memref<1024xi8> to memref<4x16xf32>
  %p = memref.view %ws[%c512][] : memref<1024xi8> to memref<6x18xf32>
  %interior = memref.subview %p[1, 1] [4, 16] [1, 1] : memref<6x18xf32> to memref<4x16xf32, strided<[18, 1], offset: 19>>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p2 = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p2 : f32
    linalg.yield %s : f32
  }
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<4x16xf32>) outs(%interior : memref<4x16xf32, strided<[18, 1], offset: 19>>) {
  ^bb0(%v: f32, %out: f32):
    %lo = arith.maximumf %v, %zero : f32
    linalg.yield %lo : f32
  }
  return
}

// -----

// The residual is the interior of another padded buffer (a residual
// block's input, which also feeds the block's first convolution): the
// kernel reads it through that strided view, at C's indices.
// CHECK-LABEL: func.func @residual_from_pad_interior(
// CHECK: memref.view %{{.*}}[%{{.*}}][] : memref<2048xi8> to memref<6x18xf32>
// CHECK: %[[Q:.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<2048xi8> to memref<6x18xf32>
// CHECK: %[[SKIP:.*]] = memref.subview %[[Q]][1, 1] [4, 16] [1, 1]
// CHECK: scf.for
// CHECK: math.fma
// CHECK: %[[RES:.*]] = vector.load %[[SKIP]][%{{.*}}] : memref<4x16xf32, strided<[18, 1], offset: 19>>, vector<8xf32>
// CHECK: arith.addf %{{.*}}, %[[RES]] : vector<8xf32>
// CHECK: vector.store %{{.*}} : memref<4x16xf32, strided<[18, 1], offset: 19>>, vector<8xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
func.func @residual_from_pad_interior(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %ws: memref<2048xi8>) {
  %c0 = arith.constant 0 : index
  %c512 = arith.constant 512 : index
  %c1024 = arith.constant 1024 : index
  %c = memref.view %ws[%c0][] : memref<2048xi8> to memref<4x16xf32>
  %p = memref.view %ws[%c512][] : memref<2048xi8> to memref<6x18xf32>
  %q = memref.view %ws[%c1024][] : memref<2048xi8> to memref<6x18xf32>
  %interior = memref.subview %p[1, 1] [4, 16] [1, 1] : memref<6x18xf32> to memref<4x16xf32, strided<[18, 1], offset: 19>>
  %skip = memref.subview %q[1, 1] [4, 16] [1, 1] : memref<6x18xf32> to memref<4x16xf32, strided<[18, 1], offset: 19>>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p2 = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p2 : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %skip : memref<4x16xf32>, memref<4x16xf32, strided<[18, 1], offset: 19>>) outs(%interior : memref<4x16xf32, strided<[18, 1], offset: 19>>) {
  ^bb0(%v: f32, %w: f32, %out: f32):
    %sum = arith.addf %v, %w : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// The interior overlaps C (the padded buffer shares C's memory): the
// kernel would overwrite C's accumulators it has yet to read, so the ReLU
// stays a loop of its own.
// CHECK-LABEL: func.func @pad_overlaps_c(
// CHECK: math.fma
// CHECK: linalg.generic
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
func.func @pad_overlaps_c(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %ws: memref<1024xi8>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c = memref.view %ws[%c0][] : memref<1024xi8> to memref<4x16xf32>
  %p = memref.view %ws[%c64][] : memref<1024xi8> to memref<6x18xf32>
  %interior = memref.subview %p[1, 1] [4, 16] [1, 1] : memref<6x18xf32> to memref<4x16xf32, strided<[18, 1], offset: 19>>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p2 = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p2 : f32
    linalg.yield %s : f32
  }
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<4x16xf32>) outs(%interior : memref<4x16xf32, strided<[18, 1], offset: 19>>) {
  ^bb0(%v: f32, %out: f32):
    %lo = arith.maximumf %v, %zero : f32
    linalg.yield %lo : f32
  }
  return
}

// -----

// C's view is used again later for another buffer at the same offset (CSE
// merged the two views), but the first later op overwrites all of it
// unread: C is dead after the ReLU, which the kernel applies.
// CHECK-LABEL: func.func @view_reused(
// CHECK: math.fma
// CHECK: arith.maximumf %{{.*}} : vector<8xf32>
// CHECK: linalg.fill
// CHECK-NOT: linalg.generic
// CHECK: return
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
func.func @view_reused(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %d: memref<4x16xf32>, %e: memref<4x16xf32>, %ws: memref<256xi8>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %c = memref.view %ws[%c0][] : memref<256xi8> to memref<4x16xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<4x16xf32>) outs(%d : memref<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %lo = arith.maximumf %v, %zero : f32
    linalg.yield %lo : f32
  }
  linalg.fill ins(%zero : f32) outs(%c : memref<4x16xf32>)
  memref.copy %c, %e : memref<4x16xf32> to memref<4x16xf32>
  return
}
