// RUN: onnx-opt %s -lower-runtime-checks -split-input-file -verify-diagnostics | FileCheck %s

// Two checks: both must hold for status 0; otherwise the model returns 2.
// CHECK-LABEL: func.func @checks
// CHECK-SAME: -> i32
// CHECK-NOT: cf.assert
// CHECK: %[[OK:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[TWO:.*]] = arith.constant 2 : i32
// CHECK: %[[STATUS:.*]] = arith.select %[[OK]], %[[ZERO]], %[[TWO]] : i32
// CHECK: return %[[STATUS]] : i32
func.func @checks(%a: index, %b: index, %out: memref<4xf32>) {
  %c2 = arith.constant 2 : index
  %ok1 = arith.cmpi eq, %a, %c2 : index
  cf.assert %ok1, "Range: the inputs give another length than compiled"
  %ok2 = arith.cmpi ult, %b, %c2 : index
  cf.assert %ok2, "TopK: K differs from the compiled K"
  return
}

// -----

// Without checks the signature stays.
// CHECK-LABEL: func.func @none(%{{.*}}: memref<4xf32>) {
func.func @none(%out: memref<4xf32>) {
  return
}

// -----

// A check inside a loop cannot be hoisted into the status.
// expected-error @+1 {{lower-runtime-checks needs every check at the top level of a single-block function}}
func.func @nested(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %ok = arith.cmpi ult, %i, %n : index
    cf.assert %ok, "in a loop"
  }
  return
}
