//===- VectorizeContractions.cpp - Register-tiled FMA contractions --------===//
//
// MatMul, Gemm, Conv and Einsum lower to a linalg.generic that computes
// acc += x * y. Lowered to scalar loops, LLVM reaches a few percent of the
// machine's peak on them. This pass rewrites such a generic (on buffers,
// f32, static shapes) into the loop nest of the register-tiled
// micro-kernels that ONNX Runtime's MLAS and IREE use: a tile of rows by
// 1-4 vectors (8 for one row) of output columns is held in vector registers for
// the whole reduction; each reduction step loads the tile's B vectors once,
// broadcasts one A scalar per row, and issues one FMA per accumulator.
//
// Which loop dims play the roles of M and N comes from the indexing maps,
// so one rewrite serves every contraction the lowerings build:
//   - N is an output dim that B reads along its own innermost dim (with a
//     constant stride: a strided convolution loads a wider vector and
//     keeps every stride-th lane) and A does not read (A's value is
//     broadcast across the columns): the output's innermost dim, or a
//     convolution's output channels when its weight is stored
//     channel-innermost.
//   - M is an output dim that A reads and, preferably, B does not (the
//     output channel or column of a convolution, the row of a matrix
//     product), so that each B vector serves every row of the tile.
//   - Of the candidates, and of the tile shapes the registers allow, the
//     one an estimate of the FMA units' use prefers (tileEfficiency).
// A constant B is repacked into panels of the tile width (packWeight);
// with `parallel`, the outermost tile loop goes to the onnxc_parallel_for
// hook (ParallelFor.h).
//
//===----------------------------------------------------------------------===//

#include "Contraction.h"
#include "ParallelFor.h"
#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <numeric>

namespace onnxc {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONS
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// The fewest columns (N) a vectorized contraction has.
constexpr int64_t kMinColumns = 4;

/// The bytes of an input A that stay in cache from one column tile's pass
/// over it to the next (half of a 1 MiB L2).
constexpr int64_t kCachedInputBytes = 512 * 1024;

/// The bytes of an activation B that one block of its sweep reads, when
/// the row tiles of a weight A go outermost and B is too large to stay in
/// L2 from one row tile's sweep to the next (see blockedSweep).
constexpr int64_t kSweepBlockBytes = 128 * 1024;

/// The fewest iterations of the outermost tile loop that the thread pool
/// splits on their own; below, it splits those of the two outermost loops.
constexpr int64_t kMinParallelSplit = 16;

bool reads(ArrayRef<LinearExpr> exprs, unsigned dim) {
  return llvm::any_of(exprs,
                      [&](const LinearExpr &e) { return e.coeffs[dim] != 0; });
}

/// True when `value` is (a view of) a constant global: a weight.
bool isWeight(Value value) {
  return viewedBuffer(value).getDefiningOp<memref::GetGlobalOp>() != nullptr;
}

/// True when `value` is (a view of) an argument of the function: a model
/// input, which the caller wrote before the run, and which comes from
/// memory rather than from a cache that the previous kernel warmed.
bool isArgument(Value value) {
  // The workspace is an argument too, but its buffers are memref.views.
  return llvm::isa<BlockArgument>(viewedBuffer(value));
}

/// How a generic maps onto the micro-kernel.
struct Contraction {
  Value a, b, c;
  /// Where the results go: C, or an epilogue's output viewed as C.
  Value d;
  /// Applied to the results before they are stored, with the epilogue's
  /// other inputs (viewed as C) and which of its inputs C is.
  linalg::GenericOp epilogue;
  SmallVector<Value> extras;
  unsigned accInput = 0;
  /// Where the accumulators start, when the kernel initializes them itself
  /// (a prologue): from a constant, or from initSource at initExprs.
  FloatAttr initSplat;
  Value initSource;
  SmallVector<LinearExpr> initExprs;
  SmallVector<LinearExpr> aExprs, bExprs, cExprs;
  SmallVector<int64_t> ranges;
  unsigned n;
  std::optional<unsigned> m;
  /// B's step along its innermost dim for one step of n.
  int64_t stride;
  /// Whether n is the output's innermost dim (else accumulators are
  /// gathered from and scattered to C, once per tile).
  bool contiguousC;
  /// Rows and vectors of columns of a full tile.
  int64_t tileRows = 0, tileVectors = 2;
  /// When B is a weight repacked into panels of this many columns:
  /// B'[n / width, <B's other indices>, n % width] (see packWeight).
  int64_t packedWidth = 0;
  /// The parallel dims other than m and n, outermost first.
  SmallVector<unsigned> outer;
  SmallVector<unsigned> reductions;
  /// The output's dims, in C's order, and the product of the reductions'
  /// ranges.
  SmallVector<unsigned> outDims;
  int64_t reductionSteps = 1;
  /// When the columns are an image's rows wrapped into one line (see
  /// wrapRows): how a column maps to C.
  struct RowWrap {
    /// The line's row length (B's padded row) and the valid columns of a
    /// row.
    int64_t width, valid;
    /// A buffer read or written at C's indices, viewed as one line: its
    /// distance between rows, and the line's length.
    struct Line {
      int64_t stride, size;
    };
    /// D's line, and those of the epilogue's other inputs (extras).
    Line d;
    SmallVector<Line> extras;
    /// The line's position among C's indices, and the most output rows a
    /// vector covers (one masked store each).
    unsigned dim;
    int64_t rowsPerVector;
  };
  std::optional<RowWrap> wrap;
};

/// Every buffer the kernel of `c` reads or writes.
SmallVector<Value> kernelBuffers(const Contraction &c) {
  SmallVector<Value> buffers{c.a, c.b};
  // With a prologue and an epilogue elsewhere, C is never touched.
  if (!(c.initSplat || c.initSource) || c.d == c.c)
    buffers.push_back(c.c);
  buffers.push_back(c.d);
  llvm::append_range(buffers, c.extras);
  if (c.initSource)
    buffers.push_back(c.initSource);
  return buffers;
}

/// Sets c.m: the innermost output dim that A reads, preferably one B does
/// not read.
void chooseRowDim(Contraction &c, ArrayRef<unsigned> outDims) {
  SmallVector<unsigned> candidates;
  for (unsigned d : llvm::reverse(outDims))
    if (d != c.n && c.ranges[d] > 1 && reads(c.aExprs, d))
      candidates.push_back(d);
  c.m.reset();
  for (unsigned d : candidates)
    if (!reads(c.bExprs, d)) {
      c.m = d;
      break;
    }
  if (!c.m && !candidates.empty())
    c.m = candidates.front();
}

/// The estimated fraction of the FMA units' peak that the tiles of `c`
/// reach: each reduction step issues rows x vectors FMAs (two a cycle) and
/// rows + vectors loads (two a cycle; a B vector with stride s is a span
/// of s vectors; one per row and vector when B reads M); fewer than 8
/// accumulators cannot hide the FMA latency (4 cycles); partly filled
/// vectors and row tiles waste lanes; columns past the last full tile
/// take a narrower tile (112 columns are two tiles of 3 vectors and one
/// of 1, not three of 3 with two wasted); and gathering the accumulators of
/// a non-contiguous C costs a load and a store per lane, once per tile.
double tileEfficiency(const Contraction &c, int64_t lanes,
                      int64_t reductionSteps) {
  int64_t columns = c.ranges[c.n];
  int64_t extent = c.m ? c.ranges[*c.m] : 1;
  int64_t tiles = llvm::divideCeil(extent, c.tileRows);
  int64_t rows = llvm::divideCeil(extent, tiles);
  bool bReadsM = c.m && reads(c.bExprs, *c.m);
  auto tileCycles = [&](int64_t vectors) {
    double fmas = double(rows * vectors);
    double bLoads = double(vectors * c.stride * (bReadsM ? rows : 1));
    double cycles = std::max({fmas / 2, (double(rows) + bLoads) / 2, 4.0}) *
                    double(reductionSteps);
    if (!c.contiguousC)
      cycles += double(rows * vectors * lanes);
    return cycles;
  };
  // With a weight B, the loop over column tiles is outermost and every
  // tile streams all of A: a narrower last tile costs a pass over A as a
  // full one does, so it is rated as one.
  int64_t width = c.tileVectors * lanes, rest = columns % width;
  double cycles = double(columns / width) * tileCycles(c.tileVectors);
  if (rest && isWeight(c.b))
    cycles += tileCycles(
        std::min<int64_t>(c.tileVectors, llvm::divideCeil(columns, lanes)));
  else if (rest)
    cycles += tileCycles(llvm::divideCeil(rest, lanes));
  double useful = double(rows) * (double(columns) / double(lanes)) *
                  (double(extent) / double(tiles * rows)) *
                  double(reductionSteps);
  return useful / (2 * cycles);
}

/// Sets c.m and the tile: 1 to 4 vectors of columns (8 for one row) by as many
/// rows as the registers hold (2 x `rows` accumulators, the B vectors and a
/// broadcast), whichever tileEfficiency rates best: few rows (a 7-wide
/// convolution) take more vectors, one vector of columns twice the rows.
void chooseTile(Contraction &c, ArrayRef<unsigned> outDims, int64_t lanes,
                int64_t rows, int64_t reductionSteps) {
  chooseRowDim(c, outDims);
  int64_t registers = 2 * rows + 4;
  // One row (a matrix-vector product) has no rows to share the B
  // vectors: more of them keep more FMA chains and weight streams going.
  int64_t extent = c.m ? c.ranges[*c.m] : 1;
  int64_t maxVectors = std::min<int64_t>(
      extent == 1 ? 8 : 4, llvm::divideCeil(c.ranges[c.n], lanes));
  double best = -1;
  Contraction trial = c;
  // With a weight B, the loop over its column tiles is outermost and each
  // of its iterations streams all of A again. An A larger than what the
  // core's L2 cache keeps around comes from L3 every time: then, of tiles
  // that use the FMA units equally well, the widest (fewest passes) wins;
  // else the narrowest (more rows share each B vector).
  auto aType = llvm::cast<MemRefType>(c.a.getType());
  bool widestFirst =
      isWeight(c.b) && aType.getNumElements() * 4 > kCachedInputBytes;
  for (int64_t step = 0; step < maxVectors; ++step) {
    int64_t vectors = widestFirst ? maxVectors - step : step + 1;
    // A strided B (a stride-2 convolution) takes two vectors of columns,
    // by as many rows as the registers hold: every B vector costs a span
    // and a permute, shared by the rows. The model rates 1, 2 and 3
    // vectors within 2% of each other; on Zen 5, 2 x 12 measured fastest
    // (SqueezeNet 1.4-3%, MobileNetV2 5.5% faster than the 3 x 8 it chose,
    // and 2.5% faster than 1 x 22).
    if (c.stride > 1 && vectors != std::min<int64_t>(2, maxVectors))
      continue;
    trial.tileVectors = vectors;
    trial.tileRows =
        std::min<int64_t>(2 * rows, (registers - 1 - vectors) / vectors);
    if (trial.tileRows < 1)
      break;
    double score = tileEfficiency(trial, lanes, reductionSteps);
    if (score > best * 1.02) {
      best = score;
      c.tileVectors = trial.tileVectors;
      c.tileRows = trial.tileRows;
    }
  }
}

FailureOr<Contraction>
matchContraction(linalg::GenericOp op, int64_t lanes, int64_t rows,
                 std::optional<unsigned> onlyN = std::nullopt) {
  if (!op.hasPureBufferSemantics() || !isMultiplyAccumulate(op) ||
      !hasStaticF32Buffers(op))
    return failure();
  Contraction c;
  c.ranges = op.getStaticLoopRanges();
  if (llvm::any_of(c.ranges, ShapedType::isDynamic))
    return failure();

  // The output reads each parallel dim once, and no reduction dim.
  AffineMap outMap = op.getIndexingMapsArray()[2];
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> outDims;
  for (AffineExpr expr : outMap.getResults()) {
    auto dim = llvm::dyn_cast<AffineDimExpr>(expr);
    if (!dim || llvm::is_contained(outDims, dim.getPosition()))
      return failure();
    outDims.push_back(dim.getPosition());
  }
  for (auto [d, type] : llvm::enumerate(iterators)) {
    bool parallel = type == utils::IteratorType::parallel;
    if (parallel != llvm::is_contained(outDims, d))
      return failure();
    if (!parallel)
      c.reductions.push_back(d);
  }
  auto lhs = linearize(op.getIndexingMapsArray()[0]);
  auto rhs = linearize(op.getIndexingMapsArray()[1]);
  auto out = linearize(outMap);
  if (c.reductions.empty() || outDims.empty() || !lhs || !rhs || !out ||
      lhs->empty() || rhs->empty())
    return failure();
  c.cExprs = *out;
  c.c = c.d = op.getDpsInits()[0];
  c.outDims = outDims;
  Value x = op.getDpsInputs()[0], y = op.getDpsInputs()[1];
  for (unsigned d : c.reductions)
    c.reductionSteps *= c.ranges[d];
  int64_t reductionSteps = c.reductionSteps;

  // N: an output dim that one input (B) reads along its innermost dim
  // only, and the other (A) does not read; M: the innermost output dim
  // that A reads, preferably one B does not read. Of the candidates, the
  // one whose tile keeps the FMA units busiest wins (the output's
  // innermost dim on ties: C is then loaded and stored as vectors), see
  // tileEfficiency: a convolution's 14-wide output rows fill one vector
  // per row, its 256 output channels two.
  auto readsAlongInner = [](ArrayRef<LinearExpr> exprs, unsigned d) {
    return exprs.back().coeffs[d] > 0 && !reads(exprs.drop_back(), d);
  };
  std::optional<Contraction> best;
  double bestScore = 0;
  for (unsigned d : llvm::reverse(outDims)) {
    if (onlyN && d != *onlyN)
      continue;
    // Fewer columns are better left to scalar loops. The bound does not
    // depend on the target: every target then computes each output with
    // the same chain of FMAs, and their results stay bit-identical.
    if (c.ranges[d] < kMinColumns)
      continue;
    bool lhsIsB;
    if (readsAlongInner(*rhs, d) && !reads(*lhs, d))
      lhsIsB = false;
    else if (readsAlongInner(*lhs, d) && !reads(*rhs, d))
      lhsIsB = true;
    else
      continue;
    if (!hasUnitInnerStride(llvm::cast<MemRefType>((lhsIsB ? x : y).getType())))
      continue;
    if (d == outDims.back() &&
        !hasUnitInnerStride(llvm::cast<MemRefType>(c.c.getType())))
      continue;
    Contraction candidate = c;
    candidate.n = d;
    candidate.contiguousC = d == outDims.back();
    if (lhsIsB)
      candidate.a = y, candidate.b = x, candidate.aExprs = *rhs,
      candidate.bExprs = *lhs;
    else
      candidate.a = x, candidate.b = y, candidate.aExprs = *lhs,
      candidate.bExprs = *rhs;
    candidate.stride = candidate.bExprs.back().coeffs[d];
    chooseTile(candidate, outDims, lanes, rows, reductionSteps);
    double score = tileEfficiency(candidate, lanes, reductionSteps);
    if (!best || score > bestScore * 1.02) {
      best = candidate;
      bestScore = score;
    }
  }
  if (!best)
    return failure();
  for (unsigned d : outDims)
    if (d != best->m && d != best->n)
      best->outer.push_back(d);
  return *best;
}

/// Whether `expr` is the loop dim `d` alone, up to dims of one iteration.
bool isDimAlone(const LinearExpr &expr, unsigned d, ArrayRef<int64_t> ranges) {
  if (expr.constant != 0 || expr.coeffs[d] != 1)
    return false;
  for (auto [other, coeff] : llvm::enumerate(expr.coeffs))
    if (other != d && coeff != 0 && ranges[other] != 1)
      return false;
  return true;
}

/// How `buffer`, indexed by `exprs`, reads the loop dims (h, w) that
/// mergeDims folds into w: not at all (nullopt), or as its dims i and
/// i + 1, h and w alone, with w spanning its whole dim and the two
/// collapsible into one (then i); failure otherwise.
FailureOr<std::optional<unsigned>> pairOf(Value buffer,
                                          ArrayRef<LinearExpr> exprs,
                                          unsigned h, unsigned w,
                                          ArrayRef<int64_t> ranges) {
  if (!reads(exprs, h) && !reads(exprs, w))
    return std::optional<unsigned>();
  auto type = llvm::cast<MemRefType>(buffer.getType());
  for (unsigned i = 0; i + 1 < exprs.size(); ++i) {
    if (!isDimAlone(exprs[i], h, ranges) ||
        !isDimAlone(exprs[i + 1], w, ranges))
      continue;
    SmallVector<LinearExpr> others(exprs);
    others.erase(others.begin() + i, others.begin() + i + 2);
    if (reads(others, h) || reads(others, w) ||
        type.getDimSize(i + 1) != ranges[w] ||
        !memref::CollapseShapeOp::isGuaranteedCollapsible(
            type, foldingPair(type.getRank(), i)))
      return failure();
    return std::optional<unsigned>(i);
  }
  return failure();
}

/// `exprs` with their results `pair` and `pair` + 1 (h and w) folded into
/// one, w alone.
SmallVector<LinearExpr> foldExprs(ArrayRef<LinearExpr> exprs, unsigned pair,
                                  unsigned h) {
  SmallVector<LinearExpr> folded(exprs);
  for (auto [d, coeff] : llvm::enumerate(exprs[pair + 1].coeffs))
    folded[pair].coeffs[d] += coeff;
  folded[pair].coeffs[h] = 0;
  folded.erase(folded.begin() + pair + 1);
  return folded;
}

/// The output dim just outside `w` in C, if C reads both alone.
std::optional<unsigned> outerNeighbour(const Contraction &c, unsigned w) {
  auto inner = llvm::find_if(c.cExprs, [&](const LinearExpr &e) {
    return isDimAlone(e, w, c.ranges);
  });
  if (inner == c.cExprs.begin() || inner == c.cExprs.end())
    return std::nullopt;
  for (unsigned d : c.outDims)
    if (d != w && c.ranges[d] > 1 && isDimAlone(*std::prev(inner), d, c.ranges))
      return d;
  return std::nullopt;
}

/// Folds the output dim h just outside the tile's columns or rows w into
/// w, when every buffer of the kernel reads the two as one line of memory
/// (or neither), and the tiles of the longer dim use the FMA units
/// better: a 1x1 convolution's 13x13 image is 169 rows (tiles of 12 rows
/// x 2 vectors, where 13 rows allow 13 x 1, which the loads limit), and
/// its 55x55 image 3025 columns (no 55-column row per 4 vectors, 86% of
/// their lanes filled).
bool mergeDims(OpBuilder &b, Location loc, Contraction &c, int64_t lanes,
               int64_t rows) {
  for (std::optional<unsigned> w : {std::optional<unsigned>(c.n), c.m}) {
    std::optional<unsigned> h = w ? outerNeighbour(c, *w) : std::nullopt;
    if (!h)
      continue;
    // A and B with their own indexing; C, D and the epilogue's inputs at
    // C's indices, all of which must read h and w.
    FailureOr<std::optional<unsigned>> aPair =
        pairOf(c.a, c.aExprs, *h, *w, c.ranges);
    FailureOr<std::optional<unsigned>> bPair =
        pairOf(c.b, c.bExprs, *h, *w, c.ranges);
    SmallVector<Value> alsoLikeC{c.d};
    llvm::append_range(alsoLikeC, c.extras);
    FailureOr<std::optional<unsigned>> cPair =
        pairOf(c.c, c.cExprs, *h, *w, c.ranges);
    if (failed(aPair) || failed(bPair) || failed(cPair) || !*cPair ||
        llvm::any_of(alsoLikeC,
                     [&](Value buffer) {
                       return failed(
                           pairOf(buffer, c.cExprs, *h, *w, c.ranges));
                     }) ||
        (c.initSource && (reads(c.initExprs, *h) || reads(c.initExprs, *w))))
      continue;

    Contraction trial = c;
    trial.ranges[*w] *= trial.ranges[*h];
    trial.ranges[*h] = 1;
    if (*aPair)
      trial.aExprs = foldExprs(c.aExprs, **aPair, *h);
    if (*bPair)
      trial.bExprs = foldExprs(c.bExprs, **bPair, *h);
    trial.cExprs = foldExprs(c.cExprs, **cPair, *h);
    chooseTile(trial, trial.outDims, lanes, rows, trial.reductionSteps);
    if (tileEfficiency(trial, lanes, trial.reductionSteps) <=
        1.02 * tileEfficiency(c, lanes, c.reductionSteps))
      continue;
    auto fold = [&](Value buffer, unsigned pair) -> Value {
      int64_t rank = llvm::cast<MemRefType>(buffer.getType()).getRank();
      return memref::CollapseShapeOp::create(b, loc, buffer,
                                             foldingPair(rank, pair));
    };
    if (*aPair)
      trial.a = fold(c.a, **aPair);
    if (*bPair)
      trial.b = fold(c.b, **bPair);
    trial.c = fold(c.c, **cPair);
    trial.d = c.d == c.c ? trial.c : fold(c.d, **cPair);
    for (Value &extra : trial.extras)
      extra = fold(extra, **cPair);
    c = trial;
    return true;
  }
  return false;
}

/// `exprs` with their results `pair` and `pair` + 1, (h + x) and (w + y),
/// folded into one line of rows of `width` elements, where w now stands
/// for the position h * width + w: (h + x) * width + w + y.
SmallVector<LinearExpr> wrapExprs(ArrayRef<LinearExpr> exprs, unsigned pair,
                                  unsigned h, int64_t width) {
  SmallVector<LinearExpr> folded(exprs);
  LinearExpr &line = folded[pair];
  line.coeffs[h] = 0;
  for (int64_t &coeff : line.coeffs)
    coeff *= width;
  line.constant = line.constant * width + exprs[pair + 1].constant;
  for (auto [d, coeff] : llvm::enumerate(exprs[pair + 1].coeffs))
    line.coeffs[d] += coeff;
  folded.erase(folded.begin() + pair + 1);
  return folded;
}

/// B's results `pair`, `pair` + 1 (its two innermost), when they read the
/// rows h and columns w of the wrap with unit steps, and no other result
/// reads h or w.
std::optional<unsigned> wrapPair(const Contraction &c, unsigned h, unsigned w) {
  ArrayRef<LinearExpr> exprs = c.bExprs;
  if (exprs.size() < 2 || reads(c.aExprs, h) || reads(c.aExprs, w))
    return std::nullopt;
  unsigned pair = exprs.size() - 2;
  const LinearExpr &row = exprs[pair], &column = exprs[pair + 1];
  if (row.coeffs[h] != 1 || row.coeffs[w] != 0 || column.coeffs[w] != 1 ||
      column.coeffs[h] != 0 || reads(exprs.take_front(pair), h) ||
      reads(exprs.take_front(pair), w))
    return std::nullopt;
  return pair;
}

/// `buffer`'s dims `dim` and `dim` + 1 viewed as one line along the
/// rows: element (i, j) at i * (the rows' stride) + j.
Value lineView(OpBuilder &b, Location loc, Value buffer, unsigned dim) {
  auto type = llvm::cast<MemRefType>(buffer.getType());
  auto [strides, offset] = type.getStridesAndOffset();
  SmallVector<int64_t> sizes(type.getShape());
  sizes[dim] = (sizes[dim] - 1) * strides[dim] + sizes[dim + 1];
  sizes.erase(sizes.begin() + dim + 1);
  strides.erase(strides.begin() + dim);
  auto lineType =
      MemRefType::get(sizes, type.getElementType(),
                      StridedLayoutAttr::get(b.getContext(), offset, strides));
  return memref::ReinterpretCastOp::create(b, loc, lineType, buffer, offset,
                                           sizes, strides);
}

/// The most output rows that one vector of `lanes` columns of wrapped rows
/// covers, over every vector the tiles store (they start at multiples of
/// `lanes`); nothing if one of its stores would start outside C's line
/// (rows `stride` apart, `height` of them) while it stores a lane: a
/// 7-column output on 9-wide rows, whose second row starts 2 lanes before
/// C.
std::optional<int64_t> wrappedStoreRows(int64_t width, int64_t valid,
                                        int64_t stride, int64_t height,
                                        int64_t lanes) {
  int64_t columns = (height - 1) * width + valid;
  int64_t lineSize = (height - 1) * stride + valid, most = 1;
  for (int64_t start = 0; start < columns; start += lanes) {
    int64_t vectorWidth = std::min(lanes, columns - start);
    int64_t row = start / width, column = start % width;
    for (int64_t i = 0;; ++i) {
      // Lanes [first, first + valid) are row `row + i`'s valid columns.
      int64_t first = i * width - column;
      if (first >= vectorWidth)
        break;
      if (first + valid <= 0)
        continue;
      int64_t base = (row + i) * stride - first;
      if (base < 0 || base >= lineSize)
        return std::nullopt;
      most = std::max(most, i + 1);
    }
  }
  return most;
}

/// Wraps the rows of a stride-1 convolution's image into one line of
/// columns, along B's rows: every output row also computes the columns of
/// B's padding (results that are not stored), so that a 55x55 output on
/// a 57-wide padded input is one line of 54 * 57 + 55 columns, 96% of the
/// vectors' lanes useful where 55-column rows fill 86%; and a 1x1
/// convolution whose input or output is a pad's interior (rows 57 apart)
/// reads or writes it as one line. B is read as a view of one line; each
/// result vector is stored with one masked store for each output row it
/// covers (see wrappedStoreRows); an epilogue's other inputs (a residual)
/// are read the same way, with masked loads. So this needs masked moves,
/// and C's elements not read before (a prologue).
bool wrapRows(OpBuilder &b, Location loc, Contraction &c, int64_t lanes,
              int64_t rows, std::optional<double> toBeat = std::nullopt) {
  unsigned w = c.n;
  std::optional<unsigned> h = outerNeighbour(c, w);
  if (!h || !c.contiguousC || c.stride != 1 || !(c.initSplat || c.initSource) ||
      (c.initSource && (reads(c.initExprs, *h) || reads(c.initExprs, w))))
    return false;
  std::optional<unsigned> pair = wrapPair(c, *h, w);
  if (!pair)
    return false;
  // C's innermost result is w (contiguousC), and outerNeighbour found h
  // alone just before it.
  unsigned dim = c.cExprs.size() - 2;
  int64_t width =
      llvm::cast<MemRefType>(c.b.getType()).getStridesAndOffset().first[*pair];
  int64_t valid = c.ranges[w], height = c.ranges[*h];
  if (width < valid)
    return false;
  // D and the extras: rows of the valid columns, each on one line that
  // every vector's masked moves stay inside. The rows a vector covers do
  // not depend on a line's stride: every check gives the same count.
  std::optional<int64_t> rowsPerVector;
  auto lineOf = [&](Value buffer) -> std::optional<Contraction::RowWrap::Line> {
    auto type = llvm::cast<MemRefType>(buffer.getType());
    int64_t stride = type.getStridesAndOffset().first[dim];
    if (stride < valid || type.getDimSize(dim) != height ||
        type.getDimSize(dim + 1) != valid)
      return std::nullopt;
    rowsPerVector = wrappedStoreRows(width, valid, stride, height, lanes);
    if (!rowsPerVector)
      return std::nullopt;
    return Contraction::RowWrap::Line{stride, (height - 1) * stride + valid};
  };
  std::optional<Contraction::RowWrap::Line> dLine = lineOf(c.d);
  if (!dLine)
    return false;
  SmallVector<Contraction::RowWrap::Line> extraLines;
  for (Value extra : c.extras) {
    std::optional<Contraction::RowWrap::Line> line = lineOf(extra);
    if (!line)
      return false;
    extraLines.push_back(*line);
  }

  Contraction trial = c;
  trial.ranges[w] = (height - 1) * width + valid;
  trial.ranges[*h] = 1;
  trial.bExprs = wrapExprs(c.bExprs, *pair, *h, width);
  trial.cExprs = foldExprs(c.cExprs, dim, *h);
  chooseTile(trial, trial.outDims, lanes, rows, trial.reductionSteps);
  double useful = double(height * valid) / double(trial.ranges[w]);
  if (useful * tileEfficiency(trial, lanes, trial.reductionSteps) <=
      1.02 * toBeat.value_or(tileEfficiency(c, lanes, c.reductionSteps)))
    return false;
  trial.b = lineView(b, loc, c.b, *pair);
  trial.d = lineView(b, loc, c.d, dim);
  // With the prologue, C itself is only touched when it is D.
  if (c.d == c.c)
    trial.c = trial.d;
  for (Value &extra : trial.extras)
    extra = lineView(b, loc, extra, dim);
  trial.wrap = Contraction::RowWrap{width,      valid, *dLine,
                                    extraLines, dim,   *rowsPerVector};
  c = trial;
  return true;
}

/// Emits the loops and micro-kernels of one contraction.
class KernelEmitter {
public:
  KernelEmitter(OpBuilder &b, Location loc, const Contraction &c, int64_t lanes,
                bool fused, bool masked, int64_t prefetchDistance = 0)
      : b(b), loc(loc), c(c), lanes(lanes), fused(fused), masked(masked),
        prefetchDistance(prefetchDistance) {}

  /// Emits the loop nest in place, or, when `module` is given, the
  /// outermost loop has several iterations and the buffers can be passed,
  /// outlines its body into a function `kernelName` for the parallel-for
  /// hook.
  void emit(ModuleOp module = {}, StringRef kernelName = {}) {
    SmallVector<Level> levels = loopOrder();
    // A level of one iteration is no loop, and may go anywhere: innermost,
    // so that the outermost level is one worth splitting (not a batch of 1).
    std::stable_partition(levels.begin(), levels.end(), [&](Level level) {
      return iterations(level) > 1;
    });
    int64_t count = iterations(levels.front());
    // Few tiles at the outermost level (3 tiles of weight columns) would
    // leave threads idle at the end: the pool then splits the iterations
    // of the two outermost levels, in the same order.
    unsigned split = 1;
    if (count < kMinParallelSplit && levels.size() > 1 &&
        iterations(levels[1]) > 1) {
      split = 2;
      count *= iterations(levels[1]);
    }
    std::optional<SmallVector<Value>> buffers =
        parallelBuffers(kernelBuffers(c));
    if (!module || count < 2 || !buffers) {
      SmallVector<Value> dims(c.ranges.size(), constant(0));
      emitLevels(dims, levels, Tile{1, {}, {}});
      return;
    }
    emitParallelLoop(
        b, loc, module, kernelName, *buffers, count,
        [&](OpBuilder &, const IRMapping &rebuilt, Value begin, Value end) {
          Contraction local = c;
          local.a = rebuilt.lookup(c.a);
          local.b = rebuilt.lookup(c.b);
          local.c = rebuilt.lookupOrDefault(c.c);
          local.d = rebuilt.lookup(c.d);
          for (Value &extra : local.extras)
            extra = rebuilt.lookup(extra);
          if (c.initSource)
            local.initSource = rebuilt.lookup(c.initSource);
          KernelEmitter inner(b, loc, local, lanes, fused, masked,
                              prefetchDistance);
          auto loop = scf::ForOp::create(b, loc, begin, end, constant(1));
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(loop.getBody());
          SmallVector<Value> dims(c.ranges.size(), inner.constant(0));
          SmallVector<Value> indices{loop.getInductionVar()};
          if (split == 2) {
            Value second = inner.constant(inner.iterations(levels[1]));
            indices = {arith::DivUIOp::create(b, loc, indices[0], second),
                       arith::RemUIOp::create(b, loc, indices[0], second)};
          }
          inner.emitIteration(dims, levels, indices, Tile{1, {}, {}});
        });
  }

private:
  /// One loop of the nest around the tiles.
  struct Level {
    enum Kind { Outer, Rows, Columns, Block } kind;
    unsigned dim;
    /// A Block level's number of blocks of `dim`, and whether the first
    /// row tile of a block prefetches B's rows ahead (see prefetchSweep).
    int64_t blocks = 0;
    bool prefetch = false;
  };
  /// An Outer dim that a Block level encloses: its loop starts at the
  /// block and covers `size` elements.
  struct BlockedDim {
    unsigned dim;
    int64_t size;
    bool prefetch;
  };
  /// The shape of the tiles a loop nest computes.
  struct Tile {
    int64_t rows;
    SmallVector<int64_t> widths;
    SmallVector<BlockedDim> blocks;
  };

  SmallVector<Level> loopOrder() {
    // The loop over the tiles of the dim that only a weight reads goes
    // outermost, so that the weight's slice for one tile stays in cache
    // while every other output point is swept (the weight is read once).
    SmallVector<Level> levels;
    bool columnsFirst = isWeight(c.b);
    bool rowsFirst = !columnsFirst && c.m && isWeight(c.a) &&
                     !reads(c.bExprs, *c.m);
    if (columnsFirst)
      levels.push_back({Level::Columns, 0});
    if (rowsFirst)
      levels.push_back({Level::Rows, 0});
    for (unsigned d : c.outer)
      levels.push_back({Level::Outer, d});
    if (!rowsFirst)
      levels.push_back({Level::Rows, 0});
    if (!columnsFirst)
      levels.push_back({Level::Columns, 0});
    if (rowsFirst)
      if (std::optional<Level> block = blockedSweep())
        levels.insert(levels.begin(), *block);
    return levels;
  }

  /// With the row tiles of a weight A outermost, each of them sweeps all of
  /// B. A B larger than what L2 keeps next to one sweep's output comes
  /// from L3 on every sweep: a stem convolution's 600 KB input, swept once
  /// per 12 output channels while it writes 3 MB. Then the outermost dim
  /// of B's sweep goes outside the row tiles in blocks of kSweepBlockBytes
  /// of B, so that each block comes from L3 once and stays in L2 for the
  /// other row tiles; A, re-read once per block, must be small. This is
  /// for a B that is the model's input, which comes from memory, in short
  /// runs of lines that the prefetchers follow late (its blocks prefetch
  /// it), and for a strided one (a stem on its padded input: ResNet-18
  /// 1.3% and 1.6% faster at 1 and 2 threads). MobileNetV2's 112x112 1x1
  /// convolutions, blocked too, were 3.5% faster at 1 thread but slower
  /// at 2 (ratio to ORT 1.12-1.15 -> 0.80-0.90 in four benchmark runs).
  std::optional<Level> blockedSweep() {
    int64_t extent = c.m ? c.ranges[*c.m] : 1;
    auto aType = llvm::cast<MemRefType>(c.a.getType());
    auto bType = llvm::cast<MemRefType>(c.b.getType());
    int64_t bBytes = bType.getNumElements() * 4;
    bool input = isArgument(c.b);
    if ((!input && c.stride == 1) || extent <= c.tileRows ||
        bBytes <= kCachedInputBytes ||
        aType.getNumElements() * 4 > kSweepBlockBytes)
      return std::nullopt;
    for (unsigned d : c.outer) {
      int64_t range = c.ranges[d];
      if (range == 1)
        continue;
      if (!reads(c.bExprs, d))
        return std::nullopt;
      int64_t size = std::max<int64_t>(1, kSweepBlockBytes * range / bBytes);
      if (size >= range)
        return std::nullopt;
      return Level{Level::Block, d, (range + size - 1) / size, input};
    }
    return std::nullopt;
  }

  /// How the enclosing Block level cuts `dim`, if one does.
  static std::optional<BlockedDim> blockOf(const Tile &tile, unsigned dim) {
    for (const BlockedDim &blocked : tile.blocks)
      if (blocked.dim == dim)
        return blocked;
    return std::nullopt;
  }

  /// How a tiling level cuts its dim: `numBig` tiles of `big` elements,
  /// then `numSmall` of `small`.
  struct Runs {
    int64_t big, numBig, small, numSmall;
    int64_t end() const { return big * numBig + small * numSmall; }
  };

  Runs runs(Level level) {
    if (level.kind == Level::Outer)
      return {1, c.ranges[level.dim], 0, 0};
    if (level.kind == Level::Block)
      return balanced(c.ranges[level.dim], level.blocks);
    if (level.kind == Level::Rows) {
      // As many tiles as `rows` needs, of balanced sizes: 14 rows are two
      // tiles of 7 and 56 rows eight of 5 and four of 4, not 12 and a
      // 2-row tile, or 11 of 5 and one row, whose few accumulators cannot
      // hide the FMA latency.
      int64_t extent = c.m ? c.ranges[*c.m] : 1;
      return balanced(extent, llvm::divideCeil(extent, c.tileRows));
    }
    int64_t extent = c.ranges[c.n], step = c.tileVectors * lanes;
    return {step, extent / step, extent % step, extent % step ? 1 : 0};
  }

  /// `extent` elements in `tiles` tiles of balanced sizes.
  static Runs balanced(int64_t extent, int64_t tiles) {
    int64_t small = extent / tiles, bigger = extent % tiles;
    if (bigger == 0)
      return {small, tiles, 0, 0};
    return {small + 1, bigger, small, tiles - bigger};
  }

  /// The number of iterations of a level.
  int64_t iterations(Level level) {
    Runs r = runs(level);
    return r.numBig + r.numSmall;
  }

  /// The tile shape inside one of the level's tiles of `size` elements.
  Tile innerTile(Level level, const Tile &tile, int64_t size) {
    if (level.kind == Level::Rows)
      return Tile{c.m ? size : 1, tile.widths, tile.blocks};
    if (level.kind == Level::Outer)
      return tile;
    if (level.kind == Level::Block) {
      Tile blocked = tile;
      blocked.blocks.push_back({level.dim, size, level.prefetch});
      return blocked;
    }
    Tile columns{tile.rows, {}, tile.blocks};
    for (int64_t done = 0; done < size; done += lanes)
      columns.widths.push_back(std::min(lanes, size - done));
    return columns;
  }

  /// The dim a level iterates over, if any.
  std::optional<unsigned> levelDim(Level level) {
    if (level.kind == Level::Outer || level.kind == Level::Block)
      return level.dim;
    if (level.kind == Level::Rows)
      return c.m;
    return c.n;
  }

  /// Iterations `indices` (run-time values) of the outermost levels, one
  /// each, and all of the levels inside them: a level's big and small
  /// tiles take different branches.
  void emitIteration(SmallVector<Value> &dims, ArrayRef<Level> levels,
                     ArrayRef<Value> indices, const Tile &tile) {
    if (indices.empty())
      return emitLevels(dims, levels, tile);
    Level level = levels.front();
    Runs r = runs(level);
    std::optional<unsigned> dim = levelDim(level);
    auto body = [&](Value start, int64_t size) {
      SmallVector<Value> point = dims;
      if (dim)
        point[*dim] = start;
      emitIteration(point, levels.drop_front(), indices.drop_front(),
                    innerTile(level, tile, size));
    };
    Value index = indices.front();
    if (r.numSmall == 0)
      return body(b.createOrFold<arith::MulIOp>(loc, index, constant(r.big)),
                  r.big);
    // Small tiles start after the big ones.
    auto smallStart = [&]() -> Value {
      Value first = constant(r.big * r.numBig);
      if (r.numSmall == 1)
        return first;
      Value nth = b.createOrFold<arith::SubIOp>(loc, index, constant(r.numBig));
      return b.createOrFold<arith::AddIOp>(
          loc, first,
          b.createOrFold<arith::MulIOp>(loc, nth, constant(r.small)));
    };
    if (r.numBig == 0)
      return body(smallStart(), r.small);
    Value isBig = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                        index, constant(r.numBig));
    auto ifOp = scf::IfOp::create(b, loc, isBig, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    body(b.createOrFold<arith::MulIOp>(loc, index, constant(r.big)), r.big);
    b.setInsertionPointToStart(ifOp.elseBlock());
    body(smallStart(), r.small);
  }

  Value constant(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }

  Value plus(Value value, int64_t offset) {
    if (offset == 0)
      return value;
    return b.createOrFold<arith::AddIOp>(loc, value, constant(offset));
  }

  /// The memref indices of `exprs` at the iteration point `dims`.
  SmallVector<Value> indices(ArrayRef<LinearExpr> exprs,
                             ArrayRef<Value> dims) {
    SmallVector<Value> result;
    for (const LinearExpr &expr : exprs) {
      Value index = constant(expr.constant);
      for (auto [d, coeff] : llvm::enumerate(expr.coeffs)) {
        if (coeff == 0)
          continue;
        Value term = coeff == 1 ? dims[d]
                                : b.createOrFold<arith::MulIOp>(
                                      loc, dims[d], constant(coeff));
        index = b.createOrFold<arith::AddIOp>(loc, index, term);
      }
      result.push_back(index);
    }
    return result;
  }

  /// A loop over `dim` from `lb` to `ub` step `step`, calling `body` with
  /// the iteration point.
  void loop(SmallVector<Value> &dims, unsigned dim, int64_t lb, int64_t ub,
            int64_t step, function_ref<void(SmallVector<Value> &)> body) {
    if (ub - lb <= 0)
      return;
    if (ub - lb == step) {
      SmallVector<Value> inner = dims;
      inner[dim] = constant(lb);
      body(inner);
      return;
    }
    auto forOp =
        scf::ForOp::create(b, loc, constant(lb), constant(ub), constant(step));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forOp.getBody());
    SmallVector<Value> inner = dims;
    inner[dim] = forOp.getInductionVar();
    body(inner);
  }

  /// A loop over the `size` elements of `dim` from where dims[dim] (a
  /// Block level's start) is, calling `body` with the iteration point.
  void blockLoop(SmallVector<Value> &dims, unsigned dim, int64_t size,
                 function_ref<void(SmallVector<Value> &)> body) {
    SmallVector<Value> inner = dims;
    if (size == 1)
      return body(inner);
    auto forOp = scf::ForOp::create(b, loc, dims[dim], plus(dims[dim], size),
                                    constant(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forOp.getBody());
    inner[dim] = forOp.getInductionVar();
    body(inner);
  }

  void emitLevels(SmallVector<Value> &dims, ArrayRef<Level> levels,
                  const Tile &tile) {
    if (levels.empty())
      return emitTile(dims, tile.rows, tile.widths);
    Level level = levels.front();
    Runs r = runs(level);
    std::optional<unsigned> dim = levelDim(level);
    auto inner = [&](int64_t size) {
      return [this, levels,
              t = innerTile(level, tile, size)](SmallVector<Value> &point) {
        emitLevels(point, levels.drop_front(), t);
      };
    };
    if (!dim)
      return inner(r.big)(dims);
    if (level.kind == Level::Outer)
      if (std::optional<BlockedDim> blocked = blockOf(tile, *dim)) {
        auto body = inner(1);
        return blockLoop(
            dims, blocked->dim, blocked->size, [&](SmallVector<Value> &point) {
              if (blocked->prefetch)
                prefetchSweep(point, blocked->dim, point[blocked->dim]);
              body(point);
            });
      }
    int64_t bigEnd = r.big * r.numBig;
    loop(dims, *dim, 0, bigEnd, r.big, inner(r.big));
    loop(dims, *dim, bigEnd, r.end(), r.small, inner(r.small));
  }

  /// The iteration point of row `row`, column vector starting at `column`.
  SmallVector<Value> at(ArrayRef<Value> dims, int64_t row, int64_t column) {
    SmallVector<Value> point(dims);
    if (c.m)
      point[*c.m] = plus(dims[*c.m], row);
    point[c.n] = plus(dims[c.n], column);
    return point;
  }

  /// `width` consecutive values of B along n from `point`. A strided read
  /// loads the covering span and keeps every stride-th element.
  Value loadB(ArrayRef<Value> point, int64_t width, Value panel = {},
              int64_t offset = 0) {
    if (c.packedWidth) {
      SmallVector<Value> index{panel};
      llvm::append_range(index,
                         indices(ArrayRef(c.bExprs).drop_back(), point));
      index.push_back(constant(offset));
      prefetchB(index, offset);
      return loadVector(b, loc, c.b, index, width, masked);
    }
    return loadEvenlySpaced(b, loc, c.b, indices(c.bExprs, point), width,
                            c.stride, masked);
  }

  /// B as one dim (B is contiguous: packed, or checked by sweepRows),
  /// created once, where B is defined.
  Value flatView() {
    if (flatB)
      return flatB;
    auto type = llvm::cast<MemRefType>(c.b.getType());
    OpBuilder::InsertionGuard guard(b);
    if (Operation *def = c.b.getDefiningOp())
      b.setInsertionPointAfter(def);
    else
      b.setInsertionPointToStart(llvm::cast<BlockArgument>(c.b).getOwner());
    ReassociationIndices all(type.getRank());
    std::iota(all.begin(), all.end(), 0);
    flatB = memref::CollapseShapeOp::create(
        b, loc, c.b, SmallVector<ReassociationIndices>{all});
    return flatB;
  }

  /// How a blocked sweep's dim `d` moves through B: B's dim `j` alone
  /// reads it, as stride * d plus reductions, and B is contiguous from
  /// there in, so that one step of d reads `stride` new rows of B's dims
  /// from j in, one contiguous span per index of the dims before j (few:
  /// an image's channels).
  struct SweepRows {
    unsigned j;
    int64_t stride, lead;
  };
  std::optional<SweepRows> sweepRows(unsigned d) {
    auto type = llvm::cast<MemRefType>(c.b.getType());
    if (!type.getLayout().isIdentity())
      return std::nullopt;
    std::optional<unsigned> j;
    for (auto [i, expr] : llvm::enumerate(c.bExprs)) {
      if (expr.coeffs[d] == 0)
        continue;
      if (j || expr.coeffs[d] < 1)
        return std::nullopt;
      j = i;
    }
    if (!j)
      return std::nullopt;
    for (auto [i, coeff] : llvm::enumerate(c.bExprs[*j].coeffs))
      if (i != d && coeff != 0 && !llvm::is_contained(c.reductions, i))
        return std::nullopt;
    int64_t lead = 1;
    for (unsigned i = 0; i < *j; ++i)
      lead *= type.getDimSize(i);
    constexpr int64_t kMaxSpans = 64;
    if (lead > kMaxSpans)
      return std::nullopt;
    return SweepRows{*j, c.bExprs[*j].coeffs[d], lead};
  }

  /// In the first row tile's sweep, the rows of B that step `at` of a
  /// blocked dim `d` is kSweepRowsAhead steps from reading: B comes from
  /// memory there (the model's input, written by the caller long before),
  /// one short run of lines per row, which the hardware prefetchers
  /// follow too late. The prefetches keep those misses in flight.
  void prefetchSweep(ArrayRef<Value> dims, unsigned d, Value at) {
    constexpr int64_t kSweepRowsAhead = 8, kLineElements = 16;
    std::optional<SweepRows> rows = sweepRows(d);
    if (!rows || !c.m)
      return;
    auto type = llvm::cast<MemRefType>(c.b.getType());
    int64_t rowElements = type.getStridesAndOffset().first[rows->j];
    int64_t spanElements = rows->stride * rowElements;
    Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        dims[*c.m], constant(0));
    auto ifOp = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value flat = flatView();
    // Row stride * (at + ahead) + the expr's constant of each span.
    Value row = b.createOrFold<arith::MulIOp>(loc, plus(at, kSweepRowsAhead),
                                              constant(rows->stride));
    row = plus(row, c.bExprs[rows->j].constant);
    Value start =
        b.createOrFold<arith::MulIOp>(loc, row, constant(rowElements));
    int64_t leadStride =
        rows->j == 0 ? 0 : type.getStridesAndOffset().first[rows->j - 1];
    int64_t last = type.getNumElements() - 1;
    for (int64_t lead = 0; lead < rows->lead; ++lead)
      for (int64_t line = 0; line < spanElements; line += kLineElements) {
        Value index = plus(start, lead * leadStride + line);
        index = arith::MinSIOp::create(b, loc, index, constant(last));
        memref::PrefetchOp::create(b, loc, flat, ValueRange{index},
                                   /*isWrite=*/false, /*localityHint=*/3,
                                   /*isDataCache=*/true);
      }
  }

  /// Prefetches the packed B `prefetchDistance` bytes past `index`, once
  /// per cache line of a panel row. Each tile streams its weight panel
  /// sequentially (see packWeight), and on its first pass from L3 or
  /// memory: the hardware prefetchers alone keep too few of those misses
  /// in flight. The last element bounds the address.
  void prefetchB(ArrayRef<Value> index, int64_t offset) {
    constexpr int64_t kLineElements = 16;
    if (prefetchDistance <= 0 || offset % kLineElements != 0)
      return;
    auto type = llvm::cast<MemRefType>(c.b.getType());
    Value flatB = flatView();
    SmallVector<int64_t> strides = type.getStridesAndOffset().first;
    Value flat = constant(prefetchDistance / 4);
    for (auto [value, stride] : llvm::zip(index, strides))
      flat = b.createOrFold<arith::AddIOp>(
          loc, flat,
          b.createOrFold<arith::MulIOp>(loc, value, constant(stride)));
    flat = arith::MinSIOp::create(b, loc, flat,
                                  constant(type.getNumElements() - 1));
    memref::PrefetchOp::create(b, loc, flatB, ValueRange{flat},
                               /*isWrite=*/false, /*localityHint=*/3,
                               /*isDataCache=*/true);
  }

  /// a * b + acc. math.fma is always fused (llvm.fma), so that every target
  /// with FMA instructions rounds alike; vector.fma (llvm.fmuladd) leaves
  /// the choice to the backend, which fuses on x86 and AArch64 but not on a
  /// Cortex-M (vmla), and is only used where the target has no FMA.
  Value fma(Value a, Value b2, Value acc) {
    if (fused)
      return math::FmaOp::create(b, loc, a, b2, acc);
    return vector::FMAOp::create(b, loc, a, b2, acc);
  }

  /// The accumulators of `width` columns from `point`: a vector load when
  /// the columns are contiguous in C, else one scalar load per column.
  Value loadC(ArrayRef<Value> point, int64_t width, Value buffer = {}) {
    buffer = buffer ? buffer : c.c;
    auto type = VectorType::get({width}, b.getF32Type());
    if (c.contiguousC)
      return loadVector(b, loc, buffer, indices(c.cExprs, point), width,
                        masked);
    SmallVector<Value> elements;
    SmallVector<Value> column(point);
    for (int64_t i = 0; i < width; ++i) {
      column[c.n] = plus(point[c.n], i);
      elements.push_back(
          memref::LoadOp::create(b, loc, buffer, indices(c.cExprs, column)));
    }
    return vector::FromElementsOp::create(b, loc, type, elements);
  }

  /// The initial accumulators of `width` columns from `point`: C's
  /// elements, or what the prologue would have written there.
  Value initial(ArrayRef<Value> point, int64_t width) {
    auto type = VectorType::get({width}, b.getF32Type());
    if (c.initSplat)
      return arith::ConstantOp::create(
          b, loc, type, DenseElementsAttr::get(type, c.initSplat.getValue()));
    if (!c.initSource)
      return loadC(point, width);
    // One element for every column (a bias along N), or one for all.
    bool alongN = reads(c.initExprs, c.n);
    if (!alongN) {
      Value element = memref::LoadOp::create(b, loc, c.initSource,
                                             indices(c.initExprs, point));
      return vector::BroadcastOp::create(b, loc, type, element);
    }
    const LinearExpr &inner = c.initExprs.back();
    if (inner.coeffs[c.n] == 1 &&
        !reads(ArrayRef(c.initExprs).drop_back(), c.n) &&
        hasUnitInnerStride(llvm::cast<MemRefType>(c.initSource.getType())))
      return loadVector(b, loc, c.initSource, indices(c.initExprs, point),
                        width, masked);
    SmallVector<Value> elements;
    SmallVector<Value> column(point);
    for (int64_t i = 0; i < width; ++i) {
      column[c.n] = plus(point[c.n], i);
      elements.push_back(memref::LoadOp::create(b, loc, c.initSource,
                                                indices(c.initExprs, column)));
    }
    return vector::FromElementsOp::create(b, loc, type, elements);
  }

  /// Stores results (after the epilogue, if any) where C's elements are,
  /// in C or in the epilogue's output viewed as C.
  void storeC(Value value, ArrayRef<Value> point) {
    if (c.epilogue) {
      int64_t width = llvm::cast<VectorType>(value.getType()).getNumElements();
      SmallVector<Value> extras;
      for (auto [i, extra] : llvm::enumerate(c.extras))
        extras.push_back(c.wrap ? loadWrapped(extra, c.wrap->extras[i], width,
                                              indices(c.cExprs, point))
                                : loadC(point, width, extra));
      value = applyEpilogue(b, loc, c.epilogue, c.accInput, value, extras);
    }
    if (c.wrap)
      return storeWrapped(value, indices(c.cExprs, point));
    if (c.contiguousC) {
      storeVector(b, loc, value, c.d, indices(c.cExprs, point), masked);
      return;
    }
    SmallVector<Value> column(point);
    int64_t width = llvm::cast<VectorType>(value.getType()).getNumElements();
    for (int64_t i = 0; i < width; ++i) {
      column[c.n] = plus(point[c.n], i);
      Value element = vector::ExtractOp::create(b, loc, value, i);
      memref::StoreOp::create(b, loc, element, c.d, indices(c.cExprs, column));
    }
  }

  /// Emits the masked moves of `width` columns from line position
  /// `index[wrap.dim]` of wrapped rows (see wrapRows), to or from a buffer
  /// on `line`: `move(mask, at)` for each output row the columns cover,
  /// with the mask of the lanes of that row's valid columns and the index
  /// of where lane 0 would be.
  void wrappedMoves(const Contraction::RowWrap::Line &line, int64_t width,
                    SmallVector<Value> index,
                    llvm::function_ref<void(Value, ValueRange)> move) {
    const Contraction::RowWrap &wrap = *c.wrap;
    auto maskType = VectorType::get({width}, b.getI1Type());
    // create_mask clamps its operand to [0, width].
    auto lanesBelow = [&](Value count) -> Value {
      return vector::CreateMaskOp::create(b, loc, maskType, ValueRange{count});
    };
    Value allLanes = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(maskType, true));
    Value position = index[wrap.dim];
    Value row = arith::DivUIOp::create(b, loc, position, constant(wrap.width));
    Value column =
        arith::RemUIOp::create(b, loc, position, constant(wrap.width));
    Value rowStart = arith::MulIOp::create(b, loc, row, constant(line.stride));
    for (int64_t i = 0; i < wrap.rowsPerVector; ++i) {
      // Lanes [first, first + valid) are the valid columns of row + i;
      // lane l is that row's column l - first.
      Value mask, start;
      if (i == 0) {
        mask = lanesBelow(
            arith::SubIOp::create(b, loc, constant(wrap.valid), column));
        start = arith::AddIOp::create(b, loc, rowStart, column);
      } else {
        Value first =
            arith::SubIOp::create(b, loc, constant(i * wrap.width), column);
        mask = arith::AndIOp::create(
            b, loc, lanesBelow(plus(first, wrap.valid)),
            arith::XOrIOp::create(b, loc, lanesBelow(first), allLanes));
        start = arith::SubIOp::create(b, loc, plus(rowStart, i * line.stride),
                                      first);
      }
      // Where no lane moves the start may lie outside the line: clamped
      // (wrappedStoreRows checked it inside wherever a lane is).
      start = arith::MaxSIOp::create(b, loc, start, constant(0));
      start = arith::MinSIOp::create(b, loc, start, constant(line.size - 1));
      index[wrap.dim] = start;
      move(mask, index);
    }
  }

  /// Stores `value`, the columns from line position `index[wrap.dim]` of
  /// wrapped rows, to the rows of D they belong to: one masked store for
  /// each row they cover.
  void storeWrapped(Value value, SmallVector<Value> index) {
    int64_t width = llvm::cast<VectorType>(value.getType()).getNumElements();
    wrappedMoves(c.wrap->d, width, index, [&](Value mask, ValueRange at) {
      vector::MaskedStoreOp::create(b, loc, c.d, at, mask, value);
    });
  }

  /// The `width` columns from line position `index[wrap.dim]` of wrapped
  /// rows, read from `buffer` (an epilogue input on `line`) where D's
  /// stores put them: one masked load for each row they cover, the lanes
  /// of no row 0.
  Value loadWrapped(Value buffer, const Contraction::RowWrap::Line &line,
                    int64_t width, SmallVector<Value> index) {
    auto type = VectorType::get({width}, b.getF32Type());
    Value value = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getF32FloatAttr(0)));
    wrappedMoves(line, width, index, [&](Value mask, ValueRange at) {
      value =
          vector::MaskedLoadOp::create(b, loc, type, buffer, at, mask, value);
    });
    return value;
  }

  void emitTile(SmallVector<Value> &dims, int64_t tileRows,
                ArrayRef<int64_t> widths) {
    SmallVector<int64_t> offsets;
    int64_t offset = 0;
    for (int64_t w : widths) {
      offsets.push_back(offset);
      offset += w;
    }
    auto vectorType = [&](int64_t w) {
      return VectorType::get({w}, b.getF32Type());
    };
    SmallVector<Value> init;
    for (int64_t r = 0; r < tileRows; ++r)
      for (auto [j, w] : llvm::enumerate(widths))
        init.push_back(initial(at(dims, r, offsets[j]), w));

    bool bReadsM = c.m && reads(c.bExprs, *c.m);
    // The tile's panel of a packed B (tiles start at multiples of the
    // panel width).
    Value panel;
    if (c.packedWidth)
      panel = b.createOrFold<arith::DivUIOp>(loc, dims[c.n],
                                             constant(c.packedWidth));
    SmallVector<int64_t> extents;
    for (unsigned d : c.reductions)
      extents.push_back(c.ranges[d]);
    scf::LoopNest nest = buildStaticLoopNest(
        b, loc, extents, init, [&](ValueRange ivs, ValueRange accs) {
          SmallVector<Value> point = dims;
          for (auto [d, iv] : llvm::zip(c.reductions, ivs))
            point[d] = iv;
          SmallVector<Value> shared;
          if (!bReadsM)
            for (auto [j, w] : llvm::enumerate(widths))
              shared.push_back(
                  loadB(at(point, 0, offsets[j]), w, panel, offsets[j]));
          scf::ValueVector next;
          for (int64_t r = 0; r < tileRows; ++r) {
            Value a = memref::LoadOp::create(
                b, loc, c.a, indices(c.aExprs, at(point, r, 0)));
            llvm::SmallDenseMap<int64_t, Value> splats;
            for (auto [j, w] : llvm::enumerate(widths)) {
              Value bv = bReadsM ? loadB(at(point, r, offsets[j]), w, panel,
                                         offsets[j])
                                 : shared[j];
              Value &splat = splats[w];
              if (!splat)
                splat = vector::BroadcastOp::create(b, loc, vectorType(w), a);
              next.push_back(fma(splat, bv, accs[r * widths.size() + j]));
            }
          }
          return next;
        });
    for (int64_t r = 0; r < tileRows; ++r)
      for (auto [j, w] : llvm::enumerate(widths))
        storeC(nest.results[r * widths.size() + j], at(dims, r, offsets[j]));
  }

  OpBuilder &b;
  Location loc;
  const Contraction &c;
  int64_t lanes;
  bool fused, masked;
  int64_t prefetchDistance;
  /// The packed B as one dim, for the prefetches.
  Value flatB;
};

/// Repacks a constant B whose innermost dim is N (a MatMul's [K, N], a
/// convolution's [g, c, kh, kw, m]) into panels of `width` columns, the
/// tile width: B'[n / width, ..., n % width], zero-padded. A tile then
/// reads its weights as one sequential stream instead of `width` columns
/// out of every row, which the hardware prefetchers follow across pages.
void packWeight(Contraction &c, OpBuilder &b, int64_t width) {
  auto getGlobal = c.b.getDefiningOp<memref::GetGlobalOp>();
  if (!getGlobal || c.stride != 1)
    return;
  auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
      getGlobal, getGlobal.getNameAttr());
  auto type = llvm::cast<MemRefType>(c.b.getType());
  if (!global || !global.getConstant() || !type.getLayout().isIdentity())
    return;
  auto dense = llvm::dyn_cast_or_null<DenseElementsAttr>(
      global.getInitialValue().value_or(Attribute()));
  const LinearExpr &inner = c.bExprs.back();
  if (!dense || inner.constant != 0 ||
      llvm::any_of(llvm::enumerate(inner.coeffs), [&](auto pair) {
        return pair.value() != (pair.index() == c.n ? 1 : 0);
      }))
    return;
  ArrayRef<int64_t> shape = type.getShape();
  int64_t columns = shape.back(), panels = llvm::divideCeil(columns, width);
  int64_t rows = type.getNumElements() / columns;
  SmallVector<int64_t> packedShape{panels};
  llvm::append_range(packedShape, shape.drop_back());
  packedShape.push_back(width);
  auto packedType = RankedTensorType::get(packedShape, b.getF32Type());
  DenseElementsAttr packed;
  if (dense.isSplat()) {
    packed = DenseElementsAttr::get(packedType,
                                    dense.getSplatValue<Attribute>());
  } else {
    ArrayRef<float> from(
        reinterpret_cast<const float *>(dense.getRawData().data()),
        type.getNumElements());
    std::vector<float> to(panels * rows * width, 0.0f);
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < width && p * width + j < columns; ++j)
          to[(p * rows + r) * width + j] = from[r * columns + p * width + j];
    packed = DenseElementsAttr::get(packedType, ArrayRef<float>(to));
  }
  auto module = global->getParentOfType<ModuleOp>();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(global);
  auto packedGlobal = memref::GlobalOp::create(
      b, global.getLoc(), (global.getSymName() + "_packed").str(),
      b.getStringAttr("private"),
      MemRefType::get(packedShape, b.getF32Type()), packed,
      /*constant=*/true, b.getI64IntegerAttr(64));
  SymbolTable(module).insert(packedGlobal);
  b.setInsertionPointAfter(getGlobal);
  c.b = memref::GetGlobalOp::create(b, getGlobal.getLoc(),
                                    packedGlobal.getType(),
                                    packedGlobal.getSymName());
  c.packedWidth = width;
}

struct VectorizeContractionsPass
    : impl::VectorizeContractionsBase<VectorizeContractionsPass> {
  using Base::Base;

  /// Makes `epilogue` part of the kernel of `op` (matched as `c`), unless
  /// it is a residual read by element (C not contiguous along the tile's
  /// columns: the add's own vector loop is cheaper) or it would cost a
  /// parallel loop a buffer slot (the loop on every thread is worth more).
  /// `created` gets the views it made for the kernel.
  bool takeEpilogue(OpBuilder &builder, linalg::GenericOp op, Contraction &c,
                    const Epilogue &epilogue, bool inParallel,
                    SmallVector<Operation *> *created = nullptr) {
    if (!epilogue.extras.empty() && !c.contiguousC)
      return false;
    // The views and constants between the two (D's view, say) go first:
    // the kernel uses them.
    for (Operation *between = op->getNextNode();
         between != epilogue.consumer;) {
      Operation *next = between->getNextNode();
      between->moveBefore(op);
      between = next;
    }
    Value target = storeTarget(builder, op.getLoc(), epilogue, c.c);
    SmallVector<Value> extras = extraInputs(builder, op.getLoc(), epilogue, c.c);
    Contraction trial = c;
    trial.d = target;
    trial.extras = extras;
    if (inParallel && !parallelBuffers(kernelBuffers(trial))) {
      for (Value view : extras)
        view.getDefiningOp()->erase();
      if (target != c.c)
        target.getDefiningOp()->erase();
      return false;
    }
    if (created) {
      if (target != c.c && target != epilogue.output)
        created->push_back(target.getDefiningOp());
      for (auto [view, extra] : llvm::zip(extras, epilogue.extras))
        if (view != extra)
          created->push_back(view.getDefiningOp());
    }
    c.d = target;
    c.epilogue = epilogue.consumer;
    c.extras = extras;
    c.accInput = epilogue.accInput;
    return true;
  }

  /// Makes the kernel of `op` (matched as `c`) initialize its accumulators
  /// the way `prologue.init` initializes C, unless C's initial values are
  /// read where they cannot be rebuilt.
  bool takePrologue(const Prologue &prologue, Contraction &c, bool inParallel) {
    if (prologue.source) {
      std::optional<SmallVector<LinearExpr>> exprs =
          linearize(prologue.sourceMap);
      if (!exprs)
        return false;
      Contraction trial = c;
      trial.initSource = prologue.source;
      if (inParallel && !parallelBuffers(kernelBuffers(trial)))
        return false;
      c.initSource = prologue.source;
      c.initExprs = std::move(*exprs);
      return true;
    }
    c.initSplat = prologue.splat;
    return true;
  }

  /// Where `c` has the output channels along its vectors (rows of image
  /// points, C gathered and scattered), the image's rows along the vectors
  /// instead may rate better once wrapped into one line (see wrapRows):
  /// SqueezeNet's 3x3 convolutions on 27x27 images, whose 27-column rows
  /// alone fill vectors too little. A residual epilogue that `c` could not
  /// take (`deferred`) comes with it: the wrapped rows read it by vector
  /// (ResNet-18's 56x56 convolutions and their residual adds).
  bool wrapOtherOrientation(OpBuilder &builder, linalg::GenericOp op,
                            Contraction &c, const Epilogue *deferred,
                            bool inParallel) {
    if (c.contiguousC)
      return false;
    FailureOr<Contraction> other =
        matchContraction(op, lanes, rows, c.outDims.back());
    if (failed(other) || !other->contiguousC)
      return false;
    // The prologue and epilogue, as taken for C's indices.
    other->d = c.d;
    other->epilogue = c.epilogue;
    other->extras = c.extras;
    other->accInput = c.accInput;
    other->initSplat = c.initSplat;
    other->initSource = c.initSource;
    other->initExprs = c.initExprs;
    SmallVector<Operation *> created;
    if (deferred &&
        !takeEpilogue(builder, op, *other, *deferred, inParallel, &created))
      return false;
    if (wrapRows(builder, op.getLoc(), *other, lanes, rows,
                 tileEfficiency(c, lanes, c.reductionSteps))) {
      c = *other;
      return true;
    }
    for (Operation *view : created)
      view->erase();
    return false;
  }

  void runOnOperation() override {
    if (lanes < 1 || rows < 1) {
      getOperation().emitError("vectorize-contractions: lanes and rows must "
                               "be positive");
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    unsigned kernels = 0;
    // Consumers applied in a kernel's epilogue, erased after the walk.
    SmallVector<linalg::GenericOp> applied;
    for (linalg::GenericOp op : ops) {
      if (llvm::is_contained(applied, op))
        continue;
      FailureOr<Contraction> contraction = matchContraction(op, lanes, rows);
      if (failed(contraction))
        continue;
      OpBuilder builder(op);
      bool inParallel = parallel && iterationCount(op) >= minParallelWork;
      std::optional<Prologue> prologue = matchPrologue(op);
      if (prologue && !takePrologue(*prologue, *contraction, inParallel))
        prologue.reset();
      // A residual that a gathered C would read by element waits for the
      // orientation: wrapped, the other one reads it by vector.
      std::optional<Epilogue> epilogue = matchEpilogue(op), deferred;
      if (epilogue && !epilogue->extras.empty() && !contraction->contiguousC)
        deferred = epilogue;
      else if (epilogue &&
               takeEpilogue(builder, op, *contraction, *epilogue, inParallel))
        applied.push_back(epilogue->consumer);
      if (!mergeDims(builder, op.getLoc(), *contraction, lanes, rows) &&
          maskedLoads &&
          !wrapRows(builder, op.getLoc(), *contraction, lanes, rows) &&
          wrapOtherOrientation(builder, op, *contraction,
                               deferred ? &*deferred : nullptr, inParallel) &&
          deferred)
        applied.push_back(deferred->consumer);
      if (isWeight(contraction->b))
        packWeight(*contraction, builder, contraction->tileVectors * lanes);
      KernelEmitter emitter(builder, op.getLoc(), *contraction, lanes, fused,
                            maskedLoads, prefetchDistance);
      if (inParallel) {
        auto parent = op->getParentOfType<func::FuncOp>();
        std::string name = (parent.getName() + "_contraction" +
                            llvm::Twine(kernels++))
                               .str();
        emitter.emit(getOperation(), name);
      } else {
        emitter.emit();
      }
      op.erase();
      if (prologue) {
        prologue->init->erase();
        for (linalg::LinalgOp dead : prologue->deadInits)
          dead->erase();
      }
    }
    for (linalg::GenericOp consumer : applied)
      consumer.erase();
    // The weights that were repacked and are no longer read.
    getOperation().walk([](memref::GetGlobalOp get) {
      if (get->use_empty())
        get.erase();
    });
    SmallVector<memref::GlobalOp> dead;
    for (auto global : getOperation().getOps<memref::GlobalOp>())
      if (global.isPrivate() &&
          SymbolTable::symbolKnownUseEmpty(global, getOperation()))
        dead.push_back(global);
    for (memref::GlobalOp global : dead)
      global.erase();
  }
};

} // namespace

static bool accumulateLinear(AffineExpr expr, int64_t scale, LinearExpr &out) {
  if (auto dim = llvm::dyn_cast<AffineDimExpr>(expr)) {
    out.coeffs[dim.getPosition()] += scale;
    return true;
  }
  if (auto cst = llvm::dyn_cast<AffineConstantExpr>(expr)) {
    out.constant += scale * cst.getValue();
    return true;
  }
  auto binary = llvm::dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return false;
  if (binary.getKind() == AffineExprKind::Add)
    return accumulateLinear(binary.getLHS(), scale, out) &&
           accumulateLinear(binary.getRHS(), scale, out);
  if (binary.getKind() != AffineExprKind::Mul)
    return false;
  if (auto cst = llvm::dyn_cast<AffineConstantExpr>(binary.getRHS()))
    return accumulateLinear(binary.getLHS(), scale * cst.getValue(), out);
  if (auto cst = llvm::dyn_cast<AffineConstantExpr>(binary.getLHS()))
    return accumulateLinear(binary.getRHS(), scale * cst.getValue(), out);
  return false;
}

std::optional<SmallVector<LinearExpr>> linearize(AffineMap map) {
  SmallVector<LinearExpr> exprs;
  for (AffineExpr expr : map.getResults()) {
    LinearExpr linear;
    linear.coeffs.assign(map.getNumDims(), 0);
    if (!accumulateLinear(expr, 1, linear))
      return std::nullopt;
    exprs.push_back(std::move(linear));
  }
  return exprs;
}

scf::LoopNest buildStaticLoopNest(
    OpBuilder &b, Location loc, ArrayRef<int64_t> extents, ValueRange init,
    function_ref<scf::ValueVector(ValueRange, ValueRange)> body) {
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t extent : extents) {
    lbs.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    ubs.push_back(arith::ConstantIndexOp::create(b, loc, extent));
    steps.push_back(arith::ConstantIndexOp::create(b, loc, 1));
  }
  return scf::buildLoopNest(
      b, loc, lbs, ubs, steps, init,
      [&](OpBuilder &, Location, ValueRange ivs, ValueRange carried) {
        return body(ivs, carried);
      });
}

Value viewedBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>()) {
    if (llvm::isa<memref::ViewOp>(view))
      break;
    value = view.getViewSource();
  }
  return value;
}

bool hasUnitInnerStride(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.empty() || strides.back() == 1;
}

SmallVector<ReassociationIndices> foldingPair(int64_t rank, unsigned pair) {
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t d = 0; d < rank; ++d)
    if (d != int64_t(pair) + 1)
      reassociation.push_back(d == int64_t(pair)
                                  ? ReassociationIndices{d, d + 1}
                                  : ReassociationIndices{d});
  return reassociation;
}

/// The lanes `masked` loads and stores of `width` lanes move.
static int64_t maskedWidth(int64_t width, bool masked) {
  return masked ? int64_t(llvm::PowerOf2Ceil(width)) : width;
}

static Value prefixMask(OpBuilder &b, Location loc, int64_t width,
                        int64_t full) {
  return vector::ConstantMaskOp::create(
      b, loc, VectorType::get({full}, b.getI1Type()), ArrayRef<int64_t>{width});
}

Value loadVector(OpBuilder &b, Location loc, Value buffer, ValueRange indices,
                 int64_t width, bool masked) {
  auto type = VectorType::get({width}, b.getF32Type());
  int64_t full = maskedWidth(width, masked);
  if (full == width)
    return vector::LoadOp::create(b, loc, type, buffer, indices);
  // The masked-off lanes are not read: the load stays inside the buffer.
  auto fullType = VectorType::get({full}, b.getF32Type());
  Value zeros = arith::ConstantOp::create(
      b, loc, fullType, DenseElementsAttr::get(fullType, 0.0f));
  Value wide =
      vector::MaskedLoadOp::create(b, loc, fullType, buffer, indices,
                                   prefixMask(b, loc, width, full), zeros);
  return vector::ExtractStridedSliceOp::create(
      b, loc, wide, ArrayRef<int64_t>{0}, ArrayRef<int64_t>{width},
      ArrayRef<int64_t>{1});
}

void storeVector(OpBuilder &b, Location loc, Value value, Value buffer,
                 ValueRange indices, bool masked) {
  int64_t width = llvm::cast<VectorType>(value.getType()).getNumElements();
  int64_t full = maskedWidth(width, masked);
  if (full == width) {
    vector::StoreOp::create(b, loc, value, buffer, indices);
    return;
  }
  SmallVector<int64_t> lanes(full, 0);
  for (int64_t i = 0; i < width; ++i)
    lanes[i] = i;
  Value wide = vector::ShuffleOp::create(b, loc, value, value, lanes);
  vector::MaskedStoreOp::create(b, loc, buffer, indices,
                                prefixMask(b, loc, width, full), wide);
}

Value loadEvenlySpaced(OpBuilder &b, Location loc, Value buffer,
                       ValueRange indices, int64_t width, int64_t stride,
                       bool masked) {
  if (stride == 1)
    return loadVector(b, loc, buffer, indices, width, masked);
  // The span from the first element to the last: no lane past the last
  // element the loop reads, so the load stays inside the buffer.
  int64_t span = (width - 1) * stride + 1;
  Value wide = loadVector(b, loc, buffer, indices, span, masked);
  SmallVector<int64_t> mask;
  for (int64_t i = 0; i < width; ++i)
    mask.push_back(i * stride);
  return vector::ShuffleOp::create(b, loc, wide, wide, mask);
}

bool hasStaticF32Buffers(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), [](Type type) {
    auto memref = llvm::dyn_cast<MemRefType>(type);
    return memref && memref.hasStaticShape() &&
           memref.getElementType().isF32();
  });
}

bool isMultiplyAccumulate(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0)
    return false;
  Block &body = op.getRegion().front();
  if (body.getNumArguments() != 3 || body.getOperations().size() != 3)
    return false;
  auto mul = llvm::dyn_cast<arith::MulFOp>(body.front());
  auto add = llvm::dyn_cast<arith::AddFOp>(*std::next(body.begin()));
  auto yield = llvm::dyn_cast<linalg::YieldOp>(body.back());
  if (!mul || !add || !yield || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != add.getResult())
    return false;
  Value x = body.getArgument(0), y = body.getArgument(1),
        acc = body.getArgument(2);
  bool mulOk = (mul.getLhs() == x && mul.getRhs() == y) ||
               (mul.getLhs() == y && mul.getRhs() == x);
  bool addOk = (add.getLhs() == acc && add.getRhs() == mul.getResult()) ||
               (add.getRhs() == acc && add.getLhs() == mul.getResult());
  return mulOk && addOk && acc.getType().isF32();
}

} // namespace onnxc
