// RUN: onnx-opt %s -convert-onnx-to-linalg | FileCheck %s

// The pool becomes constant tensors (tokens padded to the longest n-gram,
// lengths); one generic counts occurrences per (row, n-gram) over skips and
// start positions, a second maps counts to output columns.
// CHECK-LABEL: func.func @tfidf
// CHECK: arith.constant dense<{{\[}}[2, 0], [3, 0], [5, 0], [4, 0], [5, 6], [7, 8], [6, 7]]> : tensor<7x2xi64>
// CHECK: arith.constant dense<[1, 1, 1, 1, 2, 2, 2]> : tensor<7xi64>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<1x6xi64>) outs(%{{.*}} : tensor<2x7xi64>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x7xi64>, tensor<7xi64>, tensor<7xf32>) outs(%{{.*}} : tensor<2x7xf32>)
func.func @tfidf(%x: tensor<2x6xi32>) -> tensor<2x7xf32> {
  %0 = "onnx.TfIdfVectorizer"(%x) {max_gram_length = 2 : i64, max_skip_count = 0 : i64, min_gram_length = 2 : i64, mode = "TF", ngram_counts = [0, 4], ngram_indexes = [0, 1, 2, 3, 4, 5, 6], pool_int64s = [2, 3, 5, 4, 5, 6, 7, 8, 6, 7]} : (tensor<2x6xi32>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}
