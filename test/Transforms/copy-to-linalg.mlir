// RUN: onnx-opt %s -copy-to-linalg | FileCheck %s

// Strided innermost: linalg.copy (scalar loops).
// CHECK-LABEL: func.func @strided_copy
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<4xf32, strided<[2]>>) outs(%{{.*}} : memref<4xf32>)
func.func @strided_copy(%in: memref<4xf32, strided<[2]>>, %out: memref<4xf32>) {
  memref.copy %in, %out : memref<4xf32, strided<[2]>> to memref<4xf32>
  return
}

// Contiguous on both sides: stays a memref.copy (llvm.memcpy).
// CHECK-LABEL: func.func @contiguous_copy
// CHECK-NEXT: memref.copy %arg0, %arg1
// CHECK-NEXT: return
func.func @contiguous_copy(%in: memref<2x8xf32>, %out: memref<2x8xf32>) {
  memref.copy %in, %out : memref<2x8xf32> to memref<2x8xf32>
  return
}

// A pad's interior: rows of 5 are contiguous on both sides, so loops over
// the 3 x 4 leading positions copy one row each.
// CHECK-LABEL: func.func @pad_interior
// CHECK: scf.for %[[C:.*]] = %c0{{.*}} to %c3 step %c1
// CHECK: scf.for %[[H:.*]] = %c0{{.*}} to %c4 step %c1
// CHECK: %[[FROM:.*]] = memref.subview %arg0[0, %[[C]], %[[H]], 0] [1, 1, 1, 5] [1, 1, 1, 1]
// CHECK: %[[TO:.*]] = memref.subview %{{.*}}[0, %[[C]], %[[H]], 0] [1, 1, 1, 5] [1, 1, 1, 1]
// CHECK: memref.copy %[[FROM]], %[[TO]]
// CHECK-NOT: linalg.copy
func.func @pad_interior(%in: memref<1x3x4x5xf32>, %padded: memref<1x3x6x7xf32>) {
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 3, 4, 5] [1, 1, 1, 1] : memref<1x3x6x7xf32> to memref<1x3x4x5xf32, strided<[126, 42, 7, 1], offset: 8>>
  memref.copy %in, %interior : memref<1x3x4x5xf32> to memref<1x3x4x5xf32, strided<[126, 42, 7, 1], offset: 8>>
  return
}
