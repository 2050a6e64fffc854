//===- ONNXVerifiers.cpp - Verifiers of ONNX dialect ops ------------------===//
//
// ODS checks operand and attribute types; these check what ONNX states in
// prose: axes within the rank, permutations, kernel ranks, element counts.
// They only look at ranked types, so they hold before and after shapes are
// known.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Dialect/ONNX/IR/ONNXOps.h"

using namespace mlir;

namespace onnxc {
namespace {

RankedTensorType rankedType(Value value) {
  return llvm::dyn_cast<RankedTensorType>(value.getType());
}

/// Checks -rank <= axis < rank + extra (Flatten and Unsqueeze allow the
/// position after the last dim).
LogicalResult verifyAxis(Operation *op, int64_t axis, Value input,
                         int64_t extra = 0) {
  RankedTensorType type = rankedType(input);
  if (!type)
    return success();
  int64_t rank = type.getRank() + extra;
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return op->emitOpError() << "axis " << axis << " is out of range for rank "
                             << type.getRank();
  return success();
}

LogicalResult verifyMinRank(Operation *op, Value value, int64_t minRank,
                            StringRef name) {
  RankedTensorType type = rankedType(value);
  if (type && type.getRank() < minRank)
    return op->emitOpError() << name << " must have rank " << minRank
                             << " or more, but has rank " << type.getRank();
  return success();
}

/// Ops whose result holds exactly the input's elements in another shape.
LogicalResult verifySameElementCount(Operation *op) {
  RankedTensorType in = rankedType(op->getOperand(0));
  RankedTensorType out = rankedType(op->getResult(0));
  if (in && out && in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return op->emitOpError() << "result has " << out.getNumElements()
                             << " elements, but the input has "
                             << in.getNumElements();
  return success();
}

LogicalResult verifyReduceAxes(Operation *op, std::optional<ArrayAttr> axes,
                               Value data) {
  if (!axes)
    return success();
  for (Attribute axis : *axes)
    if (failed(verifyAxis(op, llvm::cast<IntegerAttr>(axis).getInt(), data)))
      return failure();
  return success();
}

LogicalResult verifyPool(Operation *op, Value input, ArrayAttr kernelShape) {
  if (failed(verifyMinRank(op, input, 3, "input")))
    return failure();
  RankedTensorType type = rankedType(input);
  if (type && kernelShape &&
      int64_t(kernelShape.size()) != type.getRank() - 2)
    return op->emitOpError() << "kernel_shape has " << kernelShape.size()
                             << " dims for " << type.getRank() - 2
                             << " spatial dims";
  return success();
}

} // namespace

LogicalResult ONNXTransposeOp::verify() {
  RankedTensorType type = rankedType(getData());
  std::optional<ArrayAttr> perm = getPerm();
  if (!type || !perm)
    return success();
  llvm::SmallVector<bool> seen(type.getRank(), false);
  if (int64_t(perm->size()) != type.getRank())
    return emitOpError() << "perm has " << perm->size()
                         << " entries for rank " << type.getRank();
  for (Attribute a : *perm) {
    int64_t p = llvm::cast<IntegerAttr>(a).getInt();
    if (p < 0 || p >= type.getRank() || seen[p])
      return emitOpError() << "perm is not a permutation of the dims";
    seen[p] = true;
  }
  return success();
}

LogicalResult ONNXConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  int64_t rank = -1;
  for (Value input : getInputs()) {
    RankedTensorType type = rankedType(input);
    if (!type)
      continue;
    if (rank >= 0 && type.getRank() != rank)
      return emitOpError() << "inputs have different ranks";
    rank = type.getRank();
  }
  return verifyAxis(*this, int64_t(getAxis()), getInputs().front());
}

LogicalResult ONNXGemmOp::verify() {
  for (Value v : {getA(), getB()})
    if (RankedTensorType type = rankedType(v); type && type.getRank() != 2)
      return emitOpError() << "A and B must be matrices (rank 2)";
  return success();
}

LogicalResult ONNXConvOp::verify() {
  if (failed(verifyMinRank(*this, getX(), 3, "X")))
    return failure();
  RankedTensorType x = rankedType(getX()), w = rankedType(getW());
  if (x && w && x.getRank() != w.getRank())
    return emitOpError() << "X and W must have the same rank";
  if (int64_t(getGroup()) < 1)
    return emitOpError() << "group must be positive";
  return success();
}

LogicalResult ONNXMatMulOp::verify() {
  if (failed(verifyMinRank(*this, getA(), 1, "A")) ||
      failed(verifyMinRank(*this, getB(), 1, "B")))
    return failure();
  return success();
}

LogicalResult ONNXSoftmaxOp::verify() {
  return verifyAxis(*this, int64_t(getAxis()), getInput());
}

LogicalResult ONNXFlattenOp::verify() {
  return verifyAxis(*this, int64_t(getAxis()), getInput(), /*extra=*/1);
}

LogicalResult ONNXSplitOp::verify() {
  return verifyAxis(*this, int64_t(getAxis()), getInput());
}

LogicalResult ONNXGatherOp::verify() {
  return verifyAxis(*this, int64_t(getAxis()), getData());
}

LogicalResult ONNXReshapeOp::verify() {
  return verifySameElementCount(*this);
}

LogicalResult ONNXSqueezeOp::verify() { return verifySameElementCount(*this); }

LogicalResult ONNXUnsqueezeOp::verify() {
  return verifySameElementCount(*this);
}

LogicalResult ONNXReduceMeanOp::verify() {
  return verifyReduceAxes(*this, getAxes(), getData());
}

LogicalResult ONNXReduceSumOp::verify() {
  if (RankedTensorType axes = rankedType(getAxes());
      axes && axes.getRank() != 1)
    return emitOpError() << "axes must be a 1-D tensor";
  return success();
}

LogicalResult ONNXBatchNormalizationOp::verify() {
  return verifyMinRank(*this, getX(), 2, "X");
}

LogicalResult ONNXMaxPoolOp::verify() {
  return verifyPool(*this, getX(), getKernelShapeAttr());
}

LogicalResult ONNXAveragePoolOp::verify() {
  return verifyPool(*this, getX(), getKernelShapeAttr());
}

LogicalResult ONNXCastOp::verify() {
  int64_t to = int64_t(getTo());
  // ONNX TensorProto.DataType: 1..16 are the defined element types.
  if (to < 1 || to > 16)
    return emitOpError() << "'to' is not an ONNX element type: " << to;
  return success();
}

LogicalResult ONNXSliceOp::verify() {
  RankedTensorType starts = rankedType(getStarts());
  RankedTensorType ends = rankedType(getEnds());
  if ((starts && starts.getRank() != 1) || (ends && ends.getRank() != 1))
    return emitOpError() << "starts and ends must be 1-D tensors";
  if (starts && ends && starts.hasStaticShape() && ends.hasStaticShape() &&
      starts.getNumElements() != ends.getNumElements())
    return emitOpError() << "starts and ends differ in length";
  return success();
}

LogicalResult ONNXExpandOp::verify() {
  if (RankedTensorType shape = rankedType(getShape());
      shape && shape.getRank() != 1)
    return emitOpError() << "shape must be a 1-D tensor";
  return success();
}

} // namespace onnxc
