// RUN: onnx-opt %s -copy-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @strided_copy
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<4xf32, strided<[2]>>) outs(%{{.*}} : memref<4xf32>)
func.func @strided_copy(%in: memref<4xf32, strided<[2]>>, %out: memref<4xf32>) {
  memref.copy %in, %out : memref<4xf32, strided<[2]>> to memref<4xf32>
  return
}
