// RUN: onnx-opt %s -upload-constants | FileCheck %s

// The host takes the device copy of a weight (2 x 3 floats, 24 bytes); a
// mutable global keeps its own address.
// CHECK-LABEL: llvm.func @model(
// CHECK: %[[HOST:.*]] = llvm.mlir.addressof @weight : !llvm.ptr
// CHECK: %[[BYTES:.*]] = llvm.mlir.constant(24 : i64) : i64
// CHECK: %[[DEVICE:.*]] = llvm.call @onnxc_cuda_constant(%[[HOST]], %[[BYTES]])
// CHECK: llvm.getelementptr %[[DEVICE]][0, 1, 2]
// CHECK: %[[STATE:.*]] = llvm.mlir.addressof @state
// CHECK-NOT: onnxc_cuda_constant
// CHECK: llvm.store %{{.*}}, %[[STATE]]
// CHECK: llvm.func @onnxc_cuda_constant(!llvm.ptr, i64) -> !llvm.ptr
module {
  llvm.mlir.global private constant @weight(dense<1.0> : tensor<2x3xf32>) : !llvm.array<2 x array<3 x f32>>
  llvm.mlir.global internal @state(0 : i32) : i32
  llvm.func @model(%out: !llvm.ptr) {
    %w = llvm.mlir.addressof @weight : !llvm.ptr
    %p = llvm.getelementptr %w[0, 1, 2] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<2 x array<3 x f32>>
    %v = llvm.load %p : !llvm.ptr -> f32
    llvm.store %v, %out : f32, !llvm.ptr
    %s = llvm.mlir.addressof @state : !llvm.ptr
    %one = llvm.mlir.constant(1 : i32) : i32
    llvm.store %one, %s : i32, !llvm.ptr
    llvm.return
  }
}
