//===- Importer.h - ONNX model importer -------------------------*- C++ -*-===//
//
// Reads an .onnx file with ONNX's own protobuf classes, validates it with
// ONNX's checker, converts it to the supported opset with ONNX's version
// converter, runs ONNX shape inference and builds a module of the ONNX
// dialect: one func.func whose arguments are the graph inputs and whose
// results are the graph outputs.
//
//===----------------------------------------------------------------------===//

#ifndef ONNXCOMPILE_IMPORTER_IMPORTER_H
#define ONNXCOMPILE_IMPORTER_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace onnxc {

/// The newest default-domain opset the compiler lowers. Older models are
/// converted up to it.
constexpr int64_t kMaxOpset = 17;

struct ImportOptions {
  /// Input shapes given on the command line (-shape=NAME:1x3x224x224); they
  /// fix symbolic dimensions of graph inputs.
  std::vector<std::pair<std::string, std::vector<int64_t>>> inputShapes;
  /// Name of the generated function.
  std::string funcName = "main_graph";
};

/// Imports the model at `path`. On failure, emits one error through the
/// context's diagnostic engine and returns null.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXModel(llvm::StringRef path, mlir::MLIRContext &context,
                const ImportOptions &options);

/// Parses "NAME:1x3x224x224" into its name and dims.
bool parseShapeOption(llvm::StringRef spec, std::string &name,
                      std::vector<int64_t> &dims);

} // namespace onnxc

#endif // ONNXCOMPILE_IMPORTER_IMPORTER_H
