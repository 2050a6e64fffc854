// RUN: onnx-opt %s -vectorize-elementwise="lanes=16" -canonicalize -split-input-file | FileCheck %s
// RUN: onnx-opt %s -vectorize-elementwise="lanes=16 masked-loads=true" -canonicalize -split-input-file | FileCheck %s --check-prefix=MASKED

// A residual add and ReLU whose skip input and output are pad interiors
// (rows of 28 elements, 30 apart): a loop over the channels and rows, and
// per row one vector of 16 and one of 12 of each input, the body on
// vectors, stored the same way (with masked loads, 16 lanes with 4 masked
// off).
// CHECK-LABEL: func.func @residual_on_interiors
// CHECK-NOT: linalg.generic
// CHECK-DAG: %[[ZERO16:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK-DAG: %[[ZERO12:.*]] = arith.constant dense<0.000000e+00> : vector<12xf32>
// CHECK: scf.for %[[C:.*]] = %c0 to %c128 step %c1 {
// CHECK-NEXT: scf.for %[[H:.*]] = %c0 to %c28 step %c1 {
// CHECK-NEXT: %[[A:.*]] = vector.load %arg0[%c0, %[[C]], %[[H]], %c0] : memref<1x128x28x28xf32>, vector<16xf32>
// CHECK-NEXT: %[[B:.*]] = vector.load %arg1[%c0, %[[C]], %[[H]], %c0] : memref<1x128x28x28xf32, strided<[115200, 900, 30, 1], offset: 31>>, vector<16xf32>
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[A]], %[[B]] : vector<16xf32>
// CHECK-NEXT: %[[R:.*]] = arith.maximumf %[[S]], %[[ZERO16]] : vector<16xf32>
// CHECK-NEXT: vector.store %[[R]], %arg2[%c0, %[[C]], %[[H]], %c0] : memref<1x128x28x28xf32, strided<[115200, 900, 30, 1], offset: 31>>, vector<16xf32>
// CHECK: vector.load %arg0[%c0, %[[C]], %[[H]], %c16] : memref<1x128x28x28xf32>, vector<12xf32>
// CHECK: arith.maximumf %{{.*}}, %[[ZERO12]] : vector<12xf32>
// CHECK: vector.store %{{.*}}, %arg2[%c0, %[[C]], %[[H]], %c16] : memref<1x128x28x28xf32, strided<[115200, 900, 30, 1], offset: 31>>, vector<12xf32>
// MASKED-LABEL: func.func @residual_on_interiors
// MASKED: vector.maskedload %arg1[%c0, %{{.*}}, %{{.*}}, %c16], %{{.*}}, %{{.*}} : memref<1x128x28x28xf32, strided<[115200, 900, 30, 1], offset: 31>>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// MASKED: vector.maskedstore %arg2[%c0, %{{.*}}, %{{.*}}, %c16], %{{.*}}, %{{.*}} : memref<1x128x28x28xf32, strided<[115200, 900, 30, 1], offset: 31>>, vector<16xi1>, vector<16xf32>
#id = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @residual_on_interiors(%conv: memref<1x128x28x28xf32>,
    %skip: memref<1x128x28x28xf32, strided<[115200, 900, 30, 1], offset: 31>>,
    %out: memref<1x128x28x28xf32, strided<[115200, 900, 30, 1], offset: 31>>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv, %skip : memref<1x128x28x28xf32>, memref<1x128x28x28xf32, strided<[115200, 900, 30, 1], offset: 31>>)
      outs(%out : memref<1x128x28x28xf32, strided<[115200, 900, 30, 1], offset: 31>>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// The body of a parallel loop: the outer dim is the hook's range, dynamic.
// It loops to the buffer's extent there; rows of 80 are a loop of 5
// vectors.
// CHECK-LABEL: func.func @dynamic_outer
// CHECK: %[[N:.*]] = memref.dim %arg1, %c0 : memref<?x80xf32, strided<[96, 1], offset: ?>>
// CHECK: scf.for %[[I:.*]] = %c0 to %[[N]] step %c1 {
// CHECK-NEXT: scf.for %[[J:.*]] = %c0 to %c80 step %c16 {
// CHECK-NEXT: vector.load %arg0[%[[I]], %[[J]]] : memref<?x80xf32, strided<[96, 1], offset: ?>>, vector<16xf32>
// CHECK-NEXT: math.exp %{{.*}} : vector<16xf32>
// CHECK-NEXT: vector.store
#id2 = affine_map<(a, b) -> (a, b)>
func.func @dynamic_outer(%x: memref<?x80xf32, strided<[96, 1], offset: ?>>, %y: memref<?x80xf32, strided<[96, 1], offset: ?>>) {
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x80xf32, strided<[96, 1], offset: ?>>) outs(%y : memref<?x80xf32, strided<[96, 1], offset: ?>>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  }
  return
}

// -----

// Left alone: one line (LLVM vectorizes it as is), a transposing map, a
// column of stride 2, and an op that reads its output.
// CHECK-LABEL: func.func @not_rows
// CHECK-COUNT-4: linalg.generic
#id1 = affine_map<(a) -> (a)>
#id2 = affine_map<(a, b) -> (a, b)>
#tr = affine_map<(a, b) -> (b, a)>
func.func @not_rows(%x: memref<64xf32>, %y: memref<64xf32>, %m: memref<8x8xf32>,
    %n: memref<8x8xf32>, %s: memref<8x8xf32, strided<[16, 2]>>) {
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%x : memref<64xf32>) outs(%y : memref<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.negf %a : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#tr, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%m : memref<8x8xf32>) outs(%n : memref<8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.negf %a : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s : memref<8x8xf32, strided<[16, 2]>>) outs(%n : memref<8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.negf %a : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%m : memref<8x8xf32>) outs(%n : memref<8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  }
  return
}
