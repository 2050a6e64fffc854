//===- ImporterInternal.h - Importer implementation details -----*- C++ -*-===//

#ifndef ONNXCOMPILE_LIB_IMPORTER_IMPORTERINTERNAL_H
#define ONNXCOMPILE_LIB_IMPORTER_IMPORTERINTERNAL_H

#include "OnnxCompile/Importer/Importer.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <functional>

namespace onnxc {

/// Reports an error about the model; the string is the whole message.
using ErrorFn = std::function<void(const std::string &)>;

/// Upper bound on the elements of any one tensor. Larger shapes are
/// rejected at import as absurd rather than overflowing later.
constexpr int64_t kMaxTensorElements = int64_t(1) << 32;

/// The type ONNX knows for every named value of `graph` (value_info, graph
/// inputs and outputs), by name.
llvm::StringMap<const onnx::TypeProto *>
collectValueTypes(const onnx::GraphProto &graph);

/// Loads, validates, upgrades and shape-infers the model at `path`.
mlir::LogicalResult loadModel(llvm::StringRef path, const ImportOptions &opts,
                              onnx::ModelProto &model, const ErrorFn &error);

/// Replaces ops that ONNX defines as functions (Celu, HardSwish,
/// NegativeLogLikelihoodLoss, ...) by their ONNX function bodies, except
/// those the compiler lowers directly.
mlir::LogicalResult expandFunctions(onnx::ModelProto &model,
                                    const ErrorFn &error);

/// Folds integer shape computations (Shape, Gather, Slice, Concat,
/// Unsqueeze, arithmetic ...) into Constant nodes, running ONNX shape
/// inference in between, so that reshape targets become static.
mlir::LogicalResult foldShapeSubgraphs(onnx::ModelProto &model,
                                       const ErrorFn &error);

/// The MLIR element type of an ONNX TensorProto::DataType, or null.
mlir::Type convertElementType(int32_t dataType, mlir::MLIRContext *ctx);

/// The ranked tensor type of an ONNX tensor TypeProto. Fails (with a message
/// through `error`) for non-tensor, unranked or absurd shapes, and for
/// symbolic dims unless `allowDynamic` (then they become dynamic dims: the
/// outputs of data-dependent ops, which lowering reports if unsupported).
mlir::FailureOr<mlir::RankedTensorType>
convertTensorType(const onnx::TypeProto &type, mlir::MLIRContext *ctx,
                  const std::string &valueName, const ErrorFn &error,
                  bool allowDynamic = false);

/// The constant value of an ONNX tensor (raw_data or typed fields).
mlir::FailureOr<mlir::ElementsAttr>
convertTensor(const onnx::TensorProto &tensor, mlir::MLIRContext *ctx,
              const ErrorFn &error);

/// Builds the ONNX-dialect module from a loaded model.
mlir::OwningOpRef<mlir::ModuleOp>
buildModule(const onnx::ModelProto &model, llvm::StringRef path,
            const ImportOptions &opts, mlir::MLIRContext &ctx);

} // namespace onnxc

#endif // ONNXCOMPILE_LIB_IMPORTER_IMPORTERINTERNAL_H
