//===- TensorConversion.cpp - ONNX tensors and types to MLIR --------------===//

#include "ImporterInternal.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/Endian.h"

using namespace mlir;

namespace onnxc {

Type convertElementType(int32_t dataType, MLIRContext *ctx) {
  using TP = onnx::TensorProto;
  switch (dataType) {
  case TP::FLOAT:
    return Float32Type::get(ctx);
  case TP::DOUBLE:
    return Float64Type::get(ctx);
  case TP::FLOAT16:
    return Float16Type::get(ctx);
  case TP::BFLOAT16:
    return BFloat16Type::get(ctx);
  case TP::BOOL:
    return IntegerType::get(ctx, 1);
  case TP::INT8:
    return IntegerType::get(ctx, 8);
  case TP::INT16:
    return IntegerType::get(ctx, 16);
  case TP::INT32:
    return IntegerType::get(ctx, 32);
  case TP::INT64:
    return IntegerType::get(ctx, 64);
  case TP::UINT8:
    return IntegerType::get(ctx, 8, IntegerType::Unsigned);
  case TP::UINT16:
    return IntegerType::get(ctx, 16, IntegerType::Unsigned);
  case TP::UINT32:
    return IntegerType::get(ctx, 32, IntegerType::Unsigned);
  case TP::UINT64:
    return IntegerType::get(ctx, 64, IntegerType::Unsigned);
  case TP::COMPLEX64:
    return ComplexType::get(Float32Type::get(ctx));
  case TP::COMPLEX128:
    return ComplexType::get(Float64Type::get(ctx));
  default:
    return nullptr;
  }
}

/// Checks that `dims` is a sane static shape.
static LogicalResult checkShape(llvm::ArrayRef<int64_t> dims,
                                const std::string &valueName,
                                const ErrorFn &error) {
  int64_t elements = 1;
  for (int64_t dim : dims) {
    if (dim < 0) {
      error("'" + valueName + "' has a negative dimension");
      return failure();
    }
    if (dim != 0 && elements > kMaxTensorElements / dim) {
      error("'" + valueName + "' has an absurd shape: more than 2^32 "
            "elements");
      return failure();
    }
    elements *= dim;
  }
  return success();
}

FailureOr<RankedTensorType> convertTensorType(const onnx::TypeProto &type,
                                              MLIRContext *ctx,
                                              const std::string &valueName,
                                              const ErrorFn &error,
                                              bool allowDynamic) {
  if (!type.has_tensor_type()) {
    error("'" + valueName +
          "' is not a tensor (sequences, maps, optionals and sparse "
          "tensors are not supported)");
    return failure();
  }
  const auto &tensorType = type.tensor_type();
  Type elementType = convertElementType(tensorType.elem_type(), ctx);
  if (!elementType) {
    error("'" + valueName + "' has the unsupported element type " +
          onnx::TensorProto::DataType_Name(
              onnx::TensorProto::DataType(tensorType.elem_type())));
    return failure();
  }
  if (!tensorType.has_shape()) {
    error("the rank of '" + valueName +
          "' is unknown after ONNX shape inference");
    return failure();
  }
  llvm::SmallVector<int64_t> dims;
  for (const auto &dim : tensorType.shape().dim()) {
    if (dim.has_dim_value()) {
      dims.push_back(dim.dim_value());
      continue;
    }
    if (dim.has_dim_param() && !allowDynamic) {
      error("'" + valueName + "' has the symbolic dimension '" +
            dim.dim_param() + "'");
      return failure();
    }
    dims.push_back(ShapedType::kDynamic);
  }
  llvm::SmallVector<int64_t> staticDims;
  for (int64_t d : dims)
    if (!ShapedType::isDynamic(d))
      staticDims.push_back(d);
  if (failed(checkShape(staticDims, valueName, error)))
    return failure();
  return RankedTensorType::get(dims, elementType);
}

namespace {

/// Reads the typed (non-raw) fields of a TensorProto into little-endian
/// bytes of the element type's storage width, the layout of raw_data.
template <typename Field, typename Storage>
std::vector<char> packField(const Field &field) {
  std::vector<char> bytes(field.size() * sizeof(Storage));
  for (int i = 0; i < field.size(); ++i) {
    Storage value = static_cast<Storage>(field.Get(i));
    std::memcpy(bytes.data() + i * sizeof(Storage), &value, sizeof(Storage));
  }
  return bytes;
}

std::vector<char> typedFieldBytes(const onnx::TensorProto &t) {
  using TP = onnx::TensorProto;
  switch (t.data_type()) {
  case TP::FLOAT:
  case TP::COMPLEX64:
    return packField<decltype(t.float_data()), float>(t.float_data());
  case TP::DOUBLE:
  case TP::COMPLEX128:
    return packField<decltype(t.double_data()), double>(t.double_data());
  case TP::INT64:
    return packField<decltype(t.int64_data()), int64_t>(t.int64_data());
  case TP::UINT32:
    return packField<decltype(t.uint64_data()), uint32_t>(t.uint64_data());
  case TP::UINT64:
    return packField<decltype(t.uint64_data()), uint64_t>(t.uint64_data());
  case TP::INT32:
    return packField<decltype(t.int32_data()), int32_t>(t.int32_data());
  case TP::INT16:
  case TP::UINT16:
  case TP::FLOAT16:
  case TP::BFLOAT16:
    return packField<decltype(t.int32_data()), uint16_t>(t.int32_data());
  case TP::INT8:
  case TP::UINT8:
  case TP::BOOL:
    return packField<decltype(t.int32_data()), uint8_t>(t.int32_data());
  default:
    return {};
  }
}

} // namespace

FailureOr<ElementsAttr> convertTensor(const onnx::TensorProto &tensor,
                                      MLIRContext *ctx, const ErrorFn &error) {
  std::string name = tensor.name().empty() ? "<constant>" : tensor.name();
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    error("tensor '" + name + "' still refers to external data");
    return failure();
  }
  if (tensor.data_type() == onnx::TensorProto::STRING) {
    error("tensor '" + name + "' holds strings, which are not supported");
    return failure();
  }
  Type elementType = convertElementType(tensor.data_type(), ctx);
  if (!elementType) {
    error("tensor '" + name + "' has an unsupported element type");
    return failure();
  }
  llvm::SmallVector<int64_t> dims(tensor.dims().begin(), tensor.dims().end());
  if (failed(checkShape(dims, name, error)))
    return failure();
  auto type = RankedTensorType::get(dims, elementType);
  int64_t numElements = type.getNumElements();

  std::vector<char> typed;
  llvm::ArrayRef<char> bytes;
  if (tensor.has_raw_data()) {
    bytes = llvm::ArrayRef<char>(tensor.raw_data().data(),
                                 tensor.raw_data().size());
  } else {
    typed = typedFieldBytes(tensor);
    bytes = typed;
  }
  // Booleans are one byte each in ONNX; MLIR's i1 storage is bit-packed.
  int64_t elementBytes =
      elementType.isInteger(1)
          ? 1
          : (llvm::isa<ComplexType>(elementType)
                 ? 2 * llvm::cast<ComplexType>(elementType)
                           .getElementType()
                           .getIntOrFloatBitWidth() /
                       8
                 : elementType.getIntOrFloatBitWidth() / 8);
  if (int64_t(bytes.size()) != numElements * elementBytes) {
    error("tensor '" + name + "' holds " + std::to_string(bytes.size()) +
          " bytes, but its shape needs " +
          std::to_string(numElements * elementBytes));
    return failure();
  }
  if (elementType.isInteger(1)) {
    llvm::SmallVector<bool> values(numElements);
    for (int64_t i = 0; i < numElements; ++i)
      values[i] = bytes[i] != 0;
    return ElementsAttr(DenseElementsAttr::get(type, values));
  }
  // ONNX's raw data is little-endian, as is every target we support.
  static_assert(llvm::endianness::native == llvm::endianness::little,
                "the importer assumes a little-endian host");
  return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, bytes));
}

} // namespace onnxc
