// RUN: onnx-opt %s -vectorize-contractions="lanes=8 rows=6 prefetch-distance=512" -canonicalize -cse | FileCheck %s
// RUN: onnx-opt %s -vectorize-contractions="lanes=8 rows=6" -canonicalize -cse | FileCheck %s --check-prefix=NONE

// The constant weight is repacked into 2 panels of 16 columns; every
// reduction step of a tile loads its panel row (2 vectors of 8, one 64-byte
// line) and prefetches the line 512 bytes (128 elements) further along the
// packed weight, viewed as one dim, at most its last element.
// CHECK-LABEL: func.func @matmul_prefetch
// CHECK: %[[P:.*]] = memref.get_global @weight_packed : memref<2x64x16xf32>
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[P]] {{\[}}[0, 1, 2]] : memref<2x64x16xf32> into memref<2048xf32>
// CHECK: %[[PANEL:.*]] = arith.divui %{{.*}}, %c16 : index
// CHECK: scf.for %[[K:.*]] = %c0 to %c64 step %c1
// CHECK: %[[BASE:.*]] = arith.muli %[[PANEL]], %c1024 : index
// CHECK: %[[AHEAD:.*]] = arith.addi %[[BASE]], %c128 : index
// CHECK: %[[ROW:.*]] = arith.muli %[[K]], %c16 : index
// CHECK: %[[AT:.*]] = arith.addi %[[AHEAD]], %[[ROW]] : index
// CHECK: %[[BOUNDED:.*]] = arith.minsi %[[AT]], %c2047 : index
// CHECK: memref.prefetch %[[FLAT]][%[[BOUNDED]]], read, locality<3>, data : memref<2048xf32>
// CHECK-NEXT: vector.load %[[P]][%[[PANEL]], %[[K]], %c0] : memref<2x64x16xf32>, vector<8xf32>
// CHECK-NEXT: vector.load %[[P]][%[[PANEL]], %[[K]], %c8] : memref<2x64x16xf32>, vector<8xf32>
// CHECK-NOT: memref.prefetch
// CHECK: return
// NONE-LABEL: func.func @matmul_prefetch
// NONE-NOT: memref.prefetch
// NONE: return
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
memref.global "private" constant @weight : memref<64x32xf32> = dense<1.0>
func.func @matmul_prefetch(%a: memref<12x64xf32>, %c: memref<12x32xf32>) {
  %b = memref.get_global @weight : memref<64x32xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<12x32xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<12x64xf32>, memref<64x32xf32>) outs(%c : memref<12x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
