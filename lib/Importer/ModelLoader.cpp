//===- ModelLoader.cpp - Load, validate and upgrade an ONNX model ---------===//
//
// Everything that happens on the protobuf before MLIR sees the model: parse,
// external data, ONNX's checker, ONNX's version converter, the user's input
// shapes, and ONNX shape inference with data propagation (which folds shape
// subgraphs such as Shape -> Gather -> Concat -> Reshape into static shapes).
//
// ONNX's C++ library reports errors by throwing; this file is the only place
// that catches them.
//
//===----------------------------------------------------------------------===//

#include "ImporterInternal.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"

#include <google/protobuf/io/coded_stream.h>

#include <climits>

using namespace mlir;

namespace onnxc {
namespace {

/// Collapses a multi-line exception text into one line.
std::string oneLine(const char *what) {
  std::string text(what);
  for (char &c : text)
    if (c == '\n' || c == '\r')
      c = ' ';
  return std::string(llvm::StringRef(text).trim());
}

LogicalResult parseModel(llvm::StringRef path, onnx::ModelProto &model,
                         const ErrorFn &error) {
  auto bufferOrErr = llvm::MemoryBuffer::getFile(
      path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!bufferOrErr) {
    error("cannot read the model: " + bufferOrErr.getError().message());
    return failure();
  }
  const llvm::MemoryBuffer &buffer = **bufferOrErr;
  if (buffer.getBufferSize() == 0) {
    error("the file is empty, not an ONNX model");
    return failure();
  }
  if (buffer.getBufferSize() > size_t(INT_MAX)) {
    error("the file is larger than 2 GiB; keep the weights in external data");
    return failure();
  }
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(buffer.getBufferStart()),
      static_cast<int>(buffer.getBufferSize()));
  stream.SetTotalBytesLimit(INT_MAX);
  if (!model.ParseFromCodedStream(&stream) ||
      !stream.ConsumedEntireMessage()) {
    error("not a valid ONNX model: the protobuf cannot be parsed (a "
          "truncated or non-ONNX file)");
    return failure();
  }
  if (model.ir_version() <= 0 || !model.has_graph() ||
      model.opset_import_size() == 0) {
    error("not an ONNX model: no IR version, graph or opset import");
    return failure();
  }
  return success();
}

/// Reads the external data of `tensor` from a file inside `modelDir` into
/// raw_data. Paths that are absolute or resolve outside the model's folder
/// (through "..", or a symbolic link) are refused.
LogicalResult loadExternalTensor(onnx::TensorProto &tensor,
                                 llvm::StringRef modelDir,
                                 const ErrorFn &error) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset" &&
             llvm::StringRef(entry.value()).getAsInteger(10, offset))
      offset = -1;
    else if (entry.key() == "length" &&
             llvm::StringRef(entry.value()).getAsInteger(10, length))
      length = -2;
  }
  std::string what = "external data of tensor '" + tensor.name() + "'";
  if (location.empty() || offset < 0 || length < -1) {
    error(what + " has a missing or malformed location, offset or length");
    return failure();
  }
  if (llvm::sys::path::is_absolute(location)) {
    error(what + ": the path '" + location +
          "' is absolute; external data must lie in the model's folder");
    return failure();
  }
  llvm::SmallString<256> realDir, joined, realFile;
  joined = modelDir;
  llvm::sys::path::append(joined, location);
  if (llvm::sys::fs::real_path(modelDir, realDir) ||
      llvm::sys::fs::real_path(joined, realFile)) {
    error(what + ": cannot open '" + location + "'");
    return failure();
  }
  llvm::StringRef dirPrefix = realDir;
  if (!llvm::StringRef(realFile).starts_with(dirPrefix) ||
      realFile.size() <= dirPrefix.size() ||
      !llvm::sys::path::is_separator(realFile[dirPrefix.size()])) {
    error(what + ": the path '" + location +
          "' escapes the model's folder; refusing to read it");
    return failure();
  }
  auto bufferOrErr = llvm::MemoryBuffer::getFile(
      realFile, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!bufferOrErr) {
    error(what + ": cannot read '" + location +
          "': " + bufferOrErr.getError().message());
    return failure();
  }
  llvm::StringRef bytes = (*bufferOrErr)->getBuffer();
  if (uint64_t(offset) > bytes.size() ||
      (length >= 0 && uint64_t(length) > bytes.size() - offset)) {
    error(what + ": offset/length lie beyond the end of '" + location + "'");
    return failure();
  }
  bytes = bytes.drop_front(offset);
  if (length >= 0)
    bytes = bytes.take_front(length);
  tensor.set_raw_data(bytes.data(), bytes.size());
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
  return success();
}

LogicalResult loadExternalData(onnx::ModelProto &model, llvm::StringRef path,
                               const ErrorFn &error) {
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  auto visit = [&](onnx::TensorProto &tensor) {
    if (tensor.data_location() != onnx::TensorProto::EXTERNAL)
      return success();
    return loadExternalTensor(tensor, dir, error);
  };
  onnx::GraphProto *graph = model.mutable_graph();
  for (onnx::TensorProto &tensor : *graph->mutable_initializer())
    if (failed(visit(tensor)))
      return failure();
  for (onnx::NodeProto &node : *graph->mutable_node())
    for (onnx::AttributeProto &attr : *node.mutable_attribute())
      if (attr.has_t() && failed(visit(*attr.mutable_t())))
        return failure();
  return success();
}

/// The model's default-domain opset version, or -1.
int64_t defaultOpset(const onnx::ModelProto &model) {
  for (const auto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      return opset.version();
  return -1;
}

LogicalResult upgradeOpset(onnx::ModelProto &model, const ErrorFn &error) {
  int64_t opset = defaultOpset(model);
  if (opset < 0) {
    error("the model imports no opset of the default ONNX domain");
    return failure();
  }
  if (opset > kMaxOpset) {
    error("opset " + std::to_string(opset) +
          " is newer than the newest supported opset " +
          std::to_string(kMaxOpset));
    return failure();
  }
  if (opset == kMaxOpset)
    return success();
  try {
    model = onnx::version_conversion::ConvertVersion(model, kMaxOpset);
  } catch (const std::exception &e) {
    error("cannot convert the model from opset " + std::to_string(opset) +
          " to " + std::to_string(kMaxOpset) + ": " + oneLine(e.what()));
    return failure();
  }
  return success();
}

bool isInitializer(const onnx::GraphProto &graph, const std::string &name) {
  for (const auto &init : graph.initializer())
    if (init.name() == name)
      return true;
  return false;
}

/// Applies the -shape options to the graph inputs.
LogicalResult applyInputShapes(onnx::ModelProto &model,
                               const ImportOptions &opts,
                               const ErrorFn &error) {
  onnx::GraphProto *graph = model.mutable_graph();
  for (const auto &[name, dims] : opts.inputShapes) {
    onnx::ValueInfoProto *input = nullptr;
    for (onnx::ValueInfoProto &candidate : *graph->mutable_input())
      if (candidate.name() == name && !isInitializer(*graph, name))
        input = &candidate;
    if (!input) {
      error("-shape names '" + name + "', which is not a graph input");
      return failure();
    }
    if (!input->type().has_tensor_type()) {
      error("-shape names '" + name + "', which is not a tensor input");
      return failure();
    }
    onnx::TypeProto::Tensor *tensorType =
        input->mutable_type()->mutable_tensor_type();
    onnx::TensorShapeProto *shape = tensorType->mutable_shape();
    if (tensorType->has_shape() && shape->dim_size() != int(dims.size())) {
      error("-shape gives " + std::to_string(dims.size()) +
            " dimensions for input '" + name + "' of rank " +
            std::to_string(shape->dim_size()));
      return failure();
    }
    if (shape->dim_size() == 0)
      for (size_t i = 0; i < dims.size(); ++i)
        shape->add_dim();
    for (size_t i = 0; i < dims.size(); ++i) {
      onnx::TensorShapeProto::Dimension *dim = shape->mutable_dim(i);
      if (dim->has_dim_value() && dim->dim_value() != dims[i]) {
        error("-shape gives dimension " + std::to_string(i) + " of input '" +
              name + "' as " + std::to_string(dims[i]) +
              ", but the model fixes it to " +
              std::to_string(dim->dim_value()));
        return failure();
      }
      dim->set_dim_value(dims[i]);
    }
  }
  return success();
}

} // namespace

LogicalResult loadModel(llvm::StringRef path, const ImportOptions &opts,
                        onnx::ModelProto &model, const ErrorFn &error) {
  if (failed(parseModel(path, model, error)) ||
      failed(loadExternalData(model, path, error)))
    return failure();
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    error("invalid ONNX model: " + oneLine(e.what()));
    return failure();
  }
  if (failed(upgradeOpset(model, error)) ||
      failed(applyInputShapes(model, opts, error)) ||
      failed(expandFunctions(model, error)) ||
      failed(foldShapeSubgraphs(model, error)))
    return failure();
  try {
    onnx::ShapeInferenceOptions options(/*check_type_val=*/true,
                                        /*strict_mode_val=*/1,
                                        /*data_prop_val=*/true);
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &e) {
    error("ONNX shape inference failed: " + oneLine(e.what()));
    return failure();
  }
  return success();
}

bool parseShapeOption(llvm::StringRef spec, std::string &name,
                      std::vector<int64_t> &dims) {
  auto [namePart, dimsPart] = spec.rsplit(':');
  if (namePart.empty() || dimsPart.empty() || namePart == spec)
    return false;
  name = namePart.str();
  dims.clear();
  llvm::SmallVector<llvm::StringRef> parts;
  dimsPart.split(parts, 'x');
  for (llvm::StringRef part : parts) {
    int64_t dim;
    if (part.getAsInteger(10, dim) || dim < 0)
      return false;
    dims.push_back(dim);
  }
  return true;
}

} // namespace onnxc
