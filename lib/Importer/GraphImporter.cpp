//===- GraphImporter.cpp - Build the ONNX dialect from a graph ------------===//
//
// Turns a loaded, shape-inferred GraphProto into one func.func of ONNX
// dialect ops. Ops are created generically by name: the dialect was
// generated from the same schema registry, so each node maps to the op of
// the same name, its formal inputs to the op's operands (missing optional
// ones become onnx.NoValue) and its attributes to the op's attributes.
//
//===----------------------------------------------------------------------===//

#include "ImporterInternal.h"

#include "OnnxCompile/Dialect/ONNX/IR/ONNXOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/defs/schema.h"

using namespace mlir;

namespace onnxc {

llvm::StringMap<const onnx::TypeProto *>
collectValueTypes(const onnx::GraphProto &graph) {
  llvm::StringMap<const onnx::TypeProto *> types;
  for (const auto &info : graph.value_info())
    types[info.name()] = &info.type();
  for (const auto &info : graph.input())
    types[info.name()] = &info.type();
  for (const auto &info : graph.output())
    types[info.name()] = &info.type();
  return types;
}

namespace {

class GraphImporter {
public:
  GraphImporter(const onnx::ModelProto &model, llvm::StringRef path,
                const ImportOptions &opts, MLIRContext &ctx)
      : model(model), graph(model.graph()), opts(opts), ctx(ctx),
        builder(&ctx),
        fileLoc(FileLineColLoc::get(&ctx, path, /*line=*/0, /*column=*/0)) {}

  OwningOpRef<ModuleOp> run();

private:
  void error(Location loc, const std::string &message) {
    emitError(loc) << message;
  }
  ErrorFn errorAt(Location loc) {
    return [this, loc](const std::string &m) { error(loc, m); };
  }

  LogicalResult createFunction(ModuleOp module);
  LogicalResult importInitializers();
  LogicalResult importNode(const onnx::NodeProto &node, int index);
  FailureOr<Type> resultType(const std::string &name, Location loc);
  FailureOr<NamedAttribute> convertAttribute(const onnx::AttributeProto &attr,
                                             Location loc);
  Value noValue();

  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  const ImportOptions &opts;
  MLIRContext &ctx;
  OpBuilder builder;
  Location fileLoc;
  func::FuncOp func;
  Value none;
  /// Every ONNX value name seen so far and its SSA value.
  llvm::StringMap<Value> values;
  /// The TypeProto of every value ONNX knows a type for.
  llvm::StringMap<const onnx::TypeProto *> types;
};


Value GraphImporter::noValue() {
  if (!none) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&func.getBody().front());
    none = ONNXNoValueOp::create(builder, fileLoc, builder.getNoneType());
  }
  return none;
}

LogicalResult GraphImporter::createFunction(ModuleOp module) {
  llvm::StringSet<> initializers;
  for (const auto &init : graph.initializer())
    initializers.insert(init.name());

  llvm::SmallVector<Type> inputTypes;
  llvm::SmallVector<const onnx::ValueInfoProto *> inputs;
  for (const auto &input : graph.input()) {
    if (initializers.contains(input.name()))
      continue;
    std::string what = "graph input '" + input.name() + "'";
    bool symbolic = false;
    auto type = convertTensorType(
        input.type(), &ctx, input.name(), [&](const std::string &m) {
          symbolic = m.find("symbolic") != std::string::npos;
          std::string hint =
              symbolic ? "; fix it with -shape=" + input.name() + ":DxDx..."
                       : "";
          error(fileLoc, m + hint);
        });
    if (failed(type))
      return failure();
    if (!type->hasStaticShape()) {
      error(fileLoc, what + " has a dynamic shape; fix it with -shape=" +
                         input.name() + ":DxDx...");
      return failure();
    }
    inputTypes.push_back(*type);
    inputs.push_back(&input);
  }
  // Result types follow the returned values (set once the body is built),
  // so that errors about them name the node that produces them.
  if (graph.output_size() == 0) {
    error(fileLoc, "the graph has no outputs");
    return failure();
  }

  builder.setInsertionPointToEnd(module.getBody());
  func = func::FuncOp::create(builder, fileLoc, opts.funcName,
                              builder.getFunctionType(inputTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, input] : llvm::enumerate(inputs)) {
    func.setArgAttr(i, "onnx.name", builder.getStringAttr(input->name()));
    values[input->name()] = entry->getArgument(i);
  }
  builder.setInsertionPointToEnd(entry);
  return success();
}

LogicalResult GraphImporter::importInitializers() {
  for (const auto &init : graph.initializer()) {
    Location loc = NameLoc::get(builder.getStringAttr(init.name()), fileLoc);
    auto value = convertTensor(init, &ctx, errorAt(loc));
    if (failed(value))
      return failure();
    auto constant = ONNXConstantOp::create(
        builder, loc, llvm::cast<ShapedType>(value->getType()), ValueRange{});
    constant.setValueAttr(*value);
    values[init.name()] = constant.getResult();
  }
  return success();
}

FailureOr<Type> GraphImporter::resultType(const std::string &name,
                                          Location loc) {
  if (name.empty())
    return Type(builder.getNoneType());
  auto it = types.find(name);
  if (it == types.end()) {
    error(loc, "ONNX shape inference gives no type for output '" + name +
                   "'");
    return failure();
  }
  auto type = convertTensorType(*it->second, &ctx, name, errorAt(loc),
                                /*allowDynamic=*/true);
  if (failed(type))
    return failure();
  return Type(*type);
}

FailureOr<NamedAttribute>
GraphImporter::convertAttribute(const onnx::AttributeProto &attr,
                                Location loc) {
  using AP = onnx::AttributeProto;
  StringAttr name = builder.getStringAttr(attr.name());
  if (!attr.ref_attr_name().empty()) {
    error(loc, "attribute '" + attr.name() +
                   "' refers to a function attribute, which is not supported");
    return failure();
  }
  switch (attr.type()) {
  case AP::INT:
    return NamedAttribute(name, builder.getI64IntegerAttr(attr.i()));
  case AP::FLOAT:
    return NamedAttribute(name, builder.getF32FloatAttr(attr.f()));
  case AP::STRING:
    return NamedAttribute(name, builder.getStringAttr(attr.s()));
  case AP::INTS: {
    llvm::SmallVector<int64_t> ints(attr.ints().begin(), attr.ints().end());
    return NamedAttribute(name, builder.getI64ArrayAttr(ints));
  }
  case AP::FLOATS: {
    llvm::SmallVector<float> floats(attr.floats().begin(),
                                    attr.floats().end());
    return NamedAttribute(name, builder.getF32ArrayAttr(floats));
  }
  case AP::STRINGS: {
    llvm::SmallVector<StringRef> strings(attr.strings().begin(),
                                         attr.strings().end());
    return NamedAttribute(name, builder.getStrArrayAttr(strings));
  }
  case AP::TENSOR: {
    auto value = convertTensor(attr.t(), &ctx, errorAt(loc));
    if (failed(value))
      return failure();
    return NamedAttribute(name, *value);
  }
  case AP::GRAPH:
  case AP::GRAPHS:
    error(loc, "attribute '" + attr.name() +
                   "' is a subgraph; control flow (If, Loop, Scan) is not "
                   "supported yet");
    return failure();
  default:
    error(loc, "attribute '" + attr.name() + "' has the unsupported type " +
                   AP::AttributeType_Name(attr.type()));
    return failure();
  }
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        int index) {
  std::string nodeName = node.name().empty()
                             ? node.op_type() + "_" + std::to_string(index)
                             : node.name();
  Location loc = NameLoc::get(builder.getStringAttr(nodeName), fileLoc);
  if (!node.domain().empty() && node.domain() != "ai.onnx") {
    error(loc, "operator '" + node.op_type() + "' of domain '" +
                   node.domain() + "' is not supported");
    return failure();
  }
  std::string opName = "onnx." + node.op_type();
  std::optional<RegisteredOperationName> registered =
      RegisteredOperationName::lookup(opName, &ctx);
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(node.op_type(), int(kMaxOpset));
  if (!registered || !schema) {
    error(loc, "unsupported ONNX operator '" + node.op_type() + "'");
    return failure();
  }

  OperationState state(loc, *registered);
  // Operands: the node's inputs, then NoValue for omitted optional ones.
  for (const std::string &input : node.input()) {
    if (input.empty()) {
      state.operands.push_back(noValue());
      continue;
    }
    Value value = values.lookup(input);
    if (!value) {
      error(loc, "input '" + input + "' is not defined before its use");
      return failure();
    }
    state.operands.push_back(value);
  }
  const auto &formalInputs = schema->inputs();
  while (state.operands.size() < formalInputs.size() &&
         formalInputs[state.operands.size()].GetOption() ==
             onnx::OpSchema::Optional)
    state.operands.push_back(noValue());

  // Results: the node's outputs, then NoneType for omitted optional ones.
  const auto &formalOutputs = schema->outputs();
  for (const std::string &output : node.output()) {
    auto type = resultType(output, loc);
    if (failed(type))
      return failure();
    state.types.push_back(*type);
  }
  while (state.types.size() < formalOutputs.size() &&
         formalOutputs[state.types.size()].GetOption() ==
             onnx::OpSchema::Optional)
    state.types.push_back(builder.getNoneType());

  for (const auto &attr : node.attribute()) {
    auto named = convertAttribute(attr, loc);
    if (failed(named))
      return failure();
    state.attributes.push_back(*named);
  }

  Operation *op = builder.create(state);
  for (auto [output, result] : llvm::zip(node.output(), op->getResults()))
    if (!output.empty())
      values[output] = result;
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  types = collectValueTypes(graph);
  if (failed(createFunction(*module)) || failed(importInitializers()))
    return nullptr;
  for (auto [index, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, int(index))))
      return nullptr;

  llvm::SmallVector<Value> results;
  for (const auto &output : graph.output()) {
    Value value = values.lookup(output.name());
    if (!value) {
      error(fileLoc, "graph output '" + output.name() + "' is never defined");
      return nullptr;
    }
    results.push_back(value);
  }
  for (auto [result, output] : llvm::zip(results, graph.output()))
    if (!llvm::cast<RankedTensorType>(result.getType()).hasStaticShape()) {
      Operation *producer = result.getDefiningOp();
      error(producer ? producer->getLoc() : fileLoc,
            "graph output '" + output.name() +
                "' has a data-dependent shape; dynamic shapes are not "
                "supported yet");
      return nullptr;
    }
  func::ReturnOp::create(builder, fileLoc, results);
  // Graph outputs may be typed more precisely by the producing node than by
  // the graph's declaration; the function type follows the values.
  func.setType(builder.getFunctionType(func.getArgumentTypes(),
                                       ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(output.name()));
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace

OwningOpRef<ModuleOp> buildModule(const onnx::ModelProto &model,
                                  llvm::StringRef path,
                                  const ImportOptions &opts, MLIRContext &ctx) {
  return GraphImporter(model, path, opts, ctx).run();
}

OwningOpRef<ModuleOp> importONNXModel(llvm::StringRef path,
                                      MLIRContext &ctx,
                                      const ImportOptions &opts) {
  ctx.loadDialect<ONNXDialect, func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(&ctx, path, 0, 0);
  onnx::ModelProto model;
  if (failed(loadModel(path, opts, model,
                       [&](const std::string &m) { emitError(fileLoc) << m; })))
    return nullptr;
  return buildModule(model, path, opts, ctx);
}

} // namespace onnxc
