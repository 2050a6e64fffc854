//===- GPUMapping.h - Shared by the GPU mapping patterns --------*- C++ -*-===//

#ifndef ONNXCOMPILE_LIB_TRANSFORMS_GPUMAPPING_H
#define ONNXCOMPILE_LIB_TRANSFORMS_GPUMAPPING_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace onnxc {

/// Collapses the parallel loop `loop` into one dim and tiles it by
/// `blockSize`: tiles to blocks, iterations to threads; parallel loops
/// nested in it become scf.for (they run in order in their thread).
void mapToBlocksAndThreads(mlir::RewriterBase &rewriter,
                           mlir::scf::ParallelOp loop, int64_t blockSize);

/// Replaces the f32 contraction `op` (isMultiplyAccumulate, static buffers)
/// by register-tiled GPU loops, one tile of outputs per thread. Fails,
/// leaving `op` alone, when it has no pair of parallel dims that each
/// input reads without the other.
mlir::LogicalResult mapContractionToGPU(mlir::RewriterBase &rewriter,
                                        mlir::linalg::GenericOp op,
                                        int64_t blockSize);

} // namespace onnxc

#endif // ONNXCOMPILE_LIB_TRANSFORMS_GPUMAPPING_H
