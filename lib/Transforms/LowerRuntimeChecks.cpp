//===- LowerRuntimeChecks.cpp - cf.assert to the model's status -----------===//
//
// Checks of input data (emitted by lowerings as cf.assert) become an i32
// status the model function returns: a compiled model reports bad data to
// its caller instead of aborting.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace onnxc {
#define GEN_PASS_DEF_LOWERRUNTIMECHECKS
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

struct LowerRuntimeChecksPass
    : impl::LowerRuntimeChecksBase<LowerRuntimeChecksPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<cf::AssertOp> checks;
    func.walk([&](cf::AssertOp check) { checks.push_back(check); });
    if (checks.empty())
      return;
    if (!func.getBody().hasOneBlock() ||
        llvm::any_of(checks, [&](cf::AssertOp check) {
          return check->getParentOp() != func;
        })) {
      func.emitError("lower-runtime-checks needs every check at the top "
                     "level of a single-block function");
      return signalPassFailure();
    }
    // Every check precedes the return in the one block, so their conditions
    // dominate it: combine them there.
    auto ret = llvm::cast<func::ReturnOp>(func.front().getTerminator());
    OpBuilder b(ret);
    Location loc = func.getLoc();
    Value ok = checks.front().getArg();
    for (cf::AssertOp check : llvm::drop_begin(checks))
      ok = arith::AndIOp::create(b, loc, ok, check.getArg());
    Type i32 = b.getI32Type();
    Value status = arith::SelectOp::create(
        b, loc, ok, arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)),
        arith::ConstantOp::create(b, loc,
                                  b.getI32IntegerAttr(kStatusDataMismatch)));
    SmallVector<Value> results(ret.getOperands());
    results.push_back(status);
    func::ReturnOp::create(b, ret.getLoc(), results);
    ret.erase();
    for (cf::AssertOp check : checks)
      check.erase();
    SmallVector<Type> resultTypes(func.getResultTypes());
    resultTypes.push_back(i32);
    func.setFunctionType(
        b.getFunctionType(func.getArgumentTypes(), resultTypes));
  }
};

} // namespace
} // namespace onnxc
