// RUN: onnx-opt %s -vectorize-contractions="lanes=8 rows=6 parallel=true min-parallel-work=1024" | FileCheck %s

// With `parallel`, the body of the outermost tile loop (here, over the
// 16-column tiles of the weight B: the weight's loop goes outermost) is
// outlined into an internal function taking the base pointers of A and C
// (the weight B is a global: the body takes it by name, it needs no slot)
// and a range of tiles, and handed to the onnxc_parallel_for hook, whose
// weak default runs it serially. Three column tiles are too few to split
// evenly: the hook gets the 3 x 2 tiles of the two outermost loops (columns,
// then the two tiles of 6 rows), and the body recovers both indices.
// The constant weight B [64, 48] is repacked into 3 panels of 16 columns,
// [3, 64, 16], each tile's weights one sequential stream; the original
// global, no longer read, is gone.
// CHECK-NOT: @weight :
// CHECK: memref.global "private" constant @weight_packed : memref<3x64x16xf32>
// CHECK-NOT: @weight :
// CHECK-LABEL: func.func @matmul(
// CHECK: %[[BODY:.*]] = constant @matmul_contraction0
// CHECK: %[[BASE:[a-z_0-9]+]], %{{.*}} = memref.extract_strided_metadata %arg0
// CHECK: call @onnxc_parallel_for(%[[BODY]], %[[BASE]], {{.*}}, %c6)
// CHECK-NOT: linalg.generic
// CHECK-LABEL: func.func private @matmul_contraction0(
// CHECK-SAME: %[[A:.*]]: memref<f32>, %[[C:.*]]: memref<f32>, %{{.*}}: memref<f32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK: memref.reinterpret_cast %[[A]] to offset: [0], sizes: [12, 64], strides: [64, 1] : memref<f32> to memref<12x64xf32>
// CHECK: %[[BP:.*]] = memref.get_global @weight_packed : memref<3x64x16xf32>
// CHECK: memref.reinterpret_cast %[[C]] to offset: [0], sizes: [12, 48], strides: [48, 1]
// CHECK: scf.for %[[TILE:.*]] = %[[BEGIN]] to %[[END]]
// CHECK: %[[COLUMNS:.*]] = arith.divui %[[TILE]], %[[TWO:.*]] : index
// CHECK: %[[ROWS:.*]] = arith.remui %[[TILE]], %[[TWO]] : index
// CHECK: %[[PANEL:.*]] = arith.divui %{{.*}}, %{{.*}} : index
// CHECK: vector.load %[[BP]][%[[PANEL]], %{{.*}}, %{{.*}}] : memref<3x64x16xf32>, vector<8xf32>
// CHECK: math.fma
// CHECK: return
// CHECK-LABEL: func.func @onnxc_parallel_for(
// CHECK-SAME: llvm.linkage = #llvm.linkage<weak>
// CHECK: call_indirect %arg0(%arg1, %arg2, %arg3, %c0, %arg4)
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
memref.global "private" constant @weight : memref<64x48xf32> = dense<1.0>
func.func @matmul(%a: memref<12x64xf32>, %c: memref<12x48xf32>) {
  %b = memref.get_global @weight : memref<64x48xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<12x64xf32>, memref<64x48xf32>) outs(%c : memref<12x48xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
