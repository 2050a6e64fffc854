// RUN: onnx-opt %s -vectorize-contractions="lanes=16 rows=12" | FileCheck %s

// A stride-2 1x1 convolution (24 output channels, 8 rows of 48 columns
// read every other column of 96): each B vector is a span of 31 elements
// and a permute, and the tiles are 2 vectors of columns by 12 rows of
// output channels (24 accumulators), then the last 16 columns by 12 rows.
// CHECK-LABEL: func.func @stride2(
// CHECK: scf.for %{{.*}} = %{{.*}} to %c8 step %c1 {
// CHECK: scf.for %{{.*}} = %{{.*}} to %c24 step %c12 {
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK: vector.load {{.*}} : memref<8x8x96xf32>, vector<31xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<31xf32>, vector<31xf32>
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
func.func @stride2(%x: memref<8x8x96xf32>, %w: memref<24x8xf32>, %ws: memref<65536xi8>) {
  %c0 = arith.constant 0 : index
  %c = memref.view %ws[%c0][] : memref<65536xi8> to memref<24x8x48xf32>
  linalg.generic {indexing_maps = [affine_map<(o, h, x, c) -> (o, c)>, affine_map<(o, h, x, c) -> (c, h, x * 2)>, affine_map<(o, h, x, c) -> (o, h, x)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : memref<24x8xf32>, memref<8x8x96xf32>) outs(%c : memref<24x8x48xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
