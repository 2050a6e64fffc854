//===- GPUContractions.cpp - Register-tiled contractions for the GPU ------===//
//
// A contraction (MatMul, Gemm, Conv, Einsum: acc + x * y over reduction
// loops) mapped one thread per output element loads two operands per
// multiply-add. Here each thread computes a tile of kTileM x kTileN outputs
// along two parallel dims: N, which only one operand (B) reads, and M,
// which only the other (A) reads. Per step of the reduction loops a thread
// loads kTileM values of A and kTileN of B and does kTileM x kTileN fused
// multiply-adds in registers. The thread index runs fastest over the N
// tiles, so that a warp reads consecutive B values (the weights, stored
// output channel innermost) and shares its A values.
//
//===----------------------------------------------------------------------===//

#include "Contraction.h"
#include "GPUMapping.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace onnxc {
namespace {

constexpr int64_t kTileM = 4, kTileN = 4;

/// The dims of the register tile, which input is A (reads M, not N), and
/// the tile's extent along M and N (smaller for shorter dims).
struct TileDims {
  unsigned n, m;
  unsigned a, b;
  int64_t sizeM = kTileM, sizeN = kTileN;
};

/// The parallel dim that `uses` reads and `avoid` does not, preferring the
/// one that appears last in `order`'s results (the innermost in memory).
std::optional<unsigned> pickDim(linalg::GenericOp op, AffineMap uses,
                                AffineMap avoid, AffineMap order) {
  std::optional<unsigned> best;
  int64_t bestPosition = -1;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < iterators.size(); ++d) {
    if (iterators[d] != utils::IteratorType::parallel ||
        !uses.isFunctionOfDim(d) || avoid.isFunctionOfDim(d))
      continue;
    int64_t position = 0;
    for (auto [i, expr] : llvm::enumerate(order.getResults()))
      if (expr.isFunctionOfDim(d))
        position = i;
    if (position > bestPosition) {
      best = d;
      bestPosition = position;
    }
  }
  return best;
}

std::optional<TileDims> chooseTileDims(linalg::GenericOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!maps[2].isProjectedPermutation())
    return std::nullopt;
  for (auto [a, b] : {std::pair<unsigned, unsigned>{0, 1}, {1, 0}}) {
    std::optional<unsigned> n = pickDim(op, maps[b], maps[a], maps[b]);
    std::optional<unsigned> m = pickDim(op, maps[a], maps[b], maps[2]);
    if (n && m)
      return TileDims{*n, *m, a, b};
  }
  return std::nullopt;
}

/// Indices of `map` at the loop point `dims`; dims the map does not read
/// may be null.
SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ArrayRef<Value> dims) {
  SmallVector<Value> operands(dims);
  for (Value &operand : operands)
    if (!operand)
      operand = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> indices;
  for (AffineExpr expr : map.getResults())
    indices.push_back(affine::AffineApplyOp::create(
        b, loc, AffineMap::get(map.getNumDims(), 0, expr), operands));
  return indices;
}

Value index(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// The `size` elements of tile `tile` along a dim (some past its end in a
/// partial tile).
SmallVector<Value> tileElements(OpBuilder &b, Location loc, Value tile,
                                int64_t size) {
  Value first = arith::MulIOp::create(b, loc, tile, index(b, loc, size));
  SmallVector<Value> elements;
  for (int64_t i = 0; i < size; ++i)
    elements.push_back(
        arith::AddIOp::create(b, loc, first, index(b, loc, i)));
  return elements;
}

/// `element` clamped to the dim's last: loads of a partial tile stay in
/// bounds (their results are never stored).
Value clamped(OpBuilder &b, Location loc, Value element, int64_t extent) {
  return arith::MinUIOp::create(b, loc, element, index(b, loc, extent - 1));
}

/// Whether `element` exists along a dim of `extent`.
Value inBounds(OpBuilder &b, Location loc, Value element, int64_t extent) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, element,
                               index(b, loc, extent));
}

/// The body of one thread: one tile of the output (`parallel` holds the
/// parallel ivs, the N and M ones counting tiles). Dims shorter than a
/// tile get a tile of their length.
void emitTile(OpBuilder &b, Location loc, linalg::GenericOp op,
              const TileDims &dims, ArrayRef<int64_t> extents,
              ArrayRef<unsigned> parallelDims, ValueRange parallel) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Value inputA = op.getDpsInputs()[dims.a], inputB = op.getDpsInputs()[dims.b];
  Value output = op.getDpsInits()[0];
  unsigned numLoops = extents.size();
  SmallVector<Value> point(numLoops);
  Value ivN, ivM;
  for (auto [d, iv] : llvm::zip(parallelDims, parallel)) {
    point[d] = iv;
    if (d == dims.n)
      ivN = iv;
    if (d == dims.m)
      ivM = iv;
  }
  int64_t extentN = extents[dims.n], extentM = extents[dims.m];
  const int64_t tileM = dims.sizeM, tileN = dims.sizeN;
  SmallVector<Value> elementsM = tileElements(b, loc, ivM, tileM),
                     elementsN = tileElements(b, loc, ivN, tileN);
  SmallVector<Value> rowsM, colsN;
  for (Value element : elementsM)
    rowsM.push_back(clamped(b, loc, element, extentM));
  for (Value element : elementsN)
    colsN.push_back(clamped(b, loc, element, extentN));

  // The accumulators start from the output (its init: zeros or the bias).
  auto outputAt = [&](int64_t i, int64_t j) {
    SmallVector<Value> at(point);
    at[dims.m] = rowsM[i];
    at[dims.n] = colsN[j];
    return applyMap(b, loc, maps[2], at);
  };
  SmallVector<Value> init;
  for (int64_t i = 0; i < tileM; ++i)
    for (int64_t j = 0; j < tileN; ++j)
      init.push_back(memref::LoadOp::create(b, loc, output, outputAt(i, j)));

  SmallVector<unsigned> reductionDims;
  SmallVector<int64_t> reductionExtents;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < numLoops; ++d)
    if (iterators[d] == utils::IteratorType::reduction) {
      reductionDims.push_back(d);
      reductionExtents.push_back(extents[d]);
    }
  scf::LoopNest nest = buildStaticLoopNest(
      b, loc, reductionExtents, init,
      [&](ValueRange ivs, ValueRange acc) -> scf::ValueVector {
        SmallVector<Value> at(point);
        for (auto [d, iv] : llvm::zip(reductionDims, ivs))
          at[d] = iv;
        // The tile's values of `input` along `dim` (at `elements`); the
        // input does not read `unread`: any value will do there.
        auto loadAlong = [&](Value input, AffineMap map, unsigned dim,
                             ArrayRef<Value> elements, unsigned unread) {
          SmallVector<Value> values;
          for (Value element : elements) {
            SmallVector<Value> atElement(at);
            atElement[dim] = element;
            atElement[unread] = index(b, loc, 0);
            values.push_back(memref::LoadOp::create(
                b, loc, input, applyMap(b, loc, map, atElement)));
          }
          return values;
        };
        SmallVector<Value> valuesA =
            loadAlong(inputA, maps[dims.a], dims.m, rowsM, dims.n);
        SmallVector<Value> valuesB =
            loadAlong(inputB, maps[dims.b], dims.n, colsN, dims.m);
        scf::ValueVector next;
        for (int64_t i = 0; i < tileM; ++i)
          for (int64_t j = 0; j < tileN; ++j)
            next.push_back(math::FmaOp::create(b, loc, valuesA[i], valuesB[j],
                                               acc[i * tileN + j]));
        return next;
      });
  ValueRange sums = nest.results;
  for (int64_t i = 0; i < tileM; ++i)
    for (int64_t j = 0; j < tileN; ++j) {
      Value inside = arith::AndIOp::create(
          b, loc, inBounds(b, loc, elementsM[i], extentM),
          inBounds(b, loc, elementsN[j], extentN));
      auto guard = scf::IfOp::create(b, loc, inside, /*withElse=*/false);
      OpBuilder::InsertionGuard insertion(b);
      b.setInsertionPointToStart(guard.thenBlock());
      memref::StoreOp::create(b, loc, sums[i * tileN + j], output,
                              outputAt(i, j));
    }
}

} // namespace

LogicalResult mapContractionToGPU(RewriterBase &rewriter, linalg::GenericOp op,
                                  int64_t blockSize) {
  if (!isMultiplyAccumulate(op) || !hasStaticF32Buffers(op) ||
      op.hasIndexSemantics())
    return failure();
  std::optional<TileDims> dims = chooseTileDims(op);
  if (!dims)
    return failure();
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  dims->sizeM = std::min(kTileM, extents[dims->m]);
  dims->sizeN = std::min(kTileN, extents[dims->n]);
  const int64_t tileM = dims->sizeM, tileN = dims->sizeN;
  // Parallel dims in loop order, N last: consecutive threads, consecutive
  // N tiles.
  SmallVector<unsigned> parallelDims;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < iterators.size(); ++d)
    if (iterators[d] == utils::IteratorType::parallel && d != dims->n)
      parallelDims.push_back(d);
  parallelDims.push_back(dims->n);
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<Value> lower, upper, steps;
  for (unsigned d : parallelDims) {
    int64_t size = d == dims->n ? tileN : d == dims->m ? tileM : 1;
    lower.push_back(index(rewriter, loc, 0));
    upper.push_back(index(rewriter, loc, llvm::divideCeil(extents[d], size)));
    steps.push_back(index(rewriter, loc, 1));
  }
  auto loop = scf::ParallelOp::create(
      rewriter, loc, lower, upper, steps,
      [&](OpBuilder &b, Location bodyLoc, ValueRange ivs) {
        emitTile(b, bodyLoc, op, *dims, extents, parallelDims, ivs);
      });
  rewriter.eraseOp(op);
  mapToBlocksAndThreads(rewriter, loop, blockSize);
  return success();
}

} // namespace onnxc
