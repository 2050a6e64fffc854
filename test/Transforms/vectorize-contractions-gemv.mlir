// RUN: onnx-opt %s -vectorize-contractions="lanes=16 rows=12" -canonicalize -cse | FileCheck %s

// A matrix-vector product (one row) has no rows to share each B vector
// with: its tile takes up to 8 vectors of columns instead of 4, eight FMA
// chains and weight streams at a time. Here all 128 columns in one tile.
// CHECK-LABEL: func.func @gemv
// CHECK: scf.for %[[K:.*]] = %c0 to %c16 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-NEXT: vector.load %arg1[%[[K]], %c0] : memref<16x128xf32>, vector<16xf32>
// CHECK-COUNT-7: vector.load %arg1[%[[K]], %c{{[0-9]+}}] : memref<16x128xf32>, vector<16xf32>
// CHECK: memref.load %arg0[%c0, %[[K]]]
// CHECK-COUNT-8: math.fma
// CHECK: scf.yield
// CHECK-COUNT-8: vector.store
// CHECK-NOT: scf.for
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @gemv(%a: memref<1x16xf32>, %b: memref<16x128xf32>, %c: memref<1x128xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<1x16xf32>, memref<16x128xf32>) outs(%c : memref<1x128xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
