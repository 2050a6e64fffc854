// RUN: onnx-opt %s -legalize-empty-buffers | FileCheck %s

// Unused zero-element arguments become 1-D; others keep their types.
// CHECK-LABEL: func.func @empty
// CHECK-SAME: (%{{.*}}: memref<0xi64>, %{{.*}}: memref<i64>, %{{.*}}: memref<0xi64>, %{{.*}}: memref<2x0xf32>)
func.func @empty(%x: memref<3x0x5xi64>, %k: memref<i64>, %y: memref<3x0x5xi64>, %used: memref<2x0xf32>) {
  %c0 = arith.constant 0 : index
  %d = memref.dim %used, %c0 : memref<2x0xf32>
  return
}
