// RUN: onnx-opt %s -check-host-code -split-input-file -verify-diagnostics

// Buffers are touched only inside launches; views are pure.
func.func @ok(%ws: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %v = memref.view %ws[%c0][] : memref<64xi8> to memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %f = arith.constant 1.0 : f32
    memref.store %f, %v[%c0] : memref<4xf32>
    gpu.terminator
  }
  return
}

// -----

// A store left on the host would write through a device pointer.
func.func @store_on_host(%ws: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  // expected-error @+1 {{internal error: host code of a GPU model would touch a buffer here}}
  memref.store %f, %ws[%c0] : memref<4xf32>
  return
}
