//===- ModelInterface.h - The C ABI of a compiled model ---------*- C++ -*-===//
//
// What the generated header and entry points promise (docs/c-abi.md): the
// graph's inputs and outputs with their ONNX names, element types and
// shapes, and the workspace size.
//
//===----------------------------------------------------------------------===//

#ifndef ONNXCOMPILE_TARGET_MODELINTERFACE_H
#define ONNXCOMPILE_TARGET_MODELINTERFACE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace onnxc {

struct TensorInfo {
  std::string name;
  int32_t onnxType = 0; ///< ONNX TensorProto.DataType.
  std::vector<int64_t> shape;
  int64_t elementBytes = 0;

  int64_t numElements() const;
  int64_t sizeBytes() const { return numElements() * elementBytes; }
};

struct ModelInterface {
  std::string name;       ///< C identifier prefix (-name).
  std::string sourceFile; ///< The .onnx file, for the header's comment.
  std::vector<TensorInfo> inputs, outputs;
  int64_t workspaceSize = 0;
  int64_t weightBytes = 0;
  /// Compiled for a GPU (-target=nvptx64): NAME_run takes host pointers,
  /// NAME_run_device device pointers and a CUDA stream.
  bool gpu = false;
  /// A GPU model with run-time data checks: the byte offset of their status
  /// word (an int32, 0 or 2) in the workspace; -1 without checks.
  int64_t statusOffset = -1;
};

/// Reads inputs and outputs from the imported ONNX-dialect function (its
/// onnx.name argument and result attributes and tensor types), and the
/// weight bytes from its constants.
mlir::FailureOr<ModelInterface> collectInterface(mlir::func::FuncOp func,
                                                 llvm::StringRef name,
                                                 llvm::StringRef sourceFile);

/// Writes the self-contained C header.
void emitHeader(const ModelInterface &model, llvm::raw_ostream &os);

/// Adds NAME_run and NAME_workspace_size (LLVM dialect) that call the
/// lowered function `implName`, which takes one bare pointer per input,
/// output and the workspace, in that order.
mlir::LogicalResult addEntryPoints(mlir::ModuleOp module,
                                   llvm::StringRef implName,
                                   const ModelInterface &model);

/// Makes an arbitrary string a C identifier (file stems for -name).
std::string toCIdentifier(llvm::StringRef text);

} // namespace onnxc

#endif // ONNXCOMPILE_TARGET_MODELINTERFACE_H
