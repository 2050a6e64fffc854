//===- ShapeFolding.cpp - Fold shape subgraphs on the protobuf ------------===//
//
// Exporters compute reshape targets and slice bounds at run time from
// Shape: Shape -> Gather -> Add/Div/Mul -> Unsqueeze -> Concat -> Reshape.
// ONNX's own function bodies do the same (LayerNormalization builds its
// reduced shape with Neg -> ConstantOfShape -> Concat).
// With static input shapes all of these are compile-time constants. ONNX's
// data propagation folds some of them; this pass folds the rest on small
// integer tensors, replacing each folded node by a Constant node, so that
// shape inference then gives every value a static type.
//
//===----------------------------------------------------------------------===//

#include "ImporterInternal.h"

#include "llvm/ADT/StringMap.h"

#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include <numeric>
#include <optional>

namespace onnxc {
namespace {

/// Tensors larger than this are data, not shapes: never folded.
constexpr int64_t kMaxFoldedElements = 4096;

/// A small integer tensor (int64 or int32 in ONNX).
struct IntTensor {
  int32_t dataType = onnx::TensorProto::INT64;
  std::vector<int64_t> dims;
  std::vector<int64_t> values;

  int64_t numElements() const {
    return std::accumulate(dims.begin(), dims.end(), int64_t(1),
                           std::multiplies<int64_t>());
  }
};

using Folded = std::optional<std::vector<IntTensor>>;

bool isFoldableType(int32_t dataType) {
  return dataType == onnx::TensorProto::INT64 ||
         dataType == onnx::TensorProto::INT32;
}

std::optional<IntTensor> fromProto(const onnx::TensorProto &proto) {
  if (!isFoldableType(proto.data_type()) ||
      proto.data_location() == onnx::TensorProto::EXTERNAL)
    return std::nullopt;
  IntTensor t;
  t.dataType = proto.data_type();
  t.dims.assign(proto.dims().begin(), proto.dims().end());
  int64_t count = t.numElements();
  if (count > kMaxFoldedElements)
    return std::nullopt;
  bool is64 = t.dataType == onnx::TensorProto::INT64;
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    size_t width = is64 ? 8 : 4;
    if (raw.size() != size_t(count) * width)
      return std::nullopt;
    for (int64_t i = 0; i < count; ++i) {
      if (is64) {
        int64_t v;
        std::memcpy(&v, raw.data() + i * 8, 8);
        t.values.push_back(v);
      } else {
        int32_t v;
        std::memcpy(&v, raw.data() + i * 4, 4);
        t.values.push_back(v);
      }
    }
  } else if (is64) {
    t.values.assign(proto.int64_data().begin(), proto.int64_data().end());
  } else {
    t.values.assign(proto.int32_data().begin(), proto.int32_data().end());
  }
  if (int64_t(t.values.size()) != count)
    return std::nullopt;
  return t;
}

onnx::TensorProto toProto(const IntTensor &t) {
  onnx::TensorProto proto;
  proto.set_data_type(t.dataType);
  for (int64_t d : t.dims)
    proto.add_dims(d);
  for (int64_t v : t.values) {
    if (t.dataType == onnx::TensorProto::INT64)
      proto.add_int64_data(v);
    else
      proto.add_int32_data(int32_t(v));
  }
  return proto;
}

int64_t intAttr(const onnx::NodeProto &node, const std::string &name,
                int64_t fallback) {
  for (const auto &attr : node.attribute())
    if (attr.name() == name && attr.type() == onnx::AttributeProto::INT)
      return attr.i();
  return fallback;
}

/// The tensor attribute `name` of `node`, or null.
const onnx::TensorProto *tensorAttr(const onnx::NodeProto &node,
                                    const std::string &name) {
  for (const auto &attr : node.attribute())
    if (attr.name() == name && attr.type() == onnx::AttributeProto::TENSOR)
      return &attr.t();
  return nullptr;
}

std::optional<int64_t> normalized(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

Folded foldShape(const onnx::NodeProto &node, const onnx::TypeProto *type) {
  if (!type || !type->has_tensor_type() || !type->tensor_type().has_shape())
    return std::nullopt;
  IntTensor dims;
  for (const auto &dim : type->tensor_type().shape().dim()) {
    if (!dim.has_dim_value())
      return std::nullopt;
    dims.values.push_back(dim.dim_value());
  }
  int64_t rank = dims.values.size();
  auto clampIndex = [&](int64_t i) {
    if (i < 0)
      i += rank;
    return std::clamp<int64_t>(i, 0, rank);
  };
  int64_t start = clampIndex(intAttr(node, "start", 0));
  int64_t end = clampIndex(intAttr(node, "end", rank));
  IntTensor result;
  for (int64_t i = start; i < end; ++i)
    result.values.push_back(dims.values[i]);
  result.dims = {int64_t(result.values.size())};
  if (node.op_type() == "Size") {
    int64_t count = 1;
    for (int64_t d : dims.values)
      count *= d;
    result.values = {count};
    result.dims = {};
  }
  return std::vector<IntTensor>{result};
}

Folded foldGather(const onnx::NodeProto &node, const IntTensor &data,
                  const IntTensor &indices) {
  int64_t rank = data.dims.size();
  auto axis = normalized(intAttr(node, "axis", 0), rank);
  if (!axis)
    return std::nullopt;
  IntTensor out;
  out.dataType = data.dataType;
  out.dims.assign(data.dims.begin(), data.dims.begin() + *axis);
  out.dims.insert(out.dims.end(), indices.dims.begin(), indices.dims.end());
  out.dims.insert(out.dims.end(), data.dims.begin() + *axis + 1,
                  data.dims.end());
  int64_t outer = 1, inner = 1, axisDim = data.dims[*axis];
  for (int64_t i = 0; i < *axis; ++i)
    outer *= data.dims[i];
  for (int64_t i = *axis + 1; i < rank; ++i)
    inner *= data.dims[i];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : indices.values) {
      if (index < 0)
        index += axisDim;
      if (index < 0 || index >= axisDim)
        return std::nullopt;
      for (int64_t i = 0; i < inner; ++i)
        out.values.push_back(data.values[(o * axisDim + index) * inner + i]);
    }
  return std::vector<IntTensor>{out};
}

Folded foldUnsqueeze(const IntTensor &data, const IntTensor &axes) {
  int64_t rank = data.dims.size() + axes.values.size();
  std::vector<bool> inserted(rank, false);
  for (int64_t axis : axes.values) {
    auto n = normalized(axis, rank);
    if (!n || inserted[*n])
      return std::nullopt;
    inserted[*n] = true;
  }
  IntTensor out = data;
  out.dims.clear();
  size_t next = 0;
  for (int64_t i = 0; i < rank; ++i)
    out.dims.push_back(inserted[i] ? 1 : data.dims[next++]);
  return std::vector<IntTensor>{out};
}

Folded foldSqueeze(const IntTensor &data, const IntTensor *axes) {
  int64_t rank = data.dims.size();
  std::vector<bool> removed(rank, false);
  for (int64_t i = 0; i < rank; ++i)
    removed[i] = !axes && data.dims[i] == 1;
  if (axes)
    for (int64_t axis : axes->values) {
      auto n = normalized(axis, rank);
      if (!n || data.dims[*n] != 1)
        return std::nullopt;
      removed[*n] = true;
    }
  IntTensor out = data;
  out.dims.clear();
  for (int64_t i = 0; i < rank; ++i)
    if (!removed[i])
      out.dims.push_back(data.dims[i]);
  return std::vector<IntTensor>{out};
}

Folded foldConcat(const onnx::NodeProto &node,
                  const std::vector<const IntTensor *> &inputs) {
  // Shape vectors: concatenation of 1-D tensors.
  IntTensor out;
  out.dataType = inputs.front()->dataType;
  if (intAttr(node, "axis", 0) != 0 && intAttr(node, "axis", 0) != -1)
    return std::nullopt;
  for (const IntTensor *input : inputs) {
    if (input->dims.size() != 1)
      return std::nullopt;
    out.values.insert(out.values.end(), input->values.begin(),
                      input->values.end());
  }
  out.dims = {int64_t(out.values.size())};
  return std::vector<IntTensor>{out};
}

Folded foldSlice(const std::vector<const IntTensor *> &in) {
  // 1-D data only: the case of shape vectors.
  const IntTensor &data = *in[0];
  if (data.dims.size() != 1 || in[1]->values.size() != 1 ||
      in[2]->values.size() != 1)
    return std::nullopt;
  if (in.size() > 3 && in[3] && (in[3]->values.size() != 1 ||
                                 !normalized(in[3]->values[0], 1)))
    return std::nullopt;
  int64_t step = in.size() > 4 && in[4] ? in[4]->values.at(0) : 1;
  if (step == 0)
    return std::nullopt;
  int64_t dim = data.dims[0];
  int64_t start = in[1]->values[0], end = in[2]->values[0];
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  IntTensor out;
  out.dataType = data.dataType;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    for (int64_t i = start; i < end; i += step)
      out.values.push_back(data.values[i]);
  } else {
    start = std::clamp<int64_t>(start, -1, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    for (int64_t i = start; i > end; i += step)
      out.values.push_back(data.values[i]);
  }
  out.dims = {int64_t(out.values.size())};
  return std::vector<IntTensor>{out};
}

Folded foldArithmetic(const std::string &op, const IntTensor &a,
                      const IntTensor &b) {
  // Same shapes, or one side a single element.
  bool aScalar = a.values.size() == 1, bScalar = b.values.size() == 1;
  if (a.dims != b.dims && !aScalar && !bScalar)
    return std::nullopt;
  IntTensor out = a.dims.size() >= b.dims.size() && !aScalar ? a : b;
  if (aScalar && bScalar)
    out.dims = a.dims.size() >= b.dims.size() ? a.dims : b.dims;
  out.dataType = a.dataType;
  size_t count = std::max(a.values.size(), b.values.size());
  out.values.resize(count);
  for (size_t i = 0; i < count; ++i) {
    int64_t x = a.values[aScalar ? 0 : i], y = b.values[bScalar ? 0 : i];
    if (op == "Add")
      out.values[i] = x + y;
    else if (op == "Sub")
      out.values[i] = x - y;
    else if (op == "Mul")
      out.values[i] = x * y;
    else if (y == 0)
      return std::nullopt;
    else
      out.values[i] = x / y;
  }
  return std::vector<IntTensor>{out};
}

Folded foldNeg(const IntTensor &data) {
  IntTensor out = data;
  for (int64_t &v : out.values)
    v = -v;
  return std::vector<IntTensor>{out};
}

/// ConstantOfShape with an integer value (LayerNormalization's function body
/// fills its suffix of 1s this way). A float fill is data, not a shape: it
/// is left to shape inference, which types it once its shape input is
/// constant.
Folded foldConstantOfShape(const onnx::NodeProto &node,
                           const IntTensor &shape) {
  if (shape.dims.size() != 1)
    return std::nullopt;
  IntTensor out;
  out.dataType = onnx::TensorProto::FLOAT;
  int64_t fill = 0;
  if (const onnx::TensorProto *value = tensorAttr(node, "value")) {
    std::optional<IntTensor> scalar = fromProto(*value);
    if (!scalar || scalar->values.size() != 1)
      return std::nullopt;
    out.dataType = scalar->dataType;
    fill = scalar->values[0];
  }
  if (!isFoldableType(out.dataType))
    return std::nullopt;
  int64_t count = 1;
  for (int64_t d : shape.values) {
    if (d < 0 || (d > 0 && count > kMaxFoldedElements / d))
      return std::nullopt;
    count *= d;
  }
  out.dims = shape.values;
  out.values.assign(count, fill);
  return std::vector<IntTensor>{out};
}

Folded foldReshape(const IntTensor &data, const IntTensor &shape) {
  IntTensor out = data;
  out.dims.clear();
  int64_t known = 1, inferred = -1;
  for (size_t i = 0; i < shape.values.size(); ++i) {
    int64_t d = shape.values[i];
    if (d == 0 && i < data.dims.size())
      d = data.dims[i];
    if (d == -1) {
      inferred = i;
      out.dims.push_back(1);
      continue;
    }
    known *= d;
    out.dims.push_back(d);
  }
  if (inferred >= 0 && known > 0)
    out.dims[inferred] = data.numElements() / known;
  if (out.numElements() != data.numElements())
    return std::nullopt;
  return std::vector<IntTensor>{out};
}

class ShapeFolder {
public:
  explicit ShapeFolder(onnx::ModelProto &model) : model(model) {}

  /// Folds what it can; returns the number of nodes folded.
  int run();

private:
  Folded fold(const onnx::NodeProto &node);
  const IntTensor *constant(const std::string &name) {
    auto it = constants.find(name);
    return it == constants.end() ? nullptr : &it->second;
  }

  onnx::ModelProto &model;
  llvm::StringMap<IntTensor> constants;
  llvm::StringMap<const onnx::TypeProto *> types;
};

Folded ShapeFolder::fold(const onnx::NodeProto &node) {
  const std::string &op = node.op_type();
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return std::nullopt;
  if (op == "Shape" || op == "Size")
    return foldShape(node, types.lookup(node.input(0)));
  std::vector<const IntTensor *> in;
  for (const std::string &name : node.input()) {
    const IntTensor *value = name.empty() ? nullptr : constant(name);
    if (!name.empty() && !value)
      return std::nullopt;
    in.push_back(value);
  }
  if (in.empty() || !in[0])
    return std::nullopt;
  if (op == "Identity")
    return std::vector<IntTensor>{*in[0]};
  if (op == "Cast") {
    int64_t to = intAttr(node, "to", 0);
    if (!isFoldableType(int32_t(to)))
      return std::nullopt;
    IntTensor out = *in[0];
    out.dataType = int32_t(to);
    return std::vector<IntTensor>{out};
  }
  if (op == "Gather" && in.size() == 2 && in[1])
    return foldGather(node, *in[0], *in[1]);
  if (op == "Unsqueeze" && in.size() == 2 && in[1])
    return foldUnsqueeze(*in[0], *in[1]);
  if (op == "Squeeze")
    return foldSqueeze(*in[0], in.size() > 1 ? in[1] : nullptr);
  if (op == "Concat" && llvm::all_of(in, [](auto *t) { return t; }))
    return foldConcat(node, in);
  if (op == "Slice" && in.size() >= 3 && in[1] && in[2])
    return foldSlice(in);
  if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div") &&
      in.size() == 2 && in[1])
    return foldArithmetic(op, *in[0], *in[1]);
  if (op == "Reshape" && in.size() == 2 && in[1])
    return foldReshape(*in[0], *in[1]);
  if (op == "Neg")
    return foldNeg(*in[0]);
  if (op == "ConstantOfShape")
    return foldConstantOfShape(node, *in[0]);
  return std::nullopt;
}

int ShapeFolder::run() {
  onnx::GraphProto *graph = model.mutable_graph();
  constants.clear();
  types = collectValueTypes(*graph);
  for (const auto &init : graph->initializer())
    if (auto t = fromProto(init))
      constants[init.name()] = *t;
  int folded = 0;
  for (onnx::NodeProto &node : *graph->mutable_node()) {
    if (node.op_type() == "Constant") {
      for (const auto &attr : node.attribute())
        if (attr.name() == "value" && attr.has_t())
          if (auto t = fromProto(attr.t()))
            constants[node.output(0)] = *t;
      continue;
    }
    Folded outputs = fold(node);
    if (!outputs || outputs->size() != size_t(node.output_size()) ||
        llvm::any_of(*outputs, [](const IntTensor &t) {
          // Empty constants trip ONNX 1.12's Concat inference: keep those
          // nodes, whose outputs data propagation handles.
          return t.numElements() > kMaxFoldedElements || t.numElements() == 0;
        }))
      continue;
    // Replace the node by a Constant producing the same value.
    std::string output = node.output(0), name = node.name();
    node.Clear();
    node.set_op_type("Constant");
    node.set_name(name);
    node.add_output(output);
    onnx::AttributeProto *value = node.add_attribute();
    value->set_name("value");
    value->set_type(onnx::AttributeProto::TENSOR);
    *value->mutable_t() = toProto(outputs->front());
    constants[output] = outputs->front();
    ++folded;
  }
  return folded;
}

} // namespace

mlir::LogicalResult foldShapeSubgraphs(onnx::ModelProto &model,
                                       const ErrorFn &error) {
  // Alternate inference (which types the inputs of Shape) and folding until
  // nothing changes; each round folds at least one node, so this ends.
  ShapeFolder folder(model);
  for (int round = 0; round < 64; ++round) {
    try {
      onnx::ShapeInferenceOptions options(/*check_type_val=*/false,
                                          /*strict_mode_val=*/0,
                                          /*data_prop_val=*/true);
      onnx::shape_inference::InferShapes(
          model, onnx::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception &e) {
      error(std::string("ONNX shape inference failed: ") + e.what());
      return mlir::failure();
    }
    if (folder.run() == 0)
      return mlir::success();
  }
  return mlir::success();
}

} // namespace onnxc
