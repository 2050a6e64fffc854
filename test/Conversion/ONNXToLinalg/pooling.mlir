// RUN: onnx-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// MaxPool pads with -inf and reduces windows; the kernel's shape comes from
// an extra, unread operand.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[K:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-LABEL: func.func @maxpool
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[K]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK: arith.maximumf
func.func @maxpool(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  %0, %1 = "onnx.MaxPool"(%x) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x3x8x8xf32>) -> (tensor<1x3x4x4xf32>, none)
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// AveragePool without count_include_pad divides border windows by the
// number of real elements: a compile-time constant of counts.
// CHECK-LABEL: func.func @avgpool_pads
// CHECK: arith.constant dense<{{\[\[\[}}[4.000000e+00, 6.000000e+00, 4.000000e+00]
// CHECK: arith.divf
func.func @avgpool_pads(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %0 = "onnx.AveragePool"(%x) {kernel_shape = [3, 3], pads = [1, 1, 1, 1]} : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @global_average
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.constant 1.600000e+01 : f32
// CHECK: arith.divf
func.func @global_average(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x1x1xf32> {
  %0 = "onnx.GlobalAveragePool"(%x) : (tensor<1x3x4x4xf32>) -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>
}

// -----

// MaxPool with Indices: one generic with two outputs, the maximum and the
// flat input index (i64, -1 until a real element is seen); padding is
// masked by position, and only a strictly greater element replaces the
// current one. storage_order 1 numbers spatial dims column-major: h + w * H.
// CHECK-LABEL: func.func @maxpool_indices
// CHECK: tensor.pad
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins({{.*}} : tensor<1x1x7x7xf32>, tensor<3x3xf32>) outs({{.*}} : tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>)
// CHECK: arith.cmpi uge
// CHECK: arith.cmpi ult
// CHECK: arith.muli {{.*}}, %c5
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: arith.select
// CHECK: linalg.yield
func.func @maxpool_indices(%x: tensor<1x1x5x5xf32>) -> (tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>) {
  %0, %1 = "onnx.MaxPool"(%x) {kernel_shape = [3, 3], pads = [1, 1, 1, 1], storage_order = 1 : i64} : (tensor<1x1x5x5xf32>) -> (tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>)
  return %0, %1 : tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>
}

// -----

// MaxUnpool scatters X at its flat indices into zeros of the unpooled shape
// (skipping indices outside it), then pads at the end up to output_shape.
// CHECK-LABEL: func.func @maxunpool_output_shape
// CHECK: linalg.fill {{.*}} -> tensor<16xf32>
// CHECK: scf.for
// CHECK: arith.cmpi sge
// CHECK: arith.cmpi slt
// CHECK: tensor.insert
// CHECK: tensor.expand_shape {{.*}} into tensor<1x1x4x4xf32>
// CHECK: tensor.pad {{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
func.func @maxunpool_output_shape(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>, %shape: tensor<4xi64>) -> tensor<1x1x5x5xf32> {
  %0 = "onnx.MaxUnpool"(%x, %i, %shape) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<4xi64>) -> tensor<1x1x5x5xf32>
  return %0 : tensor<1x1x5x5xf32>
}
