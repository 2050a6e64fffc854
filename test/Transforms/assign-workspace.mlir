// RUN: onnx-opt %s -assign-workspace | FileCheck %s
// RUN: onnx-opt %s -assign-workspace=reuse=false | FileCheck %s --check-prefix=NOREUSE
// RUN: onnx-opt %s -assign-workspace=print-plan -o /dev/null | FileCheck %s --check-prefix=PLAN

// The plan lists buffers in allocation order. The lower bound is the most
// bytes alive at one position: %b (16) with %a (128) or with %c (64).
// PLAN:      memory plan of @chain: workspace 192 bytes, lower bound 144 bytes (+33.3%), 3 buffers
// PLAN-NEXT:   offset        bytes  live            node
// PLAN-NEXT:        0          128  [0, 4]          -
// PLAN-NEXT:      128           16  [1, 7]          -
// PLAN-NEXT:        0           64  [5, 8]          -
// Buffers of fused ops name every ONNX node they came from.
// PLAN:      memory plan of @named: workspace 64 bytes, lower bound 32 bytes (+100.0%), 1 buffers
// PLAN:             0           32  [0, 2]          conv_0, relu_0

// %a dies when %c is allocated, so %c reuses its memory at offset 0; %b is
// live alongside both and sits after them at a 64-byte aligned offset.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: %[[WS:[a-z0-9]+]]: memref<192xi8>
// CHECK-SAME: onnxc.workspace_size = 192 : i64
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: memref.view %[[WS]][%[[C0]]][] : memref<192xi8> to memref<32xf32>
// CHECK-NEXT: %[[C128:.*]] = arith.constant 128 : index
// CHECK-NEXT: memref.view %[[WS]][%[[C128]]][] : memref<192xi8> to memref<4xf32>
// CHECK: %[[C0B:.*]] = arith.constant 0 : index
// CHECK-NEXT: memref.view %[[WS]][%[[C0B]]][] : memref<192xi8> to memref<16xf32>
// CHECK-NOT: memref.alloc

// Without reuse every buffer has its own range.
// NOREUSE: onnxc.workspace_size = 256 : i64
func.func @chain(%in: memref<32xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() : memref<32xf32>
  %b = memref.alloc() : memref<4xf32>
  memref.copy %in, %a : memref<32xf32> to memref<32xf32>
  %sa = memref.subview %a[0] [4] [1] : memref<32xf32> to memref<4xf32, strided<[1]>>
  memref.copy %sa, %b : memref<4xf32, strided<[1]>> to memref<4xf32>
  %c = memref.alloc() : memref<16xf32>
  %sc = memref.subview %c[0] [4] [1] : memref<16xf32> to memref<4xf32, strided<[1]>>
  memref.copy %b, %sc : memref<4xf32> to memref<4xf32, strided<[1]>>
  memref.copy %c, %out : memref<16xf32> to memref<16xf32>
  return
}

// CHECK-LABEL: func.func @named
// CHECK-SAME: onnxc.workspace_lower_bound = 32 : i64
// CHECK-SAME: onnxc.workspace_size = 64 : i64
func.func @named(%in: memref<8xf32>, %out: memref<8xf32>) {
  %a = memref.alloc() : memref<8xf32> loc(fused["conv_0", "relu_0"])
  memref.copy %in, %a : memref<8xf32> to memref<8xf32>
  memref.copy %a, %out : memref<8xf32> to memref<8xf32>
  return
}
