// RUN: onnx-opt %s -map-to-gpu -cse -split-input-file -verify-diagnostics | FileCheck %s

// An elementwise op over [8, 100]: its two parallel loops collapse into one
// of 800 iterations, tiled by 256: tiles to blocks, iterations to threads,
// with a guard for the last, partial tile.
// CHECK-LABEL: func.func @relu(
// CHECK-DAG: %[[C800:.*]] = arith.constant 800 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK: scf.parallel (%[[TILE:.*]]) = (%{{.*}}) to (%[[C800]]) step (%[[C256]])
// CHECK: scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%[[C256]])
// CHECK: %[[I:.*]] = arith.addi %[[T]], %[[TILE]]
// CHECK: %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %[[C800]]
// CHECK: scf.if
// CHECK-DAG: arith.remsi %[[I]], %{{.*}}
// CHECK-DAG: arith.divsi %[[I]], %{{.*}}
// CHECK: arith.maximumf
// CHECK: memref.store
// CHECK: processor = thread_x
// CHECK: processor = block_x
// CHECK-NOT: linalg.generic
#id = affine_map<(i, j) -> (i, j)>
func.func @relu(%x: memref<8x100xf32>, %y: memref<8x100xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<8x100xf32>) outs(%y : memref<8x100xf32>) {
  ^bb0(%a: f32, %out: f32):
    %z = arith.constant 0.0 : f32
    %r = arith.maximumf %a, %z : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// No parallel loop: one thread runs the op (a one-iteration loop mapped to
// one block), which stays a linalg op until convert-linalg-to-loops.
// CHECK-LABEL: func.func @sum_all(
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK: scf.parallel (%{{.*}}) = (%[[C0]]) to (%[[C1]]) step (%[[C1]])
// CHECK-NEXT: linalg.generic
// CHECK: processor = block_x
func.func @sum_all(%x: memref<4x8xf32>, %y: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>], iterator_types = ["reduction", "reduction"]}
      ins(%x : memref<4x8xf32>) outs(%y : memref<f32>) {
  ^bb0(%a: f32, %out: f32):
    %s = arith.addf %a, %out : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Parallel loops after a reduction run in order in their thread, as
// scf.for (convert-parallel-loops-to-gpu cannot map them under an scf.for).
// CHECK-LABEL: func.func @middle_reduction(
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK-NEXT: scf.for
// CHECK-NOT: scf.parallel
// CHECK: processor = thread_x
// CHECK: processor = block_x
func.func @middle_reduction(%x: memref<2x3x4xf32>, %y: memref<2x4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, k, j) -> (i, k, j)>, affine_map<(i, k, j) -> (i, j)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : memref<2x3x4xf32>) outs(%y : memref<2x4xf32>) {
  ^bb0(%a: f32, %out: f32):
    %s = arith.addf %a, %out : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A copy is a parallel kernel too; a loop shorter than a block gets a block
// of its own length.
// CHECK-LABEL: func.func @copy(
// CHECK-DAG: %[[C100:.*]] = arith.constant 100 : index
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[C100]]) step (%[[C100]])
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[C100]])
// CHECK: memref.load
// CHECK: memref.store
// CHECK-NOT: memref.copy
func.func @copy(%x: memref<100xf32>, %y: memref<100xf32>) {
  memref.copy %x, %y : memref<100xf32> to memref<100xf32>
  return
}

// -----

// A value read from a buffer stays off the host: the read and every op up
// to its last user run in one thread.
// CHECK-LABEL: func.func @loaded_scalar(
// CHECK: scf.parallel
// CHECK-NEXT: memref.load
// CHECK-NEXT: arith.sitofp
// CHECK-NEXT: linalg.generic
// CHECK: processor = block_x
func.func @loaded_scalar(%k: memref<1xi64>, %x: memref<16xf32>, %y: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %v = memref.load %k[%c0] : memref<1xi64>
  %f = arith.sitofp %v : i64 to f32
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%x : memref<16xf32>) outs(%y : memref<16xf32>) {
  ^bb0(%a: f32, %out: f32):
    %s = arith.addf %a, %f : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A contraction: each thread computes a 4 x 4 tile of C (M = m, which only
// A reads; N = n, which only B reads), 2 x 3 tiles of a 6 x 10 C, the N
// tiles fastest. Partial tiles load clamped elements and store only the
// elements that exist.
// CHECK-LABEL: func.func @matmul(
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[C9:.*]] = arith.constant 9 : index
// CHECK-DAG: %[[C6:.*]] = arith.constant 6 : index
// CHECK: scf.parallel (%[[TILE:.*]]) = (%{{.*}}) to (%[[C6]]) step (%[[C6]])
// CHECK: scf.parallel (%[[T:.*]]) =
// CHECK: %[[I:.*]] = arith.addi %[[T]], %[[TILE]]
// CHECK: %[[NT:.*]] = arith.remsi %[[I]], %[[C3]]
// CHECK: %[[MT:.*]] = arith.divsi %[[I]], %[[C3]]
// CHECK: %[[M0:.*]] = arith.muli %[[MT]], %[[C4]]
// CHECK: %[[N0:.*]] = arith.muli %[[NT]], %[[C4]]
// CHECK: arith.minui %[[M0]], %[[C5]]
// CHECK: arith.minui %[[N0]], %[[C9]]
// CHECK-COUNT-16: memref.load %arg2
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK-COUNT-4: memref.load %arg0
// CHECK-COUNT-4: memref.load %arg1
// CHECK-COUNT-16: math.fma
// CHECK: scf.yield
// CHECK-COUNT-16: memref.store
// CHECK-NOT: linalg.generic
func.func @matmul(%a: memref<6x16xf32>, %b: memref<16x10xf32>, %c: memref<6x10xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<6x16xf32>, memref<16x10xf32>) outs(%c : memref<6x10xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A run-time data check runs in the kernel with the value it checks, and a
// failure stores 2 in the status word appended to the workspace (the last
// argument grows by 64 bytes; onnxc.status_offset says where), which a
// one-thread kernel zeroes first.
// CHECK-LABEL: func.func @check(
// CHECK-SAME: %[[WS:[a-z0-9]+]]: memref<128xi8>)
// CHECK-SAME: onnxc.status_offset = 64 : i64, onnxc.workspace_size = 128 : i64
// CHECK: %[[STATUS:.*]] = memref.view %[[WS]][%{{.*}}][] : memref<128xi8> to memref<i32>
// CHECK: scf.parallel
// CHECK-NEXT: memref.store %{{.*}}, %[[STATUS]][] : memref<i32>
// CHECK: scf.parallel
// CHECK: memref.load %arg0
// CHECK: %[[FAILED:.*]] = arith.xori
// CHECK: scf.if %[[FAILED]] {
// CHECK-NEXT: memref.store %{{.*}}, %[[STATUS]][] : memref<i32>
// CHECK-NOT: cf.assert
func.func @check(%k: memref<1xi64>, %ws: memref<64xi8>) attributes {onnxc.workspace_size = 64 : i64} {
  %c0 = arith.constant 0 : index
  %v = memref.load %k[%c0] : memref<1xi64>
  %z = arith.constant 0 : i64
  %ok = arith.cmpi sge, %v, %z : i64
  cf.assert %ok, "negative"
  return
}

// -----

func.func @check_without_workspace(%k: memref<1xi64>) {
  %c0 = arith.constant 0 : index
  %v = memref.load %k[%c0] : memref<1xi64>
  %z = arith.constant 0 : i64
  %ok = arith.cmpi sge, %v, %z : i64
  // expected-error @+1 {{run-time data checks need a workspace for their status on the nvptx64 target}}
  cf.assert %ok, "negative"
  return
}
