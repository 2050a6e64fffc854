//===- Window.h - Sliding-window helpers for Conv and pooling ---*- C++ -*-===//

#ifndef ONNXCOMPILE_LIB_CONVERSION_ONNXTOLINALG_WINDOW_H
#define ONNXCOMPILE_LIB_CONVERSION_ONNXTOLINALG_WINDOW_H

#include "Common.h"

namespace onnxc {

/// The geometry of a sliding window over the spatial dims (all but the first
/// two) of an NC... tensor.
struct Window {
  llvm::SmallVector<int64_t> kernel, strides, dilations;
  llvm::SmallVector<int64_t> padBegin, padEnd;
  /// Padding past padEnd that ceil_mode needs for the last window; it never
  /// counts as part of the input.
  llvm::SmallVector<int64_t> extraEnd;
};

/// The integers of an optional array attribute, or `size` copies of
/// `fallback` when it is absent or empty.
llvm::SmallVector<int64_t> intsOr(mlir::ArrayAttr attr, size_t size,
                                  int64_t fallback);

/// Computes the window from ONNX attributes. `input` and `output` are the
/// full NC... shapes; the output shape comes from ONNX shape inference.
mlir::FailureOr<Window>
computeWindow(llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> output,
              llvm::ArrayRef<int64_t> kernel, mlir::ArrayAttr strides,
              mlir::ArrayAttr dilations, mlir::ArrayAttr pads,
              llvm::StringRef autoPad);

/// Pads the spatial dims of `value` (low `begin`, high `end`) with `padValue`.
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value value, llvm::ArrayRef<int64_t> begin,
                       llvm::ArrayRef<int64_t> end, mlir::Value padValue);

/// The affine expressions out_i * stride_i + k_i * dilation_i that read the
/// padded input, given the iteration dims of the outputs and the kernel.
llvm::SmallVector<mlir::AffineExpr>
windowExprs(mlir::MLIRContext *ctx, const Window &window,
            unsigned firstOutputDim, unsigned firstKernelDim);

/// The attributes Conv, ConvInteger and QLinearConv share.
struct ConvAttributes {
  mlir::ArrayAttr strides, dilations, pads;
  llvm::StringRef autoPad;
  int64_t group = 1;
};

/// An N-D (grouped) convolution of `input` with `weight` into `resultType`,
/// plus `bias` if given: float, or integer (accumulating in the result's
/// type, with operands already widened to it). Reports unsupported cases
/// on `op`.
mlir::FailureOr<mlir::Value>
buildConvolution(mlir::OpBuilder &b, mlir::Location loc, mlir::Operation *op,
                 mlir::Value input, mlir::Value weight, mlir::Value bias,
                 mlir::RankedTensorType resultType,
                 const ConvAttributes &attrs);

} // namespace onnxc

#endif // ONNXCOMPILE_LIB_CONVERSION_ONNXTOLINALG_WINDOW_H
