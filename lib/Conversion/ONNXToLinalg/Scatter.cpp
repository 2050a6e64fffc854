//===- Scatter.cpp - GatherND, ScatterND, ScatterElements -----------------===//
//
// GatherND is a linalg.generic that reads data at coordinates taken from the
// index tensor. The scatters write at data-dependent positions, which no
// indexing map can express: they are scf.for loops over the updates that
// tensor.insert into a copy of the data (in place after bufferization),
// in update order, so that later duplicates win as ONNX's reference does.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace onnxc {
namespace {

bool isSupportedReduction(StringRef reduction) {
  return reduction == "none" || reduction == "add" || reduction == "mul";
}

/// `old` combined with `update` by ONNX's (supported) reduction attribute.
Value reduce(OpBuilder &b, Location loc, StringRef reduction, Value old,
             Value update) {
  bool isFloat = llvm::isa<FloatType>(old.getType());
  if (reduction == "add")
    return isFloat ? Value(arith::AddFOp::create(b, loc, old, update))
                   : Value(arith::AddIOp::create(b, loc, old, update));
  if (reduction == "mul")
    return isFloat ? Value(arith::MulFOp::create(b, loc, old, update))
                   : Value(arith::MulIOp::create(b, loc, old, update));
  return update;
}

/// Calls `body(ivs..., tensor) -> tensor` for every point of `shape`, in
/// row-major order, threading `init` through one flat scf.for.
Value forEach(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Value init,
              function_ref<Value(OpBuilder &, Location, ArrayRef<Value>, Value)>
                  body) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  auto loop = scf::ForOp::create(
      b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, count), indexConstant(b, loc, 1),
      ValueRange{init},
      [&](OpBuilder &nb, Location l, Value iv, ValueRange iterArgs) {
        SmallVector<Value> coords = delinearize(nb, l, iv, shape);
        scf::YieldOp::create(nb, l, body(nb, l, coords, iterArgs[0]));
      });
  return loop.getResult(0);
}

struct GatherNDLowering : OpConversionPattern<ONNXGatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXGatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto dataType = llvm::cast<RankedTensorType>(data.getType());
    auto indicesType = llvm::cast<RankedTensorType>(indices.getType());
    auto type =
        convertTensorType(*getTypeConverter(), op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !dataType.hasStaticShape() ||
        !indicesType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    int64_t batch = op.getBatchDims();
    int64_t q = indicesType.getRank(), r = dataType.getRank();
    int64_t m = indicesType.getDimSize(q - 1);
    if (batch + m > r || type.getRank() != q - 1 + r - batch - m)
      return unsupported(op, "inconsistent ranks");
    Location loc = op.getLoc();
    Value result = buildFromIndices(
        rewriter, loc, type,
        [&](OpBuilder &b, Location l, ArrayRef<Value> out) -> Value {
          SmallVector<Value> coords(out.begin(), out.begin() + batch);
          SmallVector<Value> at(out.begin(), out.begin() + q - 1);
          at.push_back(Value());
          for (int64_t j = 0; j < m; ++j) {
            at.back() = indexConstant(b, l, j);
            Value raw = tensor::ExtractOp::create(b, l, indices, at);
            coords.push_back(
                wrapIndex(b, l, raw, dataType.getDimSize(batch + j)));
          }
          coords.append(out.begin() + q - 1, out.end());
          return tensor::ExtractOp::create(b, l, data, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ScatterNDLowering : OpConversionPattern<ONNXScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value data = adaptor.getData(), indices = adaptor.getIndices(),
          updates = adaptor.getUpdates();
    auto dataType = llvm::cast<RankedTensorType>(data.getType());
    auto indicesType = llvm::cast<RankedTensorType>(indices.getType());
    if (!dataType.hasStaticShape() || !indicesType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    StringRef reduction = op.getReduction();
    if (!isSupportedReduction(reduction))
      return unsupported(op, "unsupported reduction '" + reduction + "'");
    int64_t q = indicesType.getRank();
    int64_t m = indicesType.getDimSize(q - 1);
    // Every index tuple addresses a slice data[idx..., :] of this shape.
    SmallVector<int64_t> shape(indicesType.getShape().drop_back());
    llvm::append_range(shape, dataType.getShape().drop_front(m));
    Location loc = op.getLoc();
    Value result = forEach(
        rewriter, loc, shape, data,
        [&](OpBuilder &b, Location l, ArrayRef<Value> ivs, Value acc) {
          SmallVector<Value> at(ivs.begin(), ivs.begin() + q - 1);
          at.push_back(Value());
          SmallVector<Value> target;
          for (int64_t j = 0; j < m; ++j) {
            at.back() = indexConstant(b, l, j);
            target.push_back(wrapIndex(b, l,
                                     tensor::ExtractOp::create(b, l, indices, at),
                                     dataType.getDimSize(j)));
          }
          target.append(ivs.begin() + q - 1, ivs.end());
          Value update = tensor::ExtractOp::create(b, l, updates, ivs);
          Value old = tensor::ExtractOp::create(b, l, acc, target);
          Value value = reduce(b, l, reduction, old, update);
          return Value(tensor::InsertOp::create(b, l, value, acc, target));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ScatterElementsLowering : OpConversionPattern<ONNXScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ONNXScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value data = adaptor.getData(), indices = adaptor.getIndices(),
          updates = adaptor.getUpdates();
    auto dataType = llvm::cast<RankedTensorType>(data.getType());
    auto updatesType = llvm::cast<RankedTensorType>(updates.getType());
    if (!dataType.hasStaticShape() || !updatesType.hasStaticShape())
      return unsupported(op, "needs static shapes");
    StringRef reduction = op.getReduction();
    if (!isSupportedReduction(reduction))
      return unsupported(op, "unsupported reduction '" + reduction + "'");
    FailureOr<int64_t> axis = normalizeAxis(op.getAxis(), dataType.getRank());
    if (failed(axis))
      return unsupported(op, "bad axis");
    Location loc = op.getLoc();
    Value result = forEach(
        rewriter, loc, updatesType.getShape(), data,
        [&](OpBuilder &b, Location l, ArrayRef<Value> ivs, Value acc) {
          SmallVector<Value> target(ivs);
          target[*axis] = wrapIndex(b, l, tensor::ExtractOp::create(b, l, indices, ivs),
                                  dataType.getDimSize(*axis));
          Value update = tensor::ExtractOp::create(b, l, updates, ivs);
          Value old = tensor::ExtractOp::create(b, l, acc, target);
          Value value = reduce(b, l, reduction, old, update);
          return Value(tensor::InsertOp::create(b, l, value, acc, target));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateScatterPatterns(TypeConverter &converter,
                             RewritePatternSet &patterns) {
  patterns.add<GatherNDLowering, ScatterNDLowering, ScatterElementsLowering>(
      converter, patterns.getContext());
}

} // namespace onnxc
