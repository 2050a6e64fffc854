// RUN: onnx-opt %s -vectorize-fills="lanes=16" -canonicalize -split-input-file | FileCheck %s
// RUN: onnx-opt %s -vectorize-fills="lanes=16 masked-stores=true" -canonicalize -split-input-file | FileCheck %s --check-prefix=MASKED

// A pad's top border row in each of 64 channels, 58 elements: a loop over
// the channels storing 3 vectors of 16 and one of 10 (with masked stores,
// 16 lanes with 6 masked off).
// CHECK-LABEL: func.func @border_rows
// CHECK-NOT: linalg.fill
// CHECK-DAG: %[[ZERO16:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK-DAG: %[[ZERO10:.*]] = arith.constant dense<0.000000e+00> : vector<10xf32>
// CHECK: scf.for %[[C:.*]] = %c0 to %c64 step %c1 {
// CHECK-NEXT: vector.store %[[ZERO16]], %arg0[%c0, %[[C]], %c0, %c0] : memref<1x64x1x58xf32, strided<[215296, 3364, 58, 1]>>, vector<16xf32>
// CHECK-NEXT: vector.store %[[ZERO16]], %arg0[%c0, %[[C]], %c0, %c16]
// CHECK-NEXT: vector.store %[[ZERO16]], %arg0[%c0, %[[C]], %c0, %c32]
// CHECK-NEXT: vector.store %[[ZERO10]], %arg0[%c0, %[[C]], %c0, %c48] : memref<1x64x1x58xf32, strided<[215296, 3364, 58, 1]>>, vector<10xf32>
// CHECK-NEXT: }
// MASKED-LABEL: func.func @border_rows
// MASKED: vector.maskedstore %arg0[%c0, %{{.*}}, %c0, %c48], %{{.*}}, %{{.*}} : memref<1x64x1x58xf32, strided<[215296, 3364, 58, 1]>>, vector<16xi1>, vector<16xf32>
func.func @border_rows(%pad: memref<1x64x1x58xf32, strided<[215296, 3364, 58, 1]>>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%pad : memref<1x64x1x58xf32, strided<[215296, 3364, 58, 1]>>)
  return
}

// -----

// A border column, one element a row: a one-element vector store per row,
// which LLVM's loop vectorizer does not turn into a scatter across rows.
// CHECK-LABEL: func.func @border_column
// CHECK: scf.for %[[C:.*]] = %c0 to %c64 step %c1 {
// CHECK-NEXT: scf.for %[[H:.*]] = %c0 to %c56 step %c1 {
// CHECK-NEXT: vector.store %{{.*}}, %arg0[%c0, %[[C]], %[[H]], %c0] : memref<1x64x56x1xf32, strided<[215296, 3364, 58, 1], offset: 58>>, vector<1xf32>
func.func @border_column(%pad: memref<1x64x56x1xf32, strided<[215296, 3364, 58, 1], offset: 58>>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%pad : memref<1x64x56x1xf32, strided<[215296, 3364, 58, 1], offset: 58>>)
  return
}

// -----

// A long contiguous row (a max pool's -inf start, 3136 elements a channel
// plane here flattened): a loop of full vectors, no remainder.
// CHECK-LABEL: func.func @long_row
// CHECK: %[[NEGINF:.*]] = arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK: scf.for %[[I:.*]] = %c0 to %c3136 step %c16 {
// CHECK-NEXT: vector.store %[[NEGINF]], %arg0[%[[I]]] : memref<3136xf32>, vector<16xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @long_row(%out: memref<3136xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%out : memref<3136xf32>)
  return
}

// -----

// Booleans are bytes in memory but bits in a vector: left to the loops.
// CHECK-LABEL: func.func @bools
// CHECK: linalg.fill
func.func @bools(%out: memref<64xi1>) {
  %t = arith.constant true
  linalg.fill ins(%t : i1) outs(%out : memref<64xi1>)
  return
}

// -----

// A pad's left and right border columns of rows 1-4 of a 6x5 plane: the
// right border of a row and the left border of the next are adjacent, so
// with the rows collapsed into one line, one 2-element store per row pair
// writes both (positions 9-10, 14-15, 19-20), and the first row's left
// border (5) and the last row's right border (24) are stored alone.
// CHECK-LABEL: func.func @border_columns
// CHECK-NOT: linalg.fill
// CHECK-DAG: %[[PAIR:.*]] = arith.constant dense<0.000000e+00> : vector<2xf32>
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<0.000000e+00> : vector<1xf32>
// CHECK: %[[LINES:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : memref<1x2x6x5xf32> into memref<1x2x30xf32>
// CHECK: scf.for %[[C:.*]] = %c0 to %c2 step %c1 {
// CHECK-NEXT: vector.store %[[ONE]], %[[LINES]][%c0, %[[C]], %c5] : memref<1x2x30xf32>, vector<1xf32>
// CHECK-NEXT: vector.store %[[ONE]], %[[LINES]][%c0, %[[C]], %c24] : memref<1x2x30xf32>, vector<1xf32>
// CHECK-NEXT: scf.for %[[R:.*]] = %c1 to %c4 step %c1 {
// CHECK-NEXT: %[[LINE:.*]] = arith.muli %[[R]], %c5 : index
// CHECK-NEXT: %[[AT:.*]] = arith.addi %[[LINE]], %c4 : index
// CHECK-NEXT: vector.store %[[PAIR]], %[[LINES]][%c0, %[[C]], %[[AT]]] : memref<1x2x30xf32>, vector<2xf32>
func.func @border_columns(%pad: memref<1x2x6x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %l = memref.subview %pad[0, 0, 1, 0] [1, 2, 4, 1] [1, 1, 1, 1] : memref<1x2x6x5xf32> to memref<1x2x4x1xf32, strided<[60, 30, 5, 1], offset: 5>>
  %r = memref.subview %pad[0, 0, 1, 4] [1, 2, 4, 1] [1, 1, 1, 1] : memref<1x2x6x5xf32> to memref<1x2x4x1xf32, strided<[60, 30, 5, 1], offset: 9>>
  linalg.fill ins(%zero : f32) outs(%l : memref<1x2x4x1xf32, strided<[60, 30, 5, 1], offset: 5>>)
  linalg.fill ins(%zero : f32) outs(%r : memref<1x2x4x1xf32, strided<[60, 30, 5, 1], offset: 9>>)
  return
}
