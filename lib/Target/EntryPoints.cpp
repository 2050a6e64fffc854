//===- EntryPoints.cpp - NAME_run and NAME_workspace_size -----------------===//
//
// The lowered model is an internal function taking one bare pointer per
// input, output and the workspace. The public entry points of the C ABI are
// written directly in the LLVM dialect: NAME_run unpacks the caller's
// pointer arrays, checks for NULL, and calls it.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Target/ModelInterface.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace onnxc {
namespace {

/// Loads element `index` of an array of pointers.
Value loadPointer(OpBuilder &b, Location loc, Value array, int64_t index) {
  auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
  Value address = LLVM::GEPOp::create(b, loc, ptrType, ptrType, array,
                                      ArrayRef<LLVM::GEPArg>{int32_t(index)});
  return LLVM::LoadOp::create(b, loc, ptrType, address);
}

Value isNull(OpBuilder &b, Location loc, Value pointer) {
  Value null = LLVM::ZeroOp::create(b, loc, pointer.getType());
  return LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, pointer, null);
}

void buildRun(OpBuilder &b, Location loc, LLVM::LLVMFuncOp impl,
              const ModelInterface &model) {
  MLIRContext *ctx = b.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  auto i32 = IntegerType::get(ctx, 32);
  auto run = LLVM::LLVMFuncOp::create(
      b, loc, model.name + "_run",
      LLVM::LLVMFunctionType::get(i32, {ptrType, ptrType, ptrType}));
  Block *entry = run.addEntryBlock(b);
  Block *body = new Block(), *fail = new Block();
  run.getBody().push_back(body);
  run.getBody().push_back(fail);
  Value inputs = entry->getArgument(0), outputs = entry->getArgument(1),
        workspace = entry->getArgument(2);

  b.setInsertionPointToStart(entry);
  Value bad = LLVM::OrOp::create(b, loc, isNull(b, loc, inputs),
                                 isNull(b, loc, outputs));
  if (model.workspaceSize > 0)
    bad = LLVM::OrOp::create(b, loc, bad, isNull(b, loc, workspace));
  LLVM::CondBrOp::create(b, loc, bad, fail, ValueRange{}, body, ValueRange{});

  b.setInsertionPointToStart(fail);
  LLVM::ReturnOp::create(
      b, loc, Value(LLVM::ConstantOp::create(b, loc, i32, int64_t(1))));

  b.setInsertionPointToStart(body);
  SmallVector<Value> args;
  for (size_t i = 0; i < model.inputs.size(); ++i)
    args.push_back(loadPointer(b, loc, inputs, i));
  for (size_t i = 0; i < model.outputs.size(); ++i)
    args.push_back(loadPointer(b, loc, outputs, i));
  args.push_back(workspace);
  auto call = LLVM::CallOp::create(b, loc, impl, args);
  // Models with data checks return their status (lower-runtime-checks).
  Value status = call.getNumResults() == 1
                     ? call.getResult()
                     : Value(LLVM::ConstantOp::create(b, loc, i32, int64_t(0)));
  LLVM::ReturnOp::create(b, loc, status);
}

void buildWorkspaceSize(OpBuilder &b, Location loc,
                        const ModelInterface &model) {
  auto i64 = IntegerType::get(b.getContext(), 64);
  auto func = LLVM::LLVMFuncOp::create(b, loc, model.name + "_workspace_size",
                                       LLVM::LLVMFunctionType::get(i64, {}));
  Block *entry = func.addEntryBlock(b);
  b.setInsertionPointToStart(entry);
  LLVM::ReturnOp::create(
      b, loc,
      Value(LLVM::ConstantOp::create(b, loc, i64, model.workspaceSize)));
}

} // namespace

LogicalResult addEntryPoints(ModuleOp module, StringRef implName,
                             const ModelInterface &model) {
  auto impl = module.lookupSymbol<LLVM::LLVMFuncOp>(implName);
  size_t expected = model.inputs.size() + model.outputs.size() + 1;
  auto resultType = impl ? impl.getFunctionType().getReturnType() : Type();
  bool validResult = resultType && (llvm::isa<LLVM::LLVMVoidType>(resultType) ||
                                    resultType.isInteger(32));
  if (!impl || impl.getNumArguments() != expected || !validResult)
    return module.emitError() << "the lowered model function '" << implName
                              << "' is missing or has an unexpected signature";
  // Only the entry points are visible outside the object.
  impl.setLinkage(LLVM::Linkage::Internal);
  OpBuilder b(module.getContext());
  b.setInsertionPointToEnd(module.getBody());
  buildRun(b, module.getLoc(), impl, model);
  b.setInsertionPointToEnd(module.getBody());
  buildWorkspaceSize(b, module.getLoc(), model);
  return success();
}

} // namespace onnxc
