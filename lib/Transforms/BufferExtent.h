//===- BufferExtent.h - Where a dense buffer lives --------------*- C++ -*-===//

#ifndef ONNXCOMPILE_LIB_TRANSFORMS_BUFFEREXTENT_H
#define ONNXCOMPILE_LIB_TRANSFORMS_BUFFEREXTENT_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace onnxc {

/// A byte range of a base buffer.
struct BufferExtent {
  /// A function argument (a model input or output, the workspace), a
  /// global, or a value not seen through.
  mlir::Value base;
  int64_t offset = 0, bytes = 0;
};

/// Where the dense buffer `buffer` (static shape, identity layout) lives,
/// seen through reshapes, reinterpret_casts between dense layouts and
/// views at constant offsets (of the workspace). Nothing when it is not
/// dense or a view's offset is not constant.
std::optional<BufferExtent> bufferExtent(mlir::Value buffer);

/// A box of a buffer: the elements [offsets, offsets + sizes).
struct Box {
  llvm::SmallVector<int64_t> offsets, sizes;
};

/// The box `subview` takes of its source, when it is static, unit-stride
/// and of the source's rank (a pad's interior, a Concat's slice).
std::optional<Box> boxOf(mlir::memref::SubViewOp subview);

/// The buffer that `view` is such a static subview of, with its box.
std::optional<std::pair<mlir::Value, Box>> boxInSource(mlir::Value view);

} // namespace onnxc

#endif // ONNXCOMPILE_LIB_TRANSFORMS_BUFFEREXTENT_H
