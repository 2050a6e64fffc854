//===- ONNXToLinalgPass.cpp - The convert-onnx-to-linalg pass -------------===//

#include "OnnxCompile/Conversion/ONNXToLinalg/ONNXToLinalg.h"
#include "OnnxCompile/Conversion/Passes.h"
#include "OnnxCompile/Dialect/ONNX/IR/ONNXOps.h"

#include "mlir/Dialect/Func/Transforms/FuncConversions.h"

namespace onnxc {
#define GEN_PASS_DEF_CONVERTONNXTOLINALG
#include "OnnxCompile/Conversion/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

struct ConvertONNXToLinalgPass
    : impl::ConvertONNXToLinalgBase<ConvertONNXToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ONNXTypeConverter converter;
    RewritePatternSet patterns(ctx);
    populateElementwisePatterns(converter, patterns);
    populateMatMulPatterns(converter, patterns);
    populateConvPatterns(converter, patterns);
    populatePoolingPatterns(converter, patterns);
    populateReductionPatterns(converter, patterns);
    populateNormalizationPatterns(converter, patterns);
    populateDataMovementPatterns(converter, patterns);
    populateConstantPatterns(converter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);

    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect, complex::ComplexDialect,
                           linalg::LinalgDialect, math::MathDialect,
                           scf::SCFDialect, tensor::TensorDialect>();
    target.addIllegalDialect<ONNXDialect>();
    // Absent optional values have no lowering of their own; they die with
    // their users and are erased below.
    target.addLegalOp<ONNXNoValueOp>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType());
    });
    target.addDynamicallyLegalOp<func::ReturnOp>(
        [&](func::ReturnOp op) { return converter.isLegal(op); });

    // A failed legalization names the op; add the last reason a pattern
    // gave for not matching it, which says what is unsupported.
    std::string lastReason;
    ConversionConfig config;
    auto remember = [&](Diagnostic &diag) { lastReason = diag.str(); };
    config.notifyCallback = remember;
    LogicalResult result = success();
    {
      ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
        std::string message = diag.str();
        if (diag.getSeverity() != DiagnosticSeverity::Error ||
            !llvm::StringRef(message).starts_with("failed to legalize"))
          return failure(); // Not ours: let it through.
        StringRef opName = llvm::StringRef(message).split('\'').second.split(
                                                                  '\'').first;
        InFlightDiagnostic error = emitError(diag.getLocation())
                                   << "operator '"
                                   << opName.drop_front(strlen("onnx."))
                                   << "' cannot be compiled";
        if (!lastReason.empty())
          error << ": " << lastReason;
        return success();
      });
      result = applyPartialConversion(getOperation(), target,
                                      std::move(patterns), config);
    }
    if (failed(result))
      return signalPassFailure();
    getOperation().walk([](ONNXNoValueOp op) {
      if (op->use_empty())
        op->erase();
    });
    // Graph inputs belong to the caller and are read-only: bufferization
    // must never write into them.
    getOperation().walk([](func::FuncOp func) {
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.setArgAttr(i, "bufferization.writable",
                        BoolAttr::get(func.getContext(), false));
    });
  }
};

} // namespace
} // namespace onnxc
