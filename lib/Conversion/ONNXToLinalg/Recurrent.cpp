//===- Recurrent.cpp - RNN, GRU and LSTM ----------------------------------===//
//
// The three recurrent ops share one structure. Per direction:
//
//  - the input projection X*W^T plus the biases that do not depend on the
//    hidden state is one contraction over every time step, before the loop;
//  - an scf.for over the time steps carries the hidden state (LSTM: and the
//    cell state), the Y sequence being filled and scratch tensors for the
//    per-step products as iter_args. Each step is a contraction H*R^T into
//    the scratch tensor and linalg.map ops over [batch, hidden] that read
//    the gate blocks as slices, apply the activations and write the new
//    states in place. Every temporary is an iter_arg with a buffer of its
//    own, so that bufferization allocates nothing inside the loop (the
//    workspace planner only places allocations of the function's block).
//
// layout = 1 is a transpose into and out of the time-major form.
// sequence_lens are read at run time, as ONNX Runtime treats them: a batch
// entry past its length keeps its state and outputs zeros, the reverse
// direction starts at the entry's own last valid step, and an entry of
// length 0 has zero final states.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace onnxc {
namespace {

//===----------------------------------------------------------------------===//
// Activation functions
//===----------------------------------------------------------------------===//

enum class ActivationKind {
  Relu,
  Tanh,
  Sigmoid,
  Affine,
  LeakyRelu,
  ThresholdedRelu,
  ScaledTanh,
  HardSigmoid,
  Elu,
  Softsign,
  Softplus
};

struct Activation {
  ActivationKind kind;
  double alpha = 0.0, beta = 0.0;
};

/// How an activation named in the `activations` attribute takes its
/// parameters. A NaN default means there is none that runtimes agree on.
struct ActivationSpec {
  ActivationKind kind;
  bool usesAlpha, usesBeta;
  double defaultAlpha, defaultBeta;
};

std::optional<ActivationSpec> lookupActivation(StringRef name) {
  constexpr double none = std::numeric_limits<double>::quiet_NaN();
  using K = ActivationKind;
  // ONNX Runtime accepts the names in any case; so do we.
  std::string lower = name.lower();
  return llvm::StringSwitch<std::optional<ActivationSpec>>(lower)
      .Case("relu", ActivationSpec{K::Relu, false, false, none, none})
      .Case("tanh", ActivationSpec{K::Tanh, false, false, none, none})
      .Case("sigmoid", ActivationSpec{K::Sigmoid, false, false, none, none})
      // ONNX's Affine and ThresholdedRelu ops default alpha to 1, ONNX
      // Runtime's recurrent kernels to 0: such defaults are refused.
      .Case("affine", ActivationSpec{K::Affine, true, true, none, none})
      .Case("leakyrelu", ActivationSpec{K::LeakyRelu, true, false, 0.01, none})
      .Case("thresholdedrelu",
            ActivationSpec{K::ThresholdedRelu, true, false, none, none})
      .Case("scaledtanh", ActivationSpec{K::ScaledTanh, true, true, none, none})
      .Case("hardsigmoid", ActivationSpec{K::HardSigmoid, true, true, 0.2, 0.5})
      .Case("elu", ActivationSpec{K::Elu, true, false, 1.0, none})
      .Case("softsign", ActivationSpec{K::Softsign, false, false, none, none})
      .Case("softplus", ActivationSpec{K::Softplus, false, false, none, none})
      .Default(std::nullopt);
}

/// The activation functions of every direction (`defaults.size()` each),
/// with their alpha/beta taken in order from the attributes by the
/// functions that use them (ONNX Runtime's reading of the spec).
FailureOr<SmallVector<Activation>>
parseActivations(Operation *op, ArrayAttr names, ArrayAttr alphas,
                 ArrayAttr betas, ArrayRef<StringRef> defaults,
                 int64_t directions) {
  size_t count = defaults.size() * directions;
  SmallVector<StringRef> list;
  if (names) {
    for (Attribute name : names)
      list.push_back(llvm::cast<StringAttr>(name).getValue());
    // RNN's schema default is {"Tanh", "Tanh"} whatever the direction;
    // with one direction only the first is used.
    if (defaults.size() == 1 && directions == 1 && list.size() == 2)
      list.resize(1);
  } else {
    for (int64_t d = 0; d < directions; ++d)
      llvm::append_range(list, defaults);
  }
  if (list.size() != count)
    return unsupported(op, "expects " + Twine(count) +
                               " activation functions, got " +
                               Twine(list.size()));

  auto floats = [](ArrayAttr attr) {
    SmallVector<double> values;
    if (attr)
      for (Attribute a : attr)
        values.push_back(llvm::cast<FloatAttr>(a).getValueAsDouble());
    return values;
  };
  SmallVector<double> alphaValues = floats(alphas), betaValues = floats(betas);
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<Activation> result;
  for (StringRef name : list) {
    std::optional<ActivationSpec> spec = lookupActivation(name);
    if (!spec)
      return unsupported(op, "unknown activation function '" + name + "'");
    Activation activation{spec->kind};
    auto take = [&](bool used, SmallVector<double> &values, size_t &next,
                    double fallback, double &out) {
      if (!used)
        return true;
      if (next < values.size()) {
        out = values[next++];
        return true;
      }
      out = fallback;
      return !std::isnan(fallback);
    };
    if (!take(spec->usesAlpha, alphaValues, nextAlpha, spec->defaultAlpha,
              activation.alpha) ||
        !take(spec->usesBeta, betaValues, nextBeta, spec->defaultBeta,
              activation.beta))
      return unsupported(op, "activation '" + name +
                                 "' needs explicit activation_alpha/"
                                 "activation_beta values (runtimes disagree "
                                 "on its defaults)");
    result.push_back(activation);
  }
  return result;
}

Value activate(OpBuilder &b, Location loc, const Activation &activation,
               Value x) {
  auto cst = [&](double v) { return scalarConstant(b, loc, x.getType(), v); };
  auto mul = [&](Value l, Value r) -> Value {
    return arith::MulFOp::create(b, loc, l, r);
  };
  auto add = [&](Value l, Value r) -> Value {
    return arith::AddFOp::create(b, loc, l, r);
  };
  auto select = [&](arith::CmpFPredicate pred, Value l, Value r, Value yes,
                    Value no) -> Value {
    return arith::SelectOp::create(
        b, loc, arith::CmpFOp::create(b, loc, pred, l, r), yes, no);
  };
  double alpha = activation.alpha, beta = activation.beta;
  switch (activation.kind) {
  case ActivationKind::Relu:
    return arith::MaximumFOp::create(b, loc, x, cst(0.0));
  case ActivationKind::Tanh:
    return math::TanhOp::create(b, loc, x);
  case ActivationKind::Sigmoid: {
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, cst(1.0), add(cst(1.0), e));
  }
  case ActivationKind::Affine:
    return add(mul(cst(alpha), x), cst(beta));
  case ActivationKind::LeakyRelu:
    return select(arith::CmpFPredicate::OGE, x, cst(0.0), x,
                  mul(cst(alpha), x));
  case ActivationKind::ThresholdedRelu:
    return select(arith::CmpFPredicate::OGT, x, cst(alpha), x, cst(0.0));
  case ActivationKind::ScaledTanh:
    return mul(cst(alpha), math::TanhOp::create(b, loc, mul(cst(beta), x)));
  case ActivationKind::HardSigmoid: {
    Value y = add(mul(cst(alpha), x), cst(beta));
    y = arith::MinimumFOp::create(b, loc, y, cst(1.0));
    return arith::MaximumFOp::create(b, loc, y, cst(0.0));
  }
  case ActivationKind::Elu:
    return select(arith::CmpFPredicate::OGE, x, cst(0.0), x,
                  mul(cst(alpha), math::ExpM1Op::create(b, loc, x)));
  case ActivationKind::Softsign:
    return arith::DivFOp::create(
        b, loc, x, add(cst(1.0), math::AbsFOp::create(b, loc, x)));
  case ActivationKind::Softplus: {
    // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large x.
    Value e = math::ExpOp::create(
        b, loc, arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x)));
    return add(arith::MaximumFOp::create(b, loc, x, cst(0.0)),
               math::Log1pOp::create(b, loc, e));
  }
  }
  llvm_unreachable("unknown activation kind");
}

//===----------------------------------------------------------------------===//
// The recurrence, validated
//===----------------------------------------------------------------------===//

enum class CellKind { RNN, GRU, LSTM };

/// The operands of a recurrent op; absent optional ones are null.
struct RecurrentOperands {
  Value x, w, r, bias, sequenceLens, initialH, initialC, peepholes;
};

/// Everything the lowering needs to know about one recurrent op.
struct Recurrence {
  CellKind kind;
  int64_t gates;      // gate blocks in W and R: 1, 3 or 4
  int64_t directions; // 1 or 2
  bool reverse;       // the only direction runs backwards
  bool batchMajor;    // layout = 1
  int64_t seqLength, batch, inputSize, hidden;
  std::optional<double> clip;
  bool linearBeforeReset = false, inputForget = false;
  /// The activations of all directions, `perDirection` each.
  SmallVector<Activation> activations;
  int64_t perDirection;
  Type elementType;
  /// The requested results (null when absent): Y, Y_h, Y_c.
  RankedTensorType y, yH, yC;

  ArrayRef<Activation> activationsOf(int64_t direction) const {
    return ArrayRef<Activation>(activations)
        .slice(direction * perDirection, perDirection);
  }
  /// ONNX's shape of a per-direction state: [D, B, H] or [B, D, H].
  SmallVector<int64_t> stateShape() const {
    return batchMajor ? SmallVector<int64_t>{batch, directions, hidden}
                      : SmallVector<int64_t>{directions, batch, hidden};
  }
  SmallVector<int64_t> sequenceShape() const {
    return batchMajor
               ? SmallVector<int64_t>{batch, seqLength, directions, hidden}
               : SmallVector<int64_t>{seqLength, directions, batch, hidden};
  }
};

LogicalResult checkShape(Operation *op, Value value, StringRef name,
                         ArrayRef<int64_t> expected, Type elementType) {
  auto type = llvm::dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return unsupported(op, "needs a static shape for " + name);
  if (type.getShape() != expected) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << name << " has shape [";
    llvm::interleaveComma(type.getShape(), os);
    os << "], expected [";
    llvm::interleaveComma(expected, os);
    os << "]";
    return unsupported(op, text);
  }
  if (type.getElementType() != elementType)
    return unsupported(op, name + " has an unexpected element type");
  return success();
}

/// The converted type of result `index` when it is requested, null when it
/// is absent; failure when it does not have the expected shape.
FailureOr<RankedTensorType>
resultType(Operation *op, const TypeConverter &converter, unsigned index,
           StringRef name, ArrayRef<int64_t> expected, Type elementType) {
  Value result = op->getResult(index);
  if (isNone(result))
    return RankedTensorType();
  auto type = convertTensorType(converter, result.getType());
  if (!type)
    return unsupported(op, name + " is not a ranked tensor");
  if (failed(checkShape(op, result, name, expected, elementType)))
    return failure();
  return type;
}

/// Checks the operands' shapes against X's and R's.
LogicalResult checkOperands(Operation *op, const Recurrence &rec,
                            const RecurrentOperands &in) {
  int64_t d = rec.directions, g = rec.gates, h = rec.hidden;
  Type type = rec.elementType;
  Type i32 = IntegerType::get(op->getContext(), 32);
  if (failed(checkShape(op, in.w, "W", {d, g * h, rec.inputSize}, type)) ||
      failed(checkShape(op, in.r, "R", {d, g * h, h}, type)))
    return failure();
  if (in.bias && failed(checkShape(op, in.bias, "B", {d, 2 * g * h}, type)))
    return failure();
  if (in.sequenceLens && failed(checkShape(op, in.sequenceLens, "sequence_lens",
                                           {rec.batch}, i32)))
    return failure();
  if (in.initialH &&
      failed(checkShape(op, in.initialH, "initial_h", rec.stateShape(), type)))
    return failure();
  if (in.initialC &&
      failed(checkShape(op, in.initialC, "initial_c", rec.stateShape(), type)))
    return failure();
  if (in.peepholes &&
      failed(checkShape(op, in.peepholes, "P", {d, 3 * h}, type)))
    return failure();
  return success();
}

/// Records the requested results (Y, Y_h, Y_c) and checks their shapes.
LogicalResult readResults(Operation *op, const TypeConverter &converter,
                          Recurrence &rec) {
  Type type = rec.elementType;
  FailureOr<RankedTensorType> y =
      resultType(op, converter, 0, "Y", rec.sequenceShape(), type);
  if (failed(y))
    return failure();
  FailureOr<RankedTensorType> yH =
      resultType(op, converter, 1, "Y_h", rec.stateShape(), type);
  if (failed(yH))
    return failure();
  rec.y = *y;
  rec.yH = *yH;
  if (rec.kind != CellKind::LSTM)
    return success();
  FailureOr<RankedTensorType> yC =
      resultType(op, converter, 2, "Y_c", rec.stateShape(), type);
  if (failed(yC))
    return failure();
  rec.yC = *yC;
  return success();
}

/// ONNX's default activations of one direction: f (, g (, h)).
SmallVector<StringRef> defaultActivations(CellKind kind) {
  switch (kind) {
  case CellKind::RNN:
    return {"Tanh"};
  case CellKind::GRU:
    return {"Sigmoid", "Tanh"};
  case CellKind::LSTM:
    return {"Sigmoid", "Tanh", "Tanh"};
  }
  llvm_unreachable("unknown cell kind");
}

/// Validates the attributes and shapes shared by RNN, GRU and LSTM.
template <typename OpTy>
FailureOr<Recurrence> analyze(OpTy op, const TypeConverter &converter,
                              CellKind kind, const RecurrentOperands &in) {
  Operation *operation = op.getOperation();
  Recurrence rec;
  rec.kind = kind;
  rec.gates = kind == CellKind::RNN ? 1 : kind == CellKind::GRU ? 3 : 4;

  StringRef direction = op.getDirection();
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return unsupported(operation, "unknown direction '" + direction + "'");
  rec.directions = direction == "bidirectional" ? 2 : 1;
  rec.reverse = direction == "reverse";
  int64_t layout = static_cast<int64_t>(op.getLayout());
  if (layout != 0 && layout != 1)
    return unsupported(operation, "layout must be 0 or 1");
  rec.batchMajor = layout == 1;

  auto xType = llvm::dyn_cast<RankedTensorType>(in.x.getType());
  auto rType = llvm::dyn_cast<RankedTensorType>(in.r.getType());
  if (!xType || !xType.hasStaticShape() || xType.getRank() != 3 || !rType ||
      !rType.hasStaticShape() || rType.getRank() != 3)
    return unsupported(operation, "needs static 3-D X and R");
  rec.elementType = xType.getElementType();
  if (!llvm::isa<FloatType>(rec.elementType))
    return unsupported(operation, "needs a float element type");
  rec.seqLength = xType.getDimSize(rec.batchMajor ? 1 : 0);
  rec.batch = xType.getDimSize(rec.batchMajor ? 0 : 1);
  rec.inputSize = xType.getDimSize(2);
  rec.hidden = rType.getDimSize(2);
  if (std::optional<uint64_t> hidden = op.getHiddenSize())
    if (static_cast<int64_t>(*hidden) != rec.hidden)
      return unsupported(operation, "hidden_size does not match R");
  if (rec.seqLength == 0 || rec.batch == 0 || rec.hidden == 0)
    return unsupported(operation, "needs non-empty sequences");
  if (failed(checkOperands(operation, rec, in)))
    return failure();

  if (std::optional<APFloat> clip = op.getClip()) {
    double threshold = clip->convertToDouble();
    if (!(threshold > 0.0))
      return unsupported(operation, "clip must be positive");
    rec.clip = threshold;
  }
  SmallVector<StringRef> defaults = defaultActivations(kind);
  rec.perDirection = defaults.size();
  FailureOr<SmallVector<Activation>> activations = parseActivations(
      operation, op.getActivationsAttr(), op.getActivationAlphaAttr(),
      op.getActivationBetaAttr(), defaults, rec.directions);
  if (failed(activations))
    return failure();
  rec.activations = std::move(*activations);

  if (failed(readResults(operation, converter, rec)))
    return failure();
  return rec;
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type elementType) {
  return RankedTensorType::get(shape, elementType);
}

/// acc[m, n] + lhs[m, k] * rhs[k, n], as the linalg.generic contraction that
/// the loop reordering pass makes contiguous over n.
Value accumulateProduct(OpBuilder &b, Location loc, Value lhs, Value rhs,
                        Value acc) {
  MLIRContext *ctx = b.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  SmallVector<AffineMap> maps{AffineMap::get(3, 0, {m, k}, ctx),
                              AffineMap::get(3, 0, {k, n}, ctx),
                              AffineMap::get(3, 0, {m, n}, ctx)};
  SmallVector<utils::IteratorType> iterators{utils::IteratorType::parallel,
                                             utils::IteratorType::parallel,
                                             utils::IteratorType::reduction};
  return linalg::GenericOp::create(
             b, loc, acc.getType(), ValueRange{lhs, rhs}, acc, maps, iterators,
             [](OpBuilder &nb, Location l, ValueRange args) {
               Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, l,
                   Value(arith::AddFOp::create(nb, l, args[2], product)));
             })
      .getResult(0);
}

/// A static slice of `source` at `offsets` with `sizes`, dropping the
/// leading unit dims: the result has `keep` trailing dims.
Value sliceOf(OpBuilder &b, Location loc, Value source,
              ArrayRef<OpFoldResult> offsets, ArrayRef<int64_t> sizes,
              size_t keep) {
  auto sourceType = llvm::cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> sizeValues, strides;
  for (int64_t size : sizes) {
    sizeValues.push_back(b.getIndexAttr(size));
    strides.push_back(b.getIndexAttr(1));
  }
  auto type = tensorOf(sizes.take_back(keep), sourceType.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, type, source, offsets,
                                        sizeValues, strides);
}

/// Inserts `source` (the trailing dims of `sizes`) into `dest` at `offsets`.
Value insertInto(OpBuilder &b, Location loc, Value source, Value dest,
                 ArrayRef<OpFoldResult> offsets, ArrayRef<int64_t> sizes) {
  SmallVector<OpFoldResult> sizeValues, strides;
  for (int64_t size : sizes) {
    sizeValues.push_back(b.getIndexAttr(size));
    strides.push_back(b.getIndexAttr(1));
  }
  return tensor::InsertSliceOp::create(b, loc, source, dest, offsets,
                                       sizeValues, strides);
}

SmallVector<OpFoldResult> staticOffsets(OpBuilder &b,
                                        ArrayRef<int64_t> offsets) {
  SmallVector<OpFoldResult> result;
  for (int64_t offset : offsets)
    result.push_back(b.getIndexAttr(offset));
  return result;
}

Value transpose(OpBuilder &b, Location loc, Value input,
                ArrayRef<int64_t> perm) {
  auto type = llvm::cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  Value init = emptyTensor(b, loc, tensorOf(shape, type.getElementType()));
  return linalg::TransposeOp::create(b, loc, input, init, perm).getResult()[0];
}

Value add(OpBuilder &b, Location loc, Value l, Value r) {
  return arith::AddFOp::create(b, loc, l, r);
}
Value mul(OpBuilder &b, Location loc, Value l, Value r) {
  return arith::MulFOp::create(b, loc, l, r);
}

/// A [B, H] elementwise computation written into `init` (in place after
/// bufferization). A linalg.map rather than a linalg.generic: elementwise
/// fusion replaces a generic's unread `outs` by a fresh tensor.empty, which
/// inside the time loop would be an allocation per step and break the
/// in-place update of the loop-carried state.
Value mapInto(OpBuilder &b, Location loc, ValueRange inputs, Value init,
              function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  size_t count = inputs.size();
  auto map = linalg::MapOp::create(
      b, loc, inputs, init, [&](OpBuilder &nb, Location l, ValueRange args) {
        linalg::YieldOp::create(nb, l, body(nb, l, args.take_front(count)));
      });
  return map->getResult(0);
}

//===----------------------------------------------------------------------===//
// The lowering of one recurrent op
//===----------------------------------------------------------------------===//

/// The weights of one direction, prepared outside the time loop.
struct DirectionWeights {
  /// X * W^T plus the biases that do not depend on the hidden state,
  /// [S, B, G*H].
  Value projection;
  /// R^T, [H, G*H]; for GRU without linear_before_reset only the z and r
  /// blocks, [H, 2H], with `recurrenceH` the h block, [H, H].
  Value recurrence, recurrenceH;
  /// GRU with linear_before_reset: Rbh broadcast to [B, H] (the reset gate
  /// multiplies it).
  Value recurrenceBiasH;
  /// LSTM: P broadcast to [B, 3H].
  Value peepholes;
  ArrayRef<Activation> activations;
};

/// What the cell update of one time step reads: the time index, the
/// projection and H * R^T at that step (both [B, G*H]) and the weights.
struct StepInputs {
  Value t, projection, hr;
  const DirectionWeights *weights;

  /// Applies the direction's activation function `i` (f, g, h).
  Value activate(OpBuilder &b, Location loc, unsigned i, Value x) const {
    return onnxc::activate(b, loc, weights->activations[i], x);
  }
};

/// The loop-carried values of one step.
struct StepState {
  Value h, c;
  Value y;            // the whole Y sequence, or null
  Value scratch;      // H * R^T
  Value scratchReset; // GRU: r (.) H
  Value scratchH;     // GRU: (r (.) H) * Rh^T
};

class RecurrenceBuilder {
public:
  RecurrenceBuilder(OpBuilder &b, Location loc, const Recurrence &rec,
                    const RecurrentOperands &in)
      : b(b), loc(loc), rec(rec), in(in) {}

  /// The requested results, in the op's order (null for absent ones).
  SmallVector<Value> build();

private:
  RankedTensorType type(ArrayRef<int64_t> shape) const {
    return tensorOf(shape, rec.elementType);
  }
  Value zeros(ArrayRef<int64_t> shape) {
    return filledTensor(b, loc, type(shape),
                        scalarConstant(b, loc, rec.elementType, 0.0));
  }
  /// The initial value of a loop-carried scratch tensor. Not a tensor.empty:
  /// CSE merges equal ones, and one-shot bufferization then gives iter_args
  /// that share an unread initial value one buffer, although the loop body
  /// uses them side by side.
  Value scratchTensor(ArrayRef<int64_t> shape) {
    return bufferization::AllocTensorOp::create(b, loc, type(shape),
                                                ValueRange{});
  }
  /// `vector` ([n]) repeated for every batch entry: [B, n].
  Value perBatch(Value vector);
  /// [D, ...] -> the [...] of direction `d`.
  Value directionSlice(Value value, int64_t d);
  /// initial_h or initial_c of direction `d` as [B, H], zeros when absent.
  Value initialState(Value value, int64_t d);
  DirectionWeights prepare(int64_t d);
  Value inputProjection(Value w, Value bias);
  Value clipped(OpBuilder &nb, Location l, Value x);
  Value gateInput(OpBuilder &nb, Location l, ArrayRef<Value> terms);

  /// Runs the time loop of direction `d`; returns the final state.
  StepState runDirection(int64_t d, StepState init);
  /// One time step at time `t` (an index); returns the new state.
  StepState step(OpBuilder &nb, Location l, Value t, int64_t d,
                 const DirectionWeights &weights, StepState state);
  /// The cell updates of one step: `state` holds the loop-carried values on
  /// entry and the new ones on return.
  void rnnStep(OpBuilder &nb, Location l, const StepInputs &in,
               StepState &state);
  void lstmStep(OpBuilder &nb, Location l, const StepInputs &in,
                StepState &state);
  void gruStep(OpBuilder &nb, Location l, const StepInputs &in,
               StepState &state);
  /// Writes the step's output into Y at (t, d); returns the new Y.
  Value writeOutput(OpBuilder &nb, Location l, Value t, int64_t d, Value h,
                    Value y);
  /// Gate block `block` of a [B, k*H] tensor, as a [B, H] slice.
  Value gateOf(OpBuilder &nb, Location l, Value value, int64_t block);
  /// lhs * rhs accumulated into the zeroed `scratch`.
  Value product(OpBuilder &nb, Location l, Value lhs, Value rhs, Value scratch);
  Value one(OpBuilder &nb, Location l) {
    return scalarConstant(nb, l, rec.elementType, 1.0);
  }
  /// Writes the elementwise update `cell` of a state into `state` (read as
  /// the last input); past an entry's length the state is kept.
  Value
  updateState(OpBuilder &nb, Location l, Value t, SmallVector<Value> inputs,
              Value state,
              function_ref<Value(OpBuilder &, Location, ValueRange)> cell);
  /// Zero final states for batch entries of length 0 (ONNX Runtime).
  Value zeroEmptySequences(Value state);

  OpBuilder &b;
  Location loc;
  const Recurrence &rec;
  const RecurrentOperands &in;
  /// X as [S, B, I]; sequence_lens broadcast to [B, H] when some lengths
  /// may be short.
  Value x, lengthsPerElement;
};

Value RecurrenceBuilder::perBatch(Value vector) {
  auto vectorType = llvm::cast<RankedTensorType>(vector.getType());
  auto resultType = RankedTensorType::get({rec.batch, vectorType.getDimSize(0)},
                                          vectorType.getElementType());
  return buildElementwise(
      b, loc, resultType, vector,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

Value RecurrenceBuilder::directionSlice(Value value, int64_t d) {
  auto valueType = llvm::cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> sizes(valueType.getShape());
  sizes[0] = 1;
  SmallVector<int64_t> offsets(sizes.size(), 0);
  offsets[0] = d;
  return sliceOf(b, loc, value, staticOffsets(b, offsets), sizes,
                 sizes.size() - 1);
}

Value RecurrenceBuilder::initialState(Value value, int64_t d) {
  if (!value)
    return zeros({rec.batch, rec.hidden});
  if (rec.batchMajor)
    value = transpose(b, loc, value, {1, 0, 2});
  return directionSlice(value, d);
}

Value RecurrenceBuilder::inputProjection(Value w, Value bias) {
  int64_t s = rec.seqLength, batch = rec.batch;
  int64_t width = rec.gates * rec.hidden;
  Value flat = reshapeTensor(b, loc, x, type({s * batch, rec.inputSize}));
  Value init = bias ? buildElementwise(b, loc, type({s * batch, width}), bias,
                                       [](OpBuilder &, Location,
                                          ValueRange args) { return args[0]; })
                    : zeros({s * batch, width});
  Value product =
      accumulateProduct(b, loc, flat, transpose(b, loc, w, {1, 0}), init);
  return reshapeTensor(b, loc, product, type({s, batch, width}));
}

DirectionWeights RecurrenceBuilder::prepare(int64_t d) {
  int64_t h = rec.hidden, width = rec.gates * h;
  DirectionWeights weights;
  weights.activations = rec.activationsOf(d);
  bool gruLinear = rec.kind == CellKind::GRU && rec.linearBeforeReset;

  // Wb + Rb folds into the projection, except GRU's Rbh under
  // linear_before_reset, which the reset gate multiplies.
  Value bias;
  if (in.bias) {
    Value both = directionSlice(in.bias, d);
    Value wb = sliceOf(b, loc, both, staticOffsets(b, {0}), {width}, 1);
    Value rb = sliceOf(b, loc, both, staticOffsets(b, {width}), {width}, 1);
    int64_t summed = gruLinear ? 2 * h : width;
    auto sumOf = [&](Value v) {
      return sliceOf(b, loc, v, staticOffsets(b, {0}), {summed}, 1);
    };
    bias = buildElementwise(b, loc, type({summed}),
                            ValueRange{sumOf(wb), sumOf(rb)},
                            [](OpBuilder &nb, Location l, ValueRange args) {
                              return add(nb, l, args[0], args[1]);
                            });
    if (gruLinear) {
      bias = insertInto(b, loc, bias, wb, staticOffsets(b, {0}), {summed});
      weights.recurrenceBiasH =
          perBatch(sliceOf(b, loc, rb, staticOffsets(b, {2 * h}), {h}, 1));
    }
  }
  weights.projection = inputProjection(directionSlice(in.w, d), bias);

  Value r = directionSlice(in.r, d);
  if (rec.kind == CellKind::GRU && !rec.linearBeforeReset) {
    Value zr = sliceOf(b, loc, r, staticOffsets(b, {0, 0}), {2 * h, h}, 2);
    Value rh = sliceOf(b, loc, r, staticOffsets(b, {2 * h, 0}), {h, h}, 2);
    weights.recurrence = transpose(b, loc, zr, {1, 0});
    weights.recurrenceH = transpose(b, loc, rh, {1, 0});
  } else {
    weights.recurrence = transpose(b, loc, r, {1, 0});
  }
  if (in.peepholes)
    weights.peepholes = perBatch(directionSlice(in.peepholes, d));
  return weights;
}

Value RecurrenceBuilder::clipped(OpBuilder &nb, Location l, Value x) {
  if (!rec.clip)
    return x;
  Value bound = scalarConstant(nb, l, x.getType(), *rec.clip);
  Value negBound = scalarConstant(nb, l, x.getType(), -*rec.clip);
  Value low = arith::MaximumFOp::create(nb, l, x, negBound);
  return arith::MinimumFOp::create(nb, l, low, bound);
}

/// The clipped sum of a gate's terms: the input to its activation.
Value RecurrenceBuilder::gateInput(OpBuilder &nb, Location l,
                                   ArrayRef<Value> terms) {
  Value sum = terms.front();
  for (Value term : terms.drop_front())
    sum = add(nb, l, sum, term);
  return clipped(nb, l, sum);
}

Value RecurrenceBuilder::updateState(
    OpBuilder &nb, Location l, Value t, SmallVector<Value> inputs, Value state,
    function_ref<Value(OpBuilder &, Location, ValueRange)> cell) {
  inputs.push_back(state);
  if (lengthsPerElement)
    inputs.push_back(lengthsPerElement);
  bool masked = bool(lengthsPerElement);
  return mapInto(nb, l, inputs, state,
                 [&](OpBuilder &bb, Location bl, ValueRange args) -> Value {
                   Value updated = cell(bb, bl, args);
                   if (!masked)
                     return updated;
                   // Past its length, an entry keeps its state.
                   Value length = arith::IndexCastOp::create(
                       bb, bl, bb.getIndexType(), args.back());
                   Value valid = arith::CmpIOp::create(
                       bb, bl, arith::CmpIPredicate::slt, t, length);
                   return arith::SelectOp::create(bb, bl, valid, updated,
                                                  args[args.size() - 2]);
                 });
}

Value RecurrenceBuilder::gateOf(OpBuilder &nb, Location l, Value value,
                                int64_t block) {
  return sliceOf(nb, l, value, staticOffsets(nb, {0, block * rec.hidden}),
                 {rec.batch, rec.hidden}, 2);
}

Value RecurrenceBuilder::product(OpBuilder &nb, Location l, Value lhs,
                                 Value rhs, Value scratch) {
  Value zero = scalarConstant(nb, l, rec.elementType, 0.0);
  Value cleared = linalg::FillOp::create(nb, l, zero, scratch).getResult(0);
  return accumulateProduct(nb, l, lhs, rhs, cleared);
}

void RecurrenceBuilder::rnnStep(OpBuilder &nb, Location l, const StepInputs &in,
                                StepState &state) {
  state.h = updateState(
      nb, l, in.t, {gateOf(nb, l, in.projection, 0), gateOf(nb, l, in.hr, 0)},
      state.h, [&](OpBuilder &bb, Location bl, ValueRange a) {
        return in.activate(bb, bl, 0, gateInput(bb, bl, {a[0], a[1]}));
      });
}

void RecurrenceBuilder::lstmStep(OpBuilder &nb, Location l,
                                 const StepInputs &in, StepState &state) {
  // Gate blocks: i, o, f, c; peepholes: i, o, f. The cell state first,
  // then the output gate, whose peephole reads the new cell state.
  Value peepholes = in.weights->peepholes;
  bool coupled = rec.inputForget;
  auto xw = [&](int64_t g) { return gateOf(nb, l, in.projection, g); };
  auto hr = [&](int64_t g) { return gateOf(nb, l, in.hr, g); };
  SmallVector<Value> cellInputs{xw(0), hr(0), xw(2), hr(2), xw(3), hr(3)};
  if (peepholes) {
    cellInputs.push_back(gateOf(nb, l, peepholes, 0));
    cellInputs.push_back(gateOf(nb, l, peepholes, 2));
  }
  state.c = updateState(
      nb, l, in.t, cellInputs, state.c,
      [&](OpBuilder &bb, Location bl, ValueRange a) {
        Value cPrev = a[peepholes ? 8 : 6];
        // Gate `g`'s input: its two products and, with peepholes, P (.) C.
        auto gate = [&](unsigned first, unsigned peephole) {
          SmallVector<Value> terms{a[first], a[first + 1]};
          if (peepholes)
            terms.push_back(mul(bb, bl, a[peephole], cPrev));
          return gateInput(bb, bl, terms);
        };
        Value i = in.activate(bb, bl, 0, gate(0, 6));
        // input_forget couples the gates: f = 1 - i.
        Value f = coupled ? Value(arith::SubFOp::create(bb, bl, one(bb, bl), i))
                          : in.activate(bb, bl, 0, gate(2, 7));
        Value candidate =
            in.activate(bb, bl, 1, gateInput(bb, bl, {a[4], a[5]}));
        return add(bb, bl, mul(bb, bl, f, cPrev), mul(bb, bl, i, candidate));
      });
  SmallVector<Value> hiddenInputs{xw(1), hr(1), state.c};
  if (peepholes)
    hiddenInputs.push_back(gateOf(nb, l, peepholes, 1));
  state.h = updateState(nb, l, in.t, hiddenInputs, state.h,
                        [&](OpBuilder &bb, Location bl, ValueRange a) {
                          Value c = a[2];
                          SmallVector<Value> terms{a[0], a[1]};
                          if (peepholes)
                            terms.push_back(mul(bb, bl, a[3], c));
                          Value o =
                              in.activate(bb, bl, 0, gateInput(bb, bl, terms));
                          return mul(bb, bl, o, in.activate(bb, bl, 2, c));
                        });
}

void RecurrenceBuilder::gruStep(OpBuilder &nb, Location l, const StepInputs &in,
                                StepState &state) {
  // Gate blocks: z, r, h. H = (1 - z) (.) candidate + z (.) H.
  auto xw = [&](int64_t g) { return gateOf(nb, l, in.projection, g); };
  auto hr = [&](int64_t g) { return gateOf(nb, l, in.hr, g); };
  auto output = [&](OpBuilder &bb, Location bl, Value z, Value candidate,
                    Value hPrev) {
    Value keep = arith::SubFOp::create(bb, bl, one(bb, bl), z);
    return add(bb, bl, mul(bb, bl, keep, candidate), mul(bb, bl, z, hPrev));
  };
  if (rec.linearBeforeReset) {
    // candidate = g(Xt*Wh^T + Wbh + r (.) (H*Rh^T + Rbh)).
    SmallVector<Value> inputs{xw(0), hr(0), xw(1), hr(1), xw(2), hr(2)};
    Value biasH = in.weights->recurrenceBiasH;
    if (biasH)
      inputs.push_back(biasH);
    state.h = updateState(
        nb, l, in.t, inputs, state.h,
        [&](OpBuilder &bb, Location bl, ValueRange a) {
          Value hPrev = a[biasH ? 7 : 6];
          Value z = in.activate(bb, bl, 0, gateInput(bb, bl, {a[0], a[1]}));
          Value r = in.activate(bb, bl, 0, gateInput(bb, bl, {a[2], a[3]}));
          Value linear = biasH ? add(bb, bl, a[5], a[6]) : a[5];
          Value candidate = in.activate(
              bb, bl, 1, gateInput(bb, bl, {a[4], mul(bb, bl, r, linear)}));
          return output(bb, bl, z, candidate, hPrev);
        });
    return;
  }
  // Otherwise the reset gate applies to H before Rh: r (.) H, then its
  // product with Rh^T, then the update.
  state.scratchReset = mapInto(
      nb, l, ValueRange{xw(1), hr(1), state.h}, state.scratchReset,
      [&](OpBuilder &bb, Location bl, ValueRange a) {
        Value r = in.activate(bb, bl, 0, gateInput(bb, bl, {a[0], a[1]}));
        return mul(bb, bl, r, a[2]);
      });
  state.scratchH = product(nb, l, state.scratchReset, in.weights->recurrenceH,
                           state.scratchH);
  state.h = updateState(
      nb, l, in.t, {xw(0), hr(0), xw(2), state.scratchH}, state.h,
      [&](OpBuilder &bb, Location bl, ValueRange a) {
        Value z = in.activate(bb, bl, 0, gateInput(bb, bl, {a[0], a[1]}));
        Value candidate =
            in.activate(bb, bl, 1, gateInput(bb, bl, {a[2], a[3]}));
        return output(bb, bl, z, candidate, a[4]);
      });
}

Value RecurrenceBuilder::writeOutput(OpBuilder &nb, Location l, Value t,
                                     int64_t d, Value h, Value y) {
  // Y's slice at (t, d): the new H, or zeros past an entry's length.
  SmallVector<OpFoldResult> offsets{t, nb.getIndexAttr(d), nb.getIndexAttr(0),
                                    nb.getIndexAttr(0)};
  SmallVector<int64_t> sizes{1, 1, rec.batch, rec.hidden};
  Value output = h;
  if (lengthsPerElement)
    output = mapInto(nb, l, ValueRange{h, lengthsPerElement},
                     sliceOf(nb, l, y, offsets, sizes, 2),
                     [&](OpBuilder &bb, Location bl, ValueRange a) -> Value {
                       Value length = arith::IndexCastOp::create(
                           bb, bl, bb.getIndexType(), a[1]);
                       Value valid = arith::CmpIOp::create(
                           bb, bl, arith::CmpIPredicate::slt, t, length);
                       return arith::SelectOp::create(
                           bb, bl, valid, a[0],
                           scalarConstant(bb, bl, rec.elementType, 0.0));
                     });
  return insertInto(nb, l, output, y, offsets, sizes);
}

StepState RecurrenceBuilder::step(OpBuilder &nb, Location l, Value t, int64_t d,
                                  const DirectionWeights &weights,
                                  StepState state) {
  Value projection = sliceOf(nb, l, weights.projection,
                             {t, nb.getIndexAttr(0), nb.getIndexAttr(0)},
                             {1, rec.batch, rec.gates * rec.hidden}, 2);
  state.scratch = product(nb, l, state.h, weights.recurrence, state.scratch);
  StepInputs in{t, projection, state.scratch, &weights};
  switch (rec.kind) {
  case CellKind::RNN:
    rnnStep(nb, l, in, state);
    break;
  case CellKind::LSTM:
    lstmStep(nb, l, in, state);
    break;
  case CellKind::GRU:
    gruStep(nb, l, in, state);
    break;
  }
  if (state.y)
    state.y = writeOutput(nb, l, t, d, state.h, state.y);
  return state;
}

StepState RecurrenceBuilder::runDirection(int64_t d, StepState init) {
  DirectionWeights weights = prepare(d);
  bool backwards = rec.reverse || d == 1;
  SmallVector<Value> inits{init.h};
  auto push = [&](Value v) {
    if (v)
      inits.push_back(v);
  };
  push(init.c);
  push(init.y);
  push(init.scratch);
  push(init.scratchReset);
  push(init.scratchH);
  auto unpack = [&](ValueRange values) {
    StepState state;
    unsigned next = 0;
    state.h = values[next++];
    auto pop = [&](Value present) {
      return present ? values[next++] : Value();
    };
    state.c = pop(init.c);
    state.y = pop(init.y);
    state.scratch = pop(init.scratch);
    state.scratchReset = pop(init.scratchReset);
    state.scratchH = pop(init.scratchH);
    return state;
  };
  auto pack = [](const StepState &state) {
    SmallVector<Value> values{state.h};
    for (Value v :
         {state.c, state.y, state.scratch, state.scratchReset, state.scratchH})
      if (v)
        values.push_back(v);
    return values;
  };

  int64_t s = rec.seqLength;
  auto loop = scf::ForOp::create(
      b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, s),
      indexConstant(b, loc, 1), inits,
      [&](OpBuilder &nb, Location l, Value iv, ValueRange iterArgs) {
        Value t = backwards ? Value(arith::SubIOp::create(
                                  nb, l, indexConstant(nb, l, s - 1), iv))
                            : iv;
        StepState next = step(nb, l, t, d, weights, unpack(iterArgs));
        scf::YieldOp::create(nb, l, pack(next));
      });
  return unpack(loop.getResults());
}

Value RecurrenceBuilder::zeroEmptySequences(Value state) {
  if (!lengthsPerElement)
    return state;
  return buildElementwise(
      b, loc, type({rec.batch, rec.hidden}),
      ValueRange{state, lengthsPerElement},
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value zero = arith::ConstantOp::create(nb, l, nb.getI32IntegerAttr(0));
        Value empty = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sle,
                                            args[1], zero);
        return arith::SelectOp::create(
            nb, l, empty, scalarConstant(nb, l, rec.elementType, 0.0), args[0]);
      });
}

SmallVector<Value> RecurrenceBuilder::build() {
  x = rec.batchMajor ? transpose(b, loc, in.x, {1, 0, 2}) : in.x;
  Value lengths = in.sequenceLens;
  // Lengths known to be full need no masking.
  if (lengths) {
    FailureOr<SmallVector<int64_t>> known = getConstantInts(lengths);
    if (succeeded(known) && llvm::all_of(*known, [&](int64_t length) {
          return length == rec.seqLength;
        }))
      lengths = Value();
  }
  if (lengths) {
    Value perRow = reshapeTensor(
        b, loc, lengths, RankedTensorType::get({rec.batch, 1}, b.getI32Type()));
    lengthsPerElement = buildElementwise(
        b, loc, RankedTensorType::get({rec.batch, rec.hidden}, b.getI32Type()),
        perRow, [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  }

  int64_t dirs = rec.directions, batch = rec.batch, h = rec.hidden;
  int64_t width = rec.gates * h;
  bool gruSplit = rec.kind == CellKind::GRU && !rec.linearBeforeReset;
  // Y is filled across both directions; every element is written once.
  Value y = rec.y ? emptyTensor(b, loc, type({rec.seqLength, dirs, batch, h}))
                  : Value();
  Value yH = emptyTensor(b, loc, type({dirs, batch, h}));
  Value yC = rec.kind == CellKind::LSTM
                 ? emptyTensor(b, loc, type({dirs, batch, h}))
                 : Value();
  for (int64_t d = 0; d < dirs; ++d) {
    StepState init;
    init.h = initialState(in.initialH, d);
    if (rec.kind == CellKind::LSTM)
      init.c = initialState(in.initialC, d);
    init.y = y;
    init.scratch = scratchTensor({batch, gruSplit ? 2 * h : width});
    if (gruSplit) {
      init.scratchReset = scratchTensor({batch, h});
      init.scratchH = scratchTensor({batch, h});
    }
    StepState last = runDirection(d, init);
    y = last.y;
    SmallVector<int64_t> stateSizes{1, batch, h};
    yH = insertInto(b, loc, zeroEmptySequences(last.h), yH,
                    staticOffsets(b, {d, 0, 0}), stateSizes);
    if (last.c)
      yC = insertInto(b, loc, zeroEmptySequences(last.c), yC,
                      staticOffsets(b, {d, 0, 0}), stateSizes);
  }

  SmallVector<Value> results;
  auto finish = [&](Value value, RankedTensorType wanted,
                    ArrayRef<int64_t> batchMajorPerm) -> Value {
    if (!wanted)
      return Value();
    return rec.batchMajor ? transpose(b, loc, value, batchMajorPerm) : value;
  };
  results.push_back(finish(y, rec.y, {2, 0, 1, 3}));
  results.push_back(finish(yH, rec.yH, {1, 0, 2}));
  if (rec.kind == CellKind::LSTM)
    results.push_back(finish(yC, rec.yC, {1, 0, 2}));
  return results;
}

} // namespace

namespace {

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

CellKind kindOf(ONNXRNNOp) { return CellKind::RNN; }
CellKind kindOf(ONNXGRUOp) { return CellKind::GRU; }
CellKind kindOf(ONNXLSTMOp) { return CellKind::LSTM; }

void readCellAttributes(ONNXRNNOp, Recurrence &) {}
void readCellAttributes(ONNXGRUOp op, Recurrence &rec) {
  rec.linearBeforeReset = op.getLinearBeforeReset() != 0;
}
void readCellAttributes(ONNXLSTMOp op, Recurrence &rec) {
  rec.inputForget = op.getInputForget() != 0;
}

/// The operands by their shared positions (X, W, R, B, sequence_lens,
/// initial_h, then LSTM's initial_c and P); absent ones are null.
RecurrentOperands operandsOf(Operation *op, ValueRange converted) {
  auto at = [&](unsigned i) {
    if (i >= op->getNumOperands() || isNone(op->getOperand(i)))
      return Value();
    return converted[i];
  };
  return RecurrentOperands{at(0), at(1), at(2), at(3),
                           at(4), at(5), at(6), at(7)};
}

template <typename OpTy> struct RecurrentLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RecurrentOperands in = operandsOf(op, adaptor.getOperands());
    FailureOr<Recurrence> rec =
        analyze(op, *this->getTypeConverter(), kindOf(op), in);
    if (failed(rec))
      return failure();
    readCellAttributes(op, *rec);
    Location loc = op.getLoc();
    SmallVector<Value> results =
        RecurrenceBuilder(rewriter, loc, *rec, in).build();
    for (Value &result : results)
      if (!result)
        result = ONNXNoValueOp::create(rewriter, loc, rewriter.getNoneType());
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void populateRecurrentPatterns(TypeConverter &converter,
                               RewritePatternSet &patterns) {
  patterns.add<RecurrentLowering<ONNXRNNOp>, RecurrentLowering<ONNXGRUOp>,
               RecurrentLowering<ONNXLSTMOp>>(converter, patterns.getContext());
}

} // namespace onnxc
