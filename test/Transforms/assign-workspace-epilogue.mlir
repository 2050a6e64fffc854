// RUN: onnx-opt %s -assign-workspace=print-plan -o /dev/null | FileCheck %s --check-prefix=PLAIN
// RUN: onnx-opt %s -assign-workspace="print-plan epilogue-lifetimes" -o /dev/null | FileCheck %s --check-prefix=EPILOGUE

// A matmul of %a into %c, then ReLU of %c into %d. Plainly, %a dies at the
// matmul and %d takes its memory (offset 0). With epilogue-lifetimes the
// matmul counts as using %a until the ReLU, which vectorize-contractions
// applies in the matmul's kernel: %d must not be where %a is.
// PLAIN:      memory plan of @matmul_relu: workspace 192 bytes
// PLAIN-NEXT:   offset        bytes  live            node
// PLAIN-NEXT:        0          128  [0, 5]          -
// PLAIN-NEXT:      128           64  [3, 7]          -
// PLAIN-NEXT:        0           64  [6, 8]          -
// EPILOGUE:      memory plan of @matmul_relu: workspace 256 bytes
// EPILOGUE-NEXT:   offset        bytes  live            node
// EPILOGUE-NEXT:        0          128  [0, 7]          -
// EPILOGUE-NEXT:      128           64  [3, 7]          -
// EPILOGUE-NEXT:      192           64  [6, 8]          -
func.func @matmul_relu(%x: memref<4x8xf32>, %b: memref<8x4xf32>, %out: memref<4x4xf32>) {
  %a = memref.alloc() : memref<4x8xf32>
  memref.copy %x, %a : memref<4x8xf32> to memref<4x8xf32>
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<4x4xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<4x4xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x4xf32>) outs(%c : memref<4x4xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  %d = memref.alloc() : memref<4x4xf32>
  linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<4x4xf32>) outs(%d : memref<4x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  }
  memref.copy %d, %out : memref<4x4xf32> to memref<4x4xf32>
  return
}
