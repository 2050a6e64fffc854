// RUN: onnx-opt %s -approximate-math="vectorizable-only=true" | FileCheck %s

// Speed mode: float32 exp, tanh and erf become polynomials (the loops of
// Softmax and GELU then vectorize); other math ops, float64 exp included,
// keep their libm calls, and no error is raised for them.
// CHECK-LABEL: func.func @speed
// CHECK-NOT: math.exp {{.*}} : f32
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-DAG: math.exp %{{.*}} : f64
// CHECK-DAG: math.log %{{.*}} : f32
// CHECK-DAG: math.fma
// CHECK: return
func.func @speed(%x: f32, %d: f64) -> (f32, f32, f32, f64, f32) {
  %e = math.exp %x : f32
  %t = math.tanh %x : f32
  %r = math.erf %x : f32
  %ed = math.exp %d : f64
  %l = math.log %x : f32
  return %e, %t, %r, %ed, %l : f32, f32, f32, f64, f32
}
