//===- ModelInterface.cpp - Inputs, outputs and sizes of a model ----------===//

#include "OnnxCompile/Target/ModelInterface.h"
#include "OnnxCompile/Dialect/ONNX/IR/ONNXOps.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace onnxc {

int64_t TensorInfo::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

/// The ONNX TensorProto.DataType of an element type, or 0.
static int32_t onnxDataType(Type type) {
  if (type.isF32())
    return 1;
  if (type.isF64())
    return 11;
  if (type.isF16())
    return 10;
  if (type.isBF16())
    return 16;
  if (auto complexType = llvm::dyn_cast<ComplexType>(type))
    return complexType.getElementType().isF32() ? 14 : 15;
  auto intType = llvm::dyn_cast<IntegerType>(type);
  if (!intType)
    return 0;
  bool isUnsigned = intType.isUnsigned();
  switch (intType.getWidth()) {
  case 1:
    return 9;
  case 8:
    return isUnsigned ? 2 : 3;
  case 16:
    return isUnsigned ? 4 : 5;
  case 32:
    return isUnsigned ? 12 : 6;
  case 64:
    return isUnsigned ? 13 : 7;
  default:
    return 0;
  }
}

static int64_t storageBytes(Type type) {
  if (auto complexType = llvm::dyn_cast<ComplexType>(type))
    return 2 * storageBytes(complexType.getElementType());
  return std::max<int64_t>(1, (type.getIntOrFloatBitWidth() + 7) / 8);
}

static FailureOr<TensorInfo> tensorInfo(Operation *anchor, Type type,
                                        StringAttr name, unsigned index,
                                        StringRef kind) {
  auto tensorType = llvm::dyn_cast<RankedTensorType>(type);
  if (!tensorType || !tensorType.hasStaticShape())
    return anchor->emitError() << kind << " " << index
                               << " must have a static shape";
  TensorInfo info;
  info.name = name ? name.str() : (kind + std::to_string(index)).str();
  info.onnxType = onnxDataType(tensorType.getElementType());
  if (!info.onnxType)
    return anchor->emitError() << kind << " '" << info.name
                               << "' has an unsupported element type";
  info.shape.assign(tensorType.getShape().begin(),
                    tensorType.getShape().end());
  info.elementBytes = storageBytes(tensorType.getElementType());
  return info;
}

FailureOr<ModelInterface> collectInterface(func::FuncOp func, StringRef name,
                                           StringRef sourceFile) {
  ModelInterface model;
  model.name = name.str();
  model.sourceFile = sourceFile.str();
  FunctionType type = func.getFunctionType();
  for (auto [i, input] : llvm::enumerate(type.getInputs())) {
    auto info = tensorInfo(func, input,
                           func.getArgAttrOfType<StringAttr>(i, "onnx.name"),
                           i, "input");
    if (failed(info))
      return failure();
    model.inputs.push_back(*info);
  }
  for (auto [i, output] : llvm::enumerate(type.getResults())) {
    auto info = tensorInfo(
        func, output, func.getResultAttrOfType<StringAttr>(i, "onnx.name"), i,
        "output");
    if (failed(info))
      return failure();
    model.outputs.push_back(*info);
  }
  func.walk([&](ONNXConstantOp constant) {
    if (auto type = llvm::dyn_cast<RankedTensorType>(constant.getType()))
      if (type.hasStaticShape())
        model.weightBytes +=
            type.getNumElements() * storageBytes(type.getElementType());
  });
  return model;
}

std::string toCIdentifier(StringRef text) {
  std::string identifier;
  for (char c : text)
    identifier += (std::isalnum(static_cast<unsigned char>(c)) || c == '_')
                      ? c
                      : '_';
  if (identifier.empty() || std::isdigit(static_cast<unsigned char>(identifier[0])))
    identifier = "m_" + identifier;
  return identifier;
}

} // namespace onnxc
