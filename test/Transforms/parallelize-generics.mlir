// RUN: onnx-opt %s -parallelize-generics="min-parallel-work=64" -split-input-file | FileCheck %s

// A bias add with ReLU over [8, 16]: split along dim 0, each body
// iteration range [begin, end) a slice of the two 2-D operands; the 1-D
// bias, which does not read dim 0, is passed whole.
// CHECK-LABEL: func.func @bias_relu(
// CHECK: %[[BODY:.*]] = constant @bias_relu_loop0
// CHECK: call @onnxc_parallel_for(%[[BODY]], {{.*}}, %c8)
// CHECK-NOT: linalg.generic
// CHECK: return
// CHECK-LABEL: func.func private @bias_relu_loop0(
// CHECK-SAME: %[[X:.*]]: memref<f32>, %[[BIAS:.*]]: memref<f32>, %[[Y:.*]]: memref<f32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK: %[[XS:.*]] = memref.reinterpret_cast %[[X]] to offset: [0], sizes: [8, 16], strides: [16, 1]
// CHECK: %[[BS:.*]] = memref.reinterpret_cast %[[BIAS]] to offset: [0], sizes: [16], strides: [1]
// CHECK: %[[YS:.*]] = memref.reinterpret_cast %[[Y]] to offset: [0], sizes: [8, 16], strides: [16, 1]
// CHECK: %[[SIZE:.*]] = arith.subi %[[END]], %[[BEGIN]]
// CHECK: %[[XSLICE:.*]] = memref.subview %[[XS]][%[[BEGIN]], 0] [%[[SIZE]], 16] [1, 1]
// CHECK: %[[YSLICE:.*]] = memref.subview %[[YS]][%[[BEGIN]], 0] [%[[SIZE]], 16] [1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[XSLICE]], %[[BS]] : {{.*}}) outs(%[[YSLICE]] : {{.*}})
// CHECK: arith.maximumf
// CHECK-LABEL: func.func @onnxc_parallel_for(
// CHECK-SAME: llvm.linkage = #llvm.linkage<weak>
#x = affine_map<(i, j) -> (i, j)>
#b = affine_map<(i, j) -> (j)>
func.func @bias_relu(%x: memref<8x16xf32>, %bias: memref<16xf32>, %y: memref<8x16xf32>) {
  linalg.generic {indexing_maps = [#x, #b, #x], iterator_types = ["parallel", "parallel"]}
      ins(%x, %bias : memref<8x16xf32>, memref<16xf32>) outs(%y : memref<8x16xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %c : f32
    %zero = arith.constant 0.0 : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

#x = affine_map<(i, j) -> (i, j)>
// Left serial: too small, an i64 buffer, or four buffers.
// CHECK-LABEL: func.func @serial
// CHECK-NOT: onnxc_parallel_for
// CHECK-COUNT-3: linalg.generic
func.func @serial(%small: memref<4x4xf32>, %ints: memref<8x16xi64>, %a: memref<8x16xf32>, %b: memref<8x16xf32>, %c: memref<8x16xf32>, %d: memref<8x16xf32>) {
  linalg.generic {indexing_maps = [#x], iterator_types = ["parallel", "parallel"]} outs(%small : memref<4x4xf32>) {
  ^bb0(%out: f32):
    %z = arith.constant 0.0 : f32
    linalg.yield %z : f32
  }
  linalg.generic {indexing_maps = [#x], iterator_types = ["parallel", "parallel"]} outs(%ints : memref<8x16xi64>) {
  ^bb0(%out: i64):
    %z = arith.constant 0 : i64
    linalg.yield %z : i64
  }
  linalg.generic {indexing_maps = [#x, #x, #x, #x], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b, %c : memref<8x16xf32>, memref<8x16xf32>, memref<8x16xf32>) outs(%d : memref<8x16xf32>) {
  ^bb0(%p: f32, %q: f32, %r: f32, %out: f32):
    %s = arith.addf %p, %q : f32
    %t = arith.addf %s, %r : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// A body that captures a constant from the function takes a copy of it;
// one that captures another value stays serial.
// CHECK-LABEL: func.func @captures(
// CHECK: call @onnxc_parallel_for
// CHECK: linalg.generic
// CHECK-SAME: outs(%arg1 : memref<8x16xf32>)
// CHECK-LABEL: func.func private @captures_loop0(
// CHECK: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: linalg.generic
// CHECK: arith.mulf %{{.*}}, %[[HALF]]
#x = affine_map<(i, j) -> (i, j)>
func.func @captures(%x: memref<8x16xf32>, %y: memref<8x16xf32>, %s: f32) {
  %half = arith.constant 0.5 : f32
  linalg.generic {indexing_maps = [#x], iterator_types = ["parallel", "parallel"]} outs(%x : memref<8x16xf32>) {
  ^bb0(%out: f32):
    %m = arith.mulf %out, %half : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#x], iterator_types = ["parallel", "parallel"]} outs(%y : memref<8x16xf32>) {
  ^bb0(%out: f32):
    %m = arith.mulf %out, %s : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A pad's four border fills on 64 channels of 58 x 58 (fill-pad-borders),
// with views between them: one body fills the four boxes for each chunk of
// 2 channels (32 chunks), each chunk a view of static shape of the padded
// buffer and each box a static subview of it, so that vectorize-fills can
// still pair the columns.
// CHECK-LABEL: func.func @pad_borders(
// CHECK: %[[BODY:.*]] = constant @pad_borders_fills0
// CHECK: call @onnxc_parallel_for(%[[BODY]], {{.*}}, %c32)
// CHECK-NOT: linalg.fill
// CHECK: return
// CHECK-LABEL: func.func private @pad_borders_fills0(
// CHECK-SAME: %[[P:.*]]: memref<f32>, %{{.*}}: memref<f32>, %{{.*}}: memref<f32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK: %[[PS:.*]] = memref.reinterpret_cast %[[P]] to offset: [0], sizes: [1, 64, 58, 58]
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step %{{.*}} {
// CHECK: %[[FIRST:.*]] = arith.muli %[[I]], %c2
// CHECK: %[[CH:.*]] = memref.subview %[[PS]][0, %[[FIRST]], 0, 0] [1, 2, 58, 58] [1, 1, 1, 1]
// CHECK: %[[TOP:.*]] = memref.subview %[[CH]][0, 0, 0, 0] [1, 2, 1, 58] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[TOP]] : memref<1x2x1x58xf32, strided<[215296, 3364, 58, 1], offset: ?>>)
// CHECK: memref.subview %[[CH]][0, 0, 57, 0] [1, 2, 1, 58] [1, 1, 1, 1]
// CHECK: linalg.fill
// CHECK: memref.subview %[[CH]][0, 0, 1, 0] [1, 2, 56, 1] [1, 1, 1, 1]
// CHECK: linalg.fill
// CHECK: memref.subview %[[CH]][0, 0, 1, 57] [1, 2, 56, 1] [1, 1, 1, 1]
// CHECK: linalg.fill
func.func @pad_borders(%ws: memref<1000000xi8>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %p = memref.view %ws[%c0][] : memref<1000000xi8> to memref<1x64x58x58xf32>
  %top = memref.subview %p[0, 0, 0, 0] [1, 64, 1, 58] [1, 1, 1, 1] : memref<1x64x58x58xf32> to memref<1x64x1x58xf32, strided<[215296, 3364, 58, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x64x1x58xf32, strided<[215296, 3364, 58, 1]>>)
  %bottom = memref.subview %p[0, 0, 57, 0] [1, 64, 1, 58] [1, 1, 1, 1] : memref<1x64x58x58xf32> to memref<1x64x1x58xf32, strided<[215296, 3364, 58, 1], offset: 3306>>
  linalg.fill ins(%zero : f32) outs(%bottom : memref<1x64x1x58xf32, strided<[215296, 3364, 58, 1], offset: 3306>>)
  %left = memref.subview %p[0, 0, 1, 0] [1, 64, 56, 1] [1, 1, 1, 1] : memref<1x64x58x58xf32> to memref<1x64x56x1xf32, strided<[215296, 3364, 58, 1], offset: 58>>
  linalg.fill ins(%zero : f32) outs(%left : memref<1x64x56x1xf32, strided<[215296, 3364, 58, 1], offset: 58>>)
  %right = memref.subview %p[0, 0, 1, 57] [1, 64, 56, 1] [1, 1, 1, 1] : memref<1x64x58x58xf32> to memref<1x64x56x1xf32, strided<[215296, 3364, 58, 1], offset: 115>>
  linalg.fill ins(%zero : f32) outs(%right : memref<1x64x56x1xf32, strided<[215296, 3364, 58, 1], offset: 115>>)
  return
}

// -----

// Too few rows (a pad of 4 channels of 10 x 10: 72 rows), and fills of two
// buffers with an op in between that reads one: they stay where they are.
// CHECK-LABEL: func.func @small_pad(
// CHECK-NOT: onnxc_parallel_for
// CHECK-COUNT-2: linalg.fill
func.func @small_pad(%ws: memref<4096xi8>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %p = memref.view %ws[%c0][] : memref<4096xi8> to memref<1x4x10x10xf32>
  %top = memref.subview %p[0, 0, 0, 0] [1, 4, 1, 10] [1, 1, 1, 1] : memref<1x4x10x10xf32> to memref<1x4x1x10xf32, strided<[400, 100, 10, 1]>>
  linalg.fill ins(%zero : f32) outs(%top : memref<1x4x1x10xf32, strided<[400, 100, 10, 1]>>)
  %left = memref.subview %p[0, 0, 1, 0] [1, 4, 8, 1] [1, 1, 1, 1] : memref<1x4x10x10xf32> to memref<1x4x8x1xf32, strided<[400, 100, 10, 1], offset: 10>>
  linalg.fill ins(%zero : f32) outs(%left : memref<1x4x8x1xf32, strided<[400, 100, 10, 1], offset: 10>>)
  return
}
