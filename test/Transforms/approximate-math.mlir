// RUN: onnx-opt %s -approximate-math -split-input-file -verify-diagnostics | FileCheck %s

// exp, erf and tanh on float32 become polynomials: no math op is left that
// would lower to a libm call.
// CHECK-LABEL: func.func @f32
// CHECK-NOT: math.exp
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK: arith.mulf
// CHECK: return
func.func @f32(%x: f32) -> (f32, f32, f32) {
  %e = math.exp %x : f32
  %r = math.erf %x : f32
  %t = math.tanh %x : f32
  return %e, %r, %t : f32, f32, f32
}

// -----

// float16 runs in float32; sinh expands into exp first. Ops with an
// instruction on every target (sqrt) stay.
// CHECK-LABEL: func.func @f16
// CHECK: arith.extf
// CHECK-NOT: math.sinh
// CHECK-NOT: math.exp
// CHECK: arith.truncf
// CHECK: math.sqrt
func.func @f16(%x: f16, %y: f32) -> (f16, f32) {
  %s = math.sinh %x : f16
  %q = math.sqrt %y : f32
  return %s, %q : f16, f32
}

// -----

// Rounding becomes exact integer conversions, with large magnitudes (and
// NaN) passed through: a Cortex-M4 has no rounding instruction.
// CHECK-LABEL: func.func @rounding
// CHECK-NOT: math.floor
// CHECK: %[[I:.*]] = arith.fptosi %[[X:.*]] : f64 to i64
// CHECK: %[[T:.*]] = arith.sitofp %[[I]] : i64 to f64
// CHECK: %[[S:.*]] = math.copysign %[[T]], %[[X]] : f64
// CHECK-DAG: %[[GT:.*]] = arith.cmpf ogt, %[[S]], %[[X]] : f64
// CHECK-DAG: %[[DOWN:.*]] = arith.subf %[[S]]
// CHECK: %[[FLOOR:.*]] = arith.select %[[GT]], %[[DOWN]], %[[S]] : f64
// CHECK: %[[ABS:.*]] = math.absf %[[X]] : f64
// CHECK: %[[SMALL:.*]] = arith.cmpf olt, %[[ABS]], %{{.*}} : f64
// CHECK: arith.select %[[SMALL]], %[[FLOOR]], %[[X]] : f64
// CHECK-NOT: math.roundeven
func.func @rounding(%x: f64, %y: f32) -> (f64, f32) {
  %f = math.floor %x : f64
  %r = math.roundeven %y : f32
  return %f, %r : f64, f32
}

// -----

// exp and log on float64 are our own: a range reduction with the exponent
// bits, then a series.
// CHECK-LABEL: func.func @f64
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.*}} : i64 to f64
// CHECK: return
func.func @f64(%x: f64) -> (f64, f64) {
  %e = math.exp %x : f64
  %l = math.log %x : f64
  return %e, %l : f64, f64
}

// -----

// Other float64 transcendentals have no approximation: an error, never a
// silent libm call.
func.func @f64_sin(%x: f64) -> f64 {
  // expected-error @+1 {{-no-libm: 'math.sin' on 'f64' has no polynomial approximation and would call libm}}
  %s = math.sin %x : f64
  return %s : f64
}
