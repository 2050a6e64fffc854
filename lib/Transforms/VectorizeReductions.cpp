//===- VectorizeReductions.cpp - Reductions vectorized across rows --------===//
//
// Softmax, LayerNorm, ReduceMean and pooling reduce the rows of a tensor
// one element at a time: a chain of dependent adds (or max) per row, which
// LLVM cannot vectorize without reassociating the sum, and which runs at
// the latency of one add per element. This pass vectorizes such a generic
// across its rows instead: one vector lane per row (a parallel dim), so
// each lane still sums its row in order and the results are bit-identical
// to the scalar loops, while one instruction serves `lanes` rows. Inputs
// that read the row dim are gathered lane by lane; inputs that do not are
// broadcast; the accumulators stay in registers for the whole reduction,
// several vectors of rows at a time (kChains), so that independent chains
// hide each step's latency.
//
//===----------------------------------------------------------------------===//

#include "Contraction.h"
#include "ParallelFor.h"
#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

namespace onnxc {
#define GEN_PASS_DEF_VECTORIZEREDUCTIONS
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

/// The fewest rows worth a vector.
constexpr int64_t kMinRows = 4;

/// The vectors of consecutive rows that one reduction loop computes
/// together. Each step of a row depends on the one before (a max pool's
/// compare and select: 5 cycles); independent rows in flight hide it.
constexpr int64_t kChains = 4;

/// How a reduction generic is vectorized.
struct RowReduction {
  linalg::GenericOp op;
  SmallVector<int64_t> ranges;
  /// The parallel dim whose points become vector lanes.
  unsigned rows;
  /// The other parallel dims, in output order, and the reduction dims.
  SmallVector<unsigned> outer, reductions;
  /// Where every accumulator starts when the fill before the op wrote it
  /// (a max pool's -inf, a sum's 0): the fill is then removed.
  FloatAttr initSplat;
  /// For a body that is only `max(acc, x)` (or min) of input `input`: a
  /// max pool, ReduceMax, Softmax's row max.
  struct MinMax {
    bool isMax;
    unsigned input;
  };
  std::optional<MinMax> minMax;
};

bool isScalar(Type type) { return type.isIntOrIndexOrFloat() && !type.isIndex(); }

/// The body can be computed on vectors: elementwise arith/math ops on
/// scalars, constants captured from outside.
bool hasVectorizableBody(linalg::GenericOp op) {
  for (Operation &inner : op.getRegion().front().without_terminator()) {
    if (!inner.hasTrait<OpTrait::Elementwise>() && !llvm::isa<arith::ConstantOp>(inner))
      return false;
    if (inner.getNumRegions() || !llvm::all_of(inner.getOperandTypes(), isScalar) ||
        !llvm::all_of(inner.getResultTypes(), isScalar))
      return false;
  }
  return capturesOnlyConstants(op.getRegion());
}

/// Sums and constant multiples of dims and constants (a pooling window's
/// `oh * 2 + kh`), which evaluate to index arithmetic.
bool isLinear(AffineExpr expr) {
  if (llvm::isa<AffineDimExpr, AffineConstantExpr>(expr))
    return true;
  auto binary = llvm::dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary || (binary.getKind() != AffineExprKind::Add &&
                  binary.getKind() != AffineExprKind::Mul))
    return false;
  if (binary.getKind() == AffineExprKind::Mul &&
      !llvm::isa<AffineConstantExpr>(binary.getRHS()) &&
      !llvm::isa<AffineConstantExpr>(binary.getLHS()))
    return false;
  return isLinear(binary.getLHS()) && isLinear(binary.getRHS());
}

/// The body `yield max(acc, x)` or `min(acc, x)`, x a block argument.
std::optional<RowReduction::MinMax> matchMinMax(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (!llvm::hasSingleElement(body.without_terminator()))
    return std::nullopt;
  Operation &inner = body.front();
  bool isMax = llvm::isa<arith::MaximumFOp>(inner);
  if ((!isMax && !llvm::isa<arith::MinimumFOp>(inner)) ||
      body.getTerminator()->getOperand(0) != inner.getResult(0))
    return std::nullopt;
  Value acc = body.getArguments().back(), lhs = inner.getOperand(0),
        rhs = inner.getOperand(1);
  auto x = llvm::dyn_cast<BlockArgument>(lhs == acc ? rhs : lhs);
  if ((lhs != acc && rhs != acc) || !x || x == acc)
    return std::nullopt;
  return RowReduction::MinMax{isMax, x.getArgNumber()};
}

FailureOr<RowReduction> matchRowReduction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0 || !hasStaticF32Buffers(op) ||
      !hasVectorizableBody(op))
    return failure();
  RowReduction r;
  r.op = op;
  r.ranges = op.getStaticLoopRanges();
  for (AffineMap map : op.getIndexingMapsArray())
    for (AffineExpr expr : map.getResults())
      if (!isLinear(expr))
        return failure();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  AffineMap outMap = op.getIndexingMapsArray().back();
  std::optional<unsigned> rows;
  for (AffineExpr expr : llvm::reverse(outMap.getResults())) {
    auto dim = llvm::dyn_cast<AffineDimExpr>(expr);
    if (!dim || iterators[dim.getPosition()] != utils::IteratorType::parallel)
      return failure();
    if (!rows && r.ranges[dim.getPosition()] >= kMinRows)
      rows = dim.getPosition();
  }
  if (!rows)
    return failure();
  r.rows = *rows;
  for (AffineExpr expr : outMap.getResults()) {
    unsigned d = llvm::cast<AffineDimExpr>(expr).getPosition();
    if (d != r.rows)
      r.outer.push_back(d);
  }
  for (auto [d, type] : llvm::enumerate(iterators))
    if (type == utils::IteratorType::reduction)
      r.reductions.push_back(d);
  if (r.outer.size() + r.reductions.size() + 1 != r.ranges.size())
    return failure();
  r.minMax = matchMinMax(op);
  return r;
}

/// Emits the vectorized loops of one row reduction on `buffers` (the op's
/// operands, or their copies inside an outlined body).
class RowReductionEmitter {
public:
  RowReductionEmitter(OpBuilder &b, Location loc, const RowReduction &r,
                      ValueRange operands, int64_t lanes, bool masked)
      : b(b), loc(loc), r(r), operands(operands), lanes(lanes), masked(masked),
        window(sharedWindow()) {}

  /// The number of iterations of the outermost loop: the first outer dim
  /// of extent > 1, or the row tiles.
  int64_t outermostCount() {
    for (unsigned d : r.outer)
      if (r.ranges[d] > 1)
        return r.ranges[d];
    return llvm::divideCeil(r.ranges[r.rows], lanes);
  }

  /// All the loops.
  void emit() {
    SmallVector<Value> point(r.ranges.size(), constant(0));
    emitOuter(point, 0);
  }

  /// Iteration `index` of the outermost loop (see outermostCount).
  void emitIteration(Value index) {
    SmallVector<Value> point(r.ranges.size(), constant(0));
    for (auto [level, d] : llvm::enumerate(r.outer)) {
      if (r.ranges[d] == 1)
        continue;
      point[d] = index;
      return emitOuter(point, level + 1);
    }
    emitRowTile(point, index);
  }

private:
  Value constant(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }

  void emitOuter(SmallVector<Value> &point, size_t level) {
    if (level == r.outer.size())
      return emitRowTiles(point);
    unsigned d = r.outer[level];
    if (r.ranges[d] == 1)
      return emitOuter(point, level + 1);
    // Rows shorter than kChains vectors: the innermost outer dim's
    // consecutive points share a loop nest, kChains vectors in all.
    bool innermost = llvm::all_of(ArrayRef(r.outer).drop_front(level + 1),
                                  [&](unsigned o) { return r.ranges[o] == 1; });
    int64_t vectors = llvm::divideCeil(r.ranges[r.rows], lanes);
    int64_t step = innermost ? std::min(r.ranges[d],
                                        std::max<int64_t>(1, kChains / vectors))
                             : 1;
    auto emitPoints = [&](Value first, int64_t count) {
      if (step == 1) {
        SmallVector<Value> inner = point;
        inner[d] = first;
        return emitOuter(inner, level + 1);
      }
      SmallVector<SmallVector<Value>> points;
      for (int64_t i = 0; i < count; ++i) {
        points.push_back(point);
        points.back()[d] =
            b.createOrFold<arith::AddIOp>(loc, first, constant(i));
      }
      emitTile(rowVectors(points, r.ranges[r.rows]));
    };
    int64_t full = r.ranges[d] / step * step;
    {
      auto loop = scf::ForOp::create(b, loc, constant(0), constant(full),
                                     constant(step));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      emitPoints(loop.getInductionVar(), step);
    }
    if (full < r.ranges[d])
      emitPoints(constant(full), r.ranges[d] - full);
  }

  /// A vector of `width` consecutive rows from `start`.
  struct RowVector {
    SmallVector<Value> start;
    int64_t width;
  };

  /// The `count` consecutive rows from each of `points`, in vectors.
  SmallVector<RowVector> rowVectors(ArrayRef<SmallVector<Value>> points,
                                    int64_t count) {
    SmallVector<RowVector> vectors;
    for (ArrayRef<Value> point : points)
      for (int64_t row = 0; row < count; row += lanes) {
        RowVector rows{SmallVector<Value>(point), std::min(lanes, count - row)};
        rows.start[r.rows] =
            b.createOrFold<arith::AddIOp>(loc, point[r.rows], constant(row));
        vectors.push_back(std::move(rows));
      }
    return vectors;
  }

  /// The rows at `point`, kChains vectors at a time, then the vectors of
  /// the rest.
  void emitRowTiles(SmallVector<Value> &point) {
    int64_t extent = r.ranges[r.rows], group = kChains * lanes;
    int64_t full = extent / group * group;
    if (full > 0) {
      auto loop = scf::ForOp::create(b, loc, constant(0), constant(full),
                                     constant(group));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      SmallVector<Value> inner = point;
      inner[r.rows] = loop.getInductionVar();
      emitTile(rowVectors({inner}, group));
    }
    if (full < extent) {
      SmallVector<Value> inner = point;
      inner[r.rows] = constant(full);
      emitTile(rowVectors({inner}, extent - full));
    }
  }

  /// Row tile `index` (a run-time value): full tiles and the partial one
  /// take different branches.
  void emitRowTile(SmallVector<Value> &point, Value index) {
    int64_t extent = r.ranges[r.rows], full = extent / lanes;
    Value start = arith::MulIOp::create(b, loc, index, constant(lanes));
    SmallVector<Value> inner = point;
    inner[r.rows] = start;
    if (full * lanes == extent)
      return emitTile({{inner, lanes}});
    if (full == 0)
      return emitTile({{inner, extent}});
    Value isFull = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         index, constant(full));
    auto ifOp = scf::IfOp::create(b, loc, isFull, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    emitTile({{inner, lanes}});
    b.setInsertionPointToStart(ifOp.elseBlock());
    inner[r.rows] = constant(full * lanes);
    emitTile({{inner, extent - full * lanes}});
  }

  /// A linear expression (see isLinear) at `point`.
  Value evaluate(AffineExpr expr, ArrayRef<Value> point) {
    if (auto dim = llvm::dyn_cast<AffineDimExpr>(expr))
      return point[dim.getPosition()];
    if (auto cst = llvm::dyn_cast<AffineConstantExpr>(expr))
      return constant(cst.getValue());
    auto binary = llvm::cast<AffineBinaryOpExpr>(expr);
    Value lhs = evaluate(binary.getLHS(), point),
          rhs = evaluate(binary.getRHS(), point);
    if (binary.getKind() == AffineExprKind::Add)
      return b.createOrFold<arith::AddIOp>(loc, lhs, rhs);
    return b.createOrFold<arith::MulIOp>(loc, lhs, rhs);
  }

  SmallVector<Value> indices(AffineMap map, ArrayRef<Value> point) {
    SmallVector<Value> result;
    for (AffineExpr expr : map.getResults())
      result.push_back(evaluate(expr, point));
    return result;
  }

  /// The distance between consecutive rows' elements of operand `i`, when
  /// only its innermost index moves with the row dim, by a positive
  /// constant, and that index has unit stride: rows then lie along one
  /// line of memory.
  std::optional<int64_t> rowStride(unsigned i) {
    AffineMap map = r.op.getIndexingMapsArray()[i];
    auto type = llvm::dyn_cast<MemRefType>(operands[i].getType());
    std::optional<SmallVector<LinearExpr>> exprs = linearize(map);
    if (!type || !exprs || exprs->empty() || !hasUnitInnerStride(type))
      return std::nullopt;
    for (const LinearExpr &expr : ArrayRef(*exprs).drop_back())
      if (expr.coeffs[r.rows] != 0)
        return std::nullopt;
    int64_t step = exprs->back().coeffs[r.rows];
    if (step <= 0)
      return std::nullopt;
    return step;
  }

  /// Operand `i` at the `width` rows from `point`: one vector load when
  /// the rows are consecutive, the covering span and every stride-th lane
  /// of it when they are evenly spaced (a strided pooling window), else
  /// gathered lane by lane; one value broadcast when it does not read the
  /// row dim.
  Value load(unsigned i, ArrayRef<Value> point, int64_t width) {
    AffineMap map = r.op.getIndexingMapsArray()[i];
    auto type = VectorType::get({width}, b.getF32Type());
    if (!map.isFunctionOfDim(r.rows))
      return vector::BroadcastOp::create(
          b, loc, type,
          memref::LoadOp::create(b, loc, operands[i], indices(map, point)));
    if (std::optional<int64_t> stride = rowStride(i))
      return loadEvenlySpaced(b, loc, operands[i], indices(map, point), width,
                              *stride, masked);
    SmallVector<Value> elements, lane(point);
    for (int64_t l = 0; l < width; ++l) {
      lane[r.rows] = b.createOrFold<arith::AddIOp>(loc, point[r.rows],
                                                   constant(l));
      elements.push_back(
          memref::LoadOp::create(b, loc, operands[i], indices(map, lane)));
    }
    return vector::FromElementsOp::create(b, loc, type, elements);
  }

  /// The body on vectors of `width` lanes.
  Value computeBody(ArrayRef<Value> args, int64_t width) {
    Block &body = r.op.getRegion().front();
    IRMapping mapping;
    for (auto [arg, value] : llvm::zip(body.getArguments(), args))
      mapping.map(arg, value);
    auto vectorOf = [&](Type type) { return VectorType::get({width}, type); };
    auto lookup = [&](Value value) -> Value {
      if (Value mapped = mapping.lookupOrNull(value))
        return mapped;
      // A constant captured from outside the body.
      auto attr = llvm::cast<TypedAttr>(
          llvm::cast<arith::ConstantOp>(value.getDefiningOp()).getValue());
      Value splat = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(vectorOf(attr.getType()), attr));
      mapping.map(value, splat);
      return splat;
    };
    for (Operation &inner : body.without_terminator()) {
      if (auto cst = llvm::dyn_cast<arith::ConstantOp>(inner)) {
        auto attr = llvm::cast<TypedAttr>(cst.getValue());
        mapping.map(cst.getResult(),
                    arith::ConstantOp::create(
                        b, loc,
                        DenseElementsAttr::get(vectorOf(attr.getType()), attr)));
        continue;
      }
      // The same op (attributes and properties kept) on vectors.
      for (Value operand : inner.getOperands())
        (void)lookup(operand);
      Operation *vectorOp = b.clone(inner, mapping);
      for (Value result : vectorOp->getResults())
        result.setType(vectorOf(result.getType()));
    }
    return lookup(body.getTerminator()->getOperand(0));
  }

  /// The row vectors `vectors`, reduced in one loop nest.
  void emitTile(ArrayRef<RowVector> vectors) {
    unsigned out = r.op.getNumDpsInputs();
    // Per vector, the accumulator and, for a min or max, whether every
    // element so far was a number (see minMaxStep).
    unsigned perVector = r.minMax ? 2 : 1;
    SmallVector<Value> init;
    for (const RowVector &rows : vectors) {
      init.push_back(initial(rows.start, rows.width));
      if (r.minMax)
        init.push_back(arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(VectorType::get({rows.width}, b.getI1Type()),
                                   true)));
    }
    ArrayRef<unsigned> looped = r.reductions;
    if (window)
      looped = looped.drop_back();
    SmallVector<int64_t> extents;
    for (unsigned d : looped)
      extents.push_back(r.ranges[d]);
    scf::LoopNest nest = buildStaticLoopNest(
        b, loc, extents, init, [&](ValueRange ivs, ValueRange accs) {
          scf::ValueVector next;
          for (auto [j, rows] : llvm::enumerate(vectors)) {
            int64_t width = rows.width;
            SmallVector<Value> at(rows.start);
            for (auto [d, iv] : llvm::zip(looped, ivs))
              at[d] = iv;
            if (window) {
              windowSteps(at, width, *window,
                          accs.slice(perVector * j, perVector), next);
              continue;
            }
            if (r.minMax) {
              minMaxStep(load(r.minMax->input, at, width),
                         accs.slice(perVector * j, perVector), next);
              continue;
            }
            SmallVector<Value> args;
            for (unsigned i = 0; i < out; ++i)
              args.push_back(load(i, at, width));
            args.push_back(accs[j]);
            next.push_back(computeBody(args, width));
          }
          return next;
        });
    for (auto [j, rows] : llvm::enumerate(vectors)) {
      Value result = nest.results[perVector * j];
      if (r.minMax)
        result = arith::SelectOp::create(
            b, loc, nest.results[perVector * j + 1], result,
            arith::ConstantOp::create(
                b, loc,
                DenseElementsAttr::get(
                    llvm::cast<ShapedType>(result.getType()),
                    APFloat::getQNaN(APFloat::IEEEsingle()))));
      store(result, rows.start, rows.width);
    }
  }

  /// The stride of a min or max's input along the rows, when its
  /// innermost reduction dim (a pooling window's columns, at most 4) moves
  /// that input's innermost index by one and the rows by more: the spans
  /// of the window's columns then overlap (2 * ow + kw), and windowSteps
  /// loads them as one.
  std::optional<int64_t> sharedWindow() {
    if (!r.minMax || r.reductions.empty())
      return std::nullopt;
    unsigned column = r.reductions.back();
    std::optional<int64_t> stride = rowStride(r.minMax->input);
    std::optional<SmallVector<LinearExpr>> exprs =
        linearize(r.op.getIndexingMapsArray()[r.minMax->input]);
    if (!stride || *stride < 2 || !exprs || r.ranges[column] > 4 ||
        exprs->back().coeffs[column] != 1 ||
        llvm::any_of(ArrayRef(*exprs).drop_back(), [&](const LinearExpr &e) {
          return e.coeffs[column] != 0;
        }))
      return std::nullopt;
    return stride;
  }

  /// The steps of a window's columns (see sharedWindow) for `width` rows
  /// from `at`: one load of the span that all of them cover, and each
  /// column's elements picked from it, where each column would load its
  /// own span (a stride-2 3x3 max pool: 2 zmm loads a step instead of 6).
  void windowSteps(SmallVector<Value> &at, int64_t width, int64_t stride,
                   ValueRange accs, scf::ValueVector &next) {
    unsigned column = r.reductions.back(), input = r.minMax->input;
    int64_t columns = r.ranges[column];
    at[column] = constant(0);
    AffineMap map = r.op.getIndexingMapsArray()[input];
    int64_t span = (width - 1) * stride + columns;
    Value wide =
        loadVector(b, loc, operands[input], indices(map, at), span, masked);
    SmallVector<Value> current(accs), picked;
    for (int64_t k = 0; k < columns; ++k) {
      // Column k's lanes are column k - stride's, one lane on, and the
      // span's next element: one lane rotation (valignd) instead of
      // another permute across the span's registers.
      SmallVector<int64_t> lanesOf;
      Value x;
      if (k >= stride) {
        for (int64_t l = 1; l < width; ++l)
          lanesOf.push_back(l);
        lanesOf.push_back(width + k + (width - 1) * stride);
        x = vector::ShuffleOp::create(b, loc, picked[k - stride], wide,
                                      lanesOf);
      } else {
        for (int64_t l = 0; l < width; ++l)
          lanesOf.push_back(k + l * stride);
        x = vector::ShuffleOp::create(b, loc, wide, wide, lanesOf);
      }
      picked.push_back(x);
      scf::ValueVector step;
      minMaxStep(x, current, step);
      current.assign(step.begin(), step.end());
    }
    next.append(current.begin(), current.end());
  }

  /// One step of a min or max: arith.maximumf is IEEE maximum, which x86
  /// and Arm take 4 instructions or more for (a compare and a select, and
  /// again for NaN). Its accumulator instead keeps `x > acc ? x : acc`
  /// (min: `<`), one vmaxps / fmax, which never takes a NaN `x`; a second
  /// vector tracks that `x` was a number (on AVX-512 one masked compare),
  /// and a NaN replaces the result where it was not. Between zeros of
  /// both signs the accumulator may keep either, as MLAS and NumPy do.
  void minMaxStep(Value x, ValueRange accs, scf::ValueVector &next) {
    Value better = arith::CmpFOp::create(
        b, loc,
        r.minMax->isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
        x, accs[0]);
    next.push_back(arith::SelectOp::create(b, loc, better, x, accs[0]));
    Value isNumber =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ORD, x, x);
    next.push_back(arith::AndIOp::create(b, loc, accs[1], isNumber));
  }

  /// The accumulators of `width` rows from `point`: the output's elements,
  /// or the constant the removed fill wrote there.
  Value initial(ArrayRef<Value> point, int64_t width) {
    if (!r.initSplat)
      return load(r.op.getNumDpsInputs(), point, width);
    auto type = VectorType::get({width}, r.initSplat.getType());
    return arith::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, r.initSplat.getValue()));
  }

  /// Stores the reduced `result` of `width` rows from `point`.
  void store(Value result, ArrayRef<Value> point, int64_t width) {
    unsigned out = r.op.getNumDpsInputs();
    AffineMap outMap = r.op.getIndexingMapsArray()[out];
    if (rowStride(out) == std::optional<int64_t>(1)) {
      storeVector(b, loc, result, operands[out], indices(outMap, point),
                  masked);
      return;
    }
    SmallVector<Value> lane(point);
    for (int64_t l = 0; l < width; ++l) {
      lane[r.rows] = b.createOrFold<arith::AddIOp>(loc, point[r.rows],
                                                   constant(l));
      Value element = vector::ExtractOp::create(b, loc, result, l);
      memref::StoreOp::create(b, loc, element, operands[out],
                              indices(outMap, lane));
    }
  }

  OpBuilder &b;
  Location loc;
  RowReduction r;
  SmallVector<Value> operands;
  int64_t lanes;
  bool masked;
  /// The stride of a min or max's input whose window columns share one
  /// span (see sharedWindow), the same for every tile.
  std::optional<int64_t> window;
};

struct VectorizeReductionsPass
    : impl::VectorizeReductionsBase<VectorizeReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (lanes < 1) {
      getOperation().emitError("vectorize-reductions: lanes must be positive");
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    unsigned bodies = 0;
    for (linalg::GenericOp op : ops) {
      FailureOr<RowReduction> reduction = matchRowReduction(op);
      if (failed(reduction))
        continue;
      // A fill with a constant right before the op starts the
      // accumulators instead (as for contractions, ContractionPrologue.cpp):
      // one pass over the output less.
      std::optional<Prologue> prologue = matchPrologue(op);
      if (prologue && prologue->splat)
        reduction->initSplat = prologue->splat;
      else
        prologue.reset();
      auto erasePrologue = [&] {
        if (!prologue)
          return;
        prologue->init->erase();
        for (linalg::LinalgOp dead : prologue->deadInits)
          dead->erase();
      };
      OpBuilder b(op);
      Location loc = op.getLoc();
      SmallVector<Value> operands(op->getOperands());
      RowReductionEmitter emitter(b, loc, *reduction, operands, lanes,
                                  maskedLoads);
      std::optional<SmallVector<Value>> buffers = parallelBuffers(operands);
      if (!parallel || iterationCount(op) < minParallelWork || !buffers ||
          emitter.outermostCount() < 2) {
        emitter.emit();
        op.erase();
        erasePrologue();
        continue;
      }
      // The outermost loop's body, outlined for the parallel-for hook.
      auto parent = op->getParentOfType<func::FuncOp>();
      std::string name =
          (parent.getName() + "_reduction" + llvm::Twine(bodies++)).str();
      emitParallelLoop(
          b, loc, getOperation(), name, *buffers, emitter.outermostCount(),
          [&](OpBuilder &b, const IRMapping &rebuilt, Value begin, Value end) {
            SmallVector<Value> local;
            for (Value operand : operands)
              local.push_back(rebuilt.lookup(operand));
            RowReductionEmitter inner(b, loc, *reduction, local, lanes,
                                      maskedLoads);
            auto loop = scf::ForOp::create(
                b, loc, begin, end, arith::ConstantIndexOp::create(b, loc, 1));
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(loop.getBody());
            inner.emitIteration(loop.getInductionVar());
          });
      op.erase();
      erasePrologue();
    }
  }
};

} // namespace
} // namespace onnxc
