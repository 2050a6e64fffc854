//===- Passes.td - onnx-compile transformation passes ------*- tablegen -*-===//

#ifndef ONNXCOMPILE_TRANSFORMS_PASSES_TD
#define ONNXCOMPILE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AssignWorkspace : Pass<"assign-workspace", "mlir::func::FuncOp"> {
  let summary = "Place every static buffer at a fixed offset in one "
                "caller-owned workspace";
  let description = [{
    Runs after bufferization. Every `memref.alloc` of a static shape in the
    function's body becomes a `memref.view` into a new trailing function
    argument of type `memref<SIZExi8>`, the workspace. Offsets come from
    buffer liveness in the (single-block) body: a buffer lives from its
    allocation to the last use of it or of any view of it, and buffers whose
    lifetimes do not overlap share memory. Placement is greedy by size,
    first fit, with every offset aligned to `alignment` bytes. The size is
    recorded in the `onnxc.workspace_size` function attribute, so the
    compiled model never calls malloc.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Byte alignment of every buffer in the workspace">,
    Option<"reuse", "reuse", "bool", /*default=*/"true",
           "Share memory between buffers whose lifetimes do not overlap">
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def CopyToLinalg : Pass<"copy-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Turn memref.copy into linalg.copy";
  let description = [{
    memref.copy of non-contiguous views lowers to a call into MLIR's C
    runner library. The compiled object must not depend on it, so copies
    become linalg.copy, which lowers to plain loops.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ReorderContractionLoops
    : Pass<"reorder-contraction-loops", "mlir::func::FuncOp"> {
  let summary = "Put the reduction loops of contractions outside the "
                "innermost output loop";
  let description = [{
    Contractions (MatMul, Gemm, Conv, Einsum: a linalg.generic with two or
    more inputs and a reduction loop innermost) walk their reduction
    innermost, with a strided read of one operand and a scalar
    accumulator. This pass interchanges the loops (upstream
    `linalg::interchangeGenericOp`) so that the output's fastest-varying
    dim is the innermost loop and the reductions sit just outside it:
    C[m, n] += A[m, k] * B[k, n] then runs n innermost over contiguous
    memory, which LLVM's loop vectorizer turns into vector FMAs.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // ONNXCOMPILE_TRANSFORMS_PASSES_TD
