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
  /// Fails with an error on the first ONNX op that no pattern lowers.
  LogicalResult checkEveryOpHasPattern(RewritePatternSet &patterns) {
    llvm::DenseSet<OperationName> lowered;
    for (const auto &pattern : patterns.getNativePatterns())
      if (std::optional<OperationName> root = pattern->getRootKind())
        lowered.insert(*root);
    WalkResult walk = getOperation().walk([&](Operation *op) {
      if (!llvm::isa<ONNXDialect>(op->getDialect()) ||
          llvm::isa<ONNXNoValueOp>(op) || lowered.contains(op->getName()))
        return WalkResult::advance();
      StringRef name = op->getName().getStringRef();
      name.consume_front("onnx.");
      op->emitError() << "operator '" << name
                      << "' is not supported by the compiler yet";
      return WalkResult::interrupt();
    });
    return failure(walk.wasInterrupted());
  }

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ONNXTypeConverter converter;
    RewritePatternSet patterns(ctx);
    populateElementwisePatterns(converter, patterns);
    populateActivationPatterns(converter, patterns);
    populateIndexingPatterns(converter, patterns);
    populateMatMulPatterns(converter, patterns);
    populateConvPatterns(converter, patterns);
    populatePoolingPatterns(converter, patterns);
    populateReductionPatterns(converter, patterns);
    populateResizePatterns(converter, patterns);
    populateGridSamplePatterns(converter, patterns);
    populateRoiAlignPatterns(converter, patterns);
    populateEinsumPatterns(converter, patterns);
    populateDetPatterns(converter, patterns);
    populateScatterPatterns(converter, patterns);
    populateQuantizationPatterns(converter, patterns);
    populateNormalizationPatterns(converter, patterns);
    populateRecurrentPatterns(converter, patterns);
    populateDataMovementPatterns(converter, patterns);
    populateConstantPatterns(converter, patterns);
    populateDataDependentPatterns(converter, patterns);
    populateSpectralPatterns(converter, patterns);
    populateTfIdfPatterns(converter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);

    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect,
                           bufferization::BufferizationDialect,
                           cf::ControlFlowDialect, complex::ComplexDialect,
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

    // An op without any lowering pattern is reported up front; an op whose
    // pattern fails reports its own reason (see `unsupported`), after which
    // the framework's generic "failed to legalize" error adds nothing.
    if (failed(checkEveryOpHasPattern(patterns)))
      return signalPassFailure();
    LogicalResult result = success();
    {
      ScopedDiagnosticHandler dropGeneric(ctx, [](Diagnostic &diag) {
        return success(diag.getSeverity() == DiagnosticSeverity::Error &&
                       llvm::StringRef(diag.str()).starts_with(
                           "failed to legalize operation"));
      });
      result = applyPartialConversion(getOperation(), target,
                                      std::move(patterns));
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
