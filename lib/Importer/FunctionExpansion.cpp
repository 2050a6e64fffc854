//===- FunctionExpansion.cpp - Inline ONNX function ops -------------------===//
//
// ONNX defines a number of ops as functions of simpler ops (Celu, HardSwish,
// NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss, CastLike, ...).
// Rather than lowering each by hand, the importer replaces them with ONNX's
// own function bodies (ONNX's FunctionExpandHelper), so the compiler lowers
// their parts. Ops with a dedicated lowering that is better than their
// function body are kept.
//
//===----------------------------------------------------------------------===//

#include "ImporterInternal.h"

#include "llvm/ADT/StringSet.h"

#include "onnx/defs/function.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

namespace onnxc {
namespace {

/// Function ops that have their own lowering.
bool hasNativeLowering(llvm::StringRef op) {
  static const llvm::StringSet<> native = {
      "Softmax", "LogSoftmax", "LayerNormalization", "GreaterOrEqual",
      "LessOrEqual",
      // Their bodies build a Range of the run-time size, which has no
      // static shape; the lowerings use the declared output shape.
      "HannWindow", "HammingWindow", "BlackmanWindow"};
  return native.contains(op);
}

/// Control flow inside a body would only trade one unsupported op for
/// another (Range's body is a Loop).
bool hasControlFlow(const onnx::FunctionProto &function) {
  for (const auto &node : function.node())
    if (node.op_type() == "Loop" || node.op_type() == "If" ||
        node.op_type() == "Scan")
      return true;
  return false;
}

/// Resolves the body's references to the node's attributes (an attribute
/// whose ref_attr_name names one of the op's attributes): to the node's
/// value, else the schema's default, else no attribute at all. ONNX 1.12's
/// FunctionExpandHelper gets the last case wrong (it leaves a zero value,
/// e.g. ignore_index = 0 in SoftmaxCrossEntropyLoss), so this runs first.
void resolveAttributeReferences(const onnx::NodeProto &node,
                                const onnx::OpSchema &schema,
                                onnx::FunctionProto &body) {
  llvm::StringMap<const onnx::AttributeProto *> given;
  for (const auto &attr : node.attribute())
    given[attr.name()] = &attr;
  for (onnx::NodeProto &inner : *body.mutable_node()) {
    google::protobuf::RepeatedPtrField<onnx::AttributeProto> resolved;
    for (const onnx::AttributeProto &attr : inner.attribute()) {
      if (attr.ref_attr_name().empty()) {
        *resolved.Add() = attr;
        continue;
      }
      const onnx::AttributeProto *value = given.lookup(attr.ref_attr_name());
      if (!value) {
        auto it = schema.attributes().find(attr.ref_attr_name());
        if (it != schema.attributes().end() &&
            it->second.default_value.type() !=
                onnx::AttributeProto::UNDEFINED)
          value = &it->second.default_value;
      }
      if (!value)
        continue;
      onnx::AttributeProto *copy = resolved.Add();
      *copy = *value;
      copy->set_name(attr.name());
    }
    inner.mutable_attribute()->Swap(&resolved);
  }
}

/// The function body of `node`, or false if it has none to expand.
bool functionBody(const onnx::NodeProto &node,
                  const llvm::StringMap<const onnx::TypeProto *> &types,
                  onnx::FunctionProto &body) {
  if ((!node.domain().empty() && node.domain() != "ai.onnx") ||
      hasNativeLowering(node.op_type()))
    return false;
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(node.op_type(), int(kMaxOpset));
  if (!schema)
    return false;
  if (schema->HasFunction()) {
    body = *schema->GetFunction();
  } else if (schema->HasContextDependentFunction()) {
    std::vector<onnx::TypeProto> inputTypes;
    for (const std::string &input : node.input()) {
      const onnx::TypeProto *type = types.lookup(input);
      inputTypes.push_back(type ? *type : onnx::TypeProto());
    }
    onnx::FunctionBodyBuildContextImpl context(node, inputTypes);
    if (!schema->BuildContextDependentFunction(context, body))
      return false;
  } else {
    return false;
  }
  resolveAttributeReferences(node, *schema, body);
  return !hasControlFlow(body);
}

} // namespace

mlir::LogicalResult expandFunctions(onnx::ModelProto &model,
                                    const ErrorFn &error) {
  onnx::GraphProto *graph = model.mutable_graph();
  int expanded = 0;
  // Bodies may contain function ops themselves (SoftmaxCrossEntropyLoss
  // uses NegativeLogLikelihoodLoss): expand until none is left.
  for (int round = 0; round < 8; ++round) {
    try {
      onnx::shape_inference::InferShapes(model,
                                         onnx::OpSchemaRegistry::Instance());
      auto types = collectValueTypes(*graph);
      onnx::GraphProto rewritten;
      bool changed = false;
      for (const onnx::NodeProto &node : graph->node()) {
        onnx::FunctionProto body;
        if (!functionBody(node, types, body)) {
          *rewritten.add_node() = node;
          continue;
        }
        std::string prefix = (node.name().empty() ? node.op_type()
                                                  : node.name()) +
                             "_fn" + std::to_string(expanded++) + "_";
        onnx::FunctionExpandHelper(node, body, rewritten, prefix);
        changed = true;
      }
      if (!changed)
        return mlir::success();
      graph->mutable_node()->Swap(rewritten.mutable_node());
    } catch (const std::exception &e) {
      error(std::string("cannot expand ONNX function ops: ") + e.what());
      return mlir::failure();
    }
  }
  return mlir::success();
}

} // namespace onnxc
