//===- Window.cpp - Sliding-window helpers for Conv and pooling -----------===//

#include "Window.h"

using namespace mlir;

namespace onnxc {

SmallVector<int64_t> intsOr(ArrayAttr attr, size_t size, int64_t fallback) {
  SmallVector<int64_t> values;
  if (attr)
    for (Attribute a : attr)
      values.push_back(llvm::cast<IntegerAttr>(a).getInt());
  if (values.empty())
    values.assign(size, fallback);
  return values;
}

FailureOr<Window> computeWindow(ArrayRef<int64_t> input,
                                ArrayRef<int64_t> output,
                                ArrayRef<int64_t> kernel, ArrayAttr strides,
                                ArrayAttr dilations, ArrayAttr pads,
                                StringRef autoPad) {
  size_t spatial = input.size() - 2;
  if (input.size() < 3 || output.size() != input.size() ||
      kernel.size() != spatial)
    return failure();
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = intsOr(strides, spatial, 1);
  w.dilations = intsOr(dilations, spatial, 1);
  SmallVector<int64_t> explicitPads = intsOr(pads, 2 * spatial, 0);
  if (w.strides.size() != spatial || w.dilations.size() != spatial ||
      explicitPads.size() != 2 * spatial)
    return failure();
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = input[i + 2], out = output[i + 2];
    int64_t needed = (out - 1) * w.strides[i] +
                     (kernel[i] - 1) * w.dilations[i] + 1;
    int64_t begin = 0, end = 0;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t total = std::max<int64_t>(0, needed - in);
      begin = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end = total - begin;
    } else if (autoPad == "NOTSET" || autoPad.empty()) {
      begin = explicitPads[i];
      end = explicitPads[i + spatial];
    } else if (autoPad != "VALID") {
      return failure();
    }
    w.padBegin.push_back(begin);
    w.padEnd.push_back(end);
    w.extraEnd.push_back(std::max<int64_t>(0, needed - (in + begin + end)));
  }
  return w;
}

Value padSpatial(OpBuilder &b, Location loc, Value value,
                 ArrayRef<int64_t> begin, ArrayRef<int64_t> end,
                 Value padValue) {
  if (llvm::all_of(begin, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(end, [](int64_t p) { return p == 0; }))
    return value;
  auto type = llvm::cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)),
      high(2, b.getIndexAttr(0));
  for (size_t i = 0; i < begin.size(); ++i) {
    shape[i + 2] += begin[i] + end[i];
    low.push_back(b.getIndexAttr(begin[i]));
    high.push_back(b.getIndexAttr(end[i]));
  }
  return tensor::PadOp::create(b, loc, type.clone(shape), value, low, high,
                               padValue);
}

SmallVector<AffineExpr> windowExprs(MLIRContext *ctx, const Window &window,
                                    unsigned firstOutputDim,
                                    unsigned firstKernelDim) {
  SmallVector<AffineExpr> exprs;
  for (size_t i = 0; i < window.kernel.size(); ++i)
    exprs.push_back(getAffineDimExpr(firstOutputDim + i, ctx) *
                        window.strides[i] +
                    getAffineDimExpr(firstKernelDim + i, ctx) *
                        window.dilations[i]);
  return exprs;
}

} // namespace onnxc
