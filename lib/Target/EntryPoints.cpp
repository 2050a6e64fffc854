//===- EntryPoints.cpp - NAME_run and NAME_workspace_size -----------------===//
//
// The lowered model is an internal function taking one bare pointer per
// input, output and the workspace. The public entry points of the C ABI are
// written directly in the LLVM dialect: NAME_run unpacks the caller's
// pointer arrays, checks for NULL, and calls it. For a GPU model that is
// NAME_run_device, between the CUDA shim's onnxc_cuda_begin and
// onnxc_cuda_end; NAME_run hands host buffers to the shim's
// onnxc_cuda_run_host, which copies them to the device and back around
// NAME_run_device.
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

Value i32Constant(OpBuilder &b, Location loc, int64_t value) {
  return LLVM::ConstantOp::create(b, loc, b.getI32Type(), value);
}

Value i64Constant(OpBuilder &b, Location loc, int64_t value) {
  return LLVM::ConstantOp::create(b, loc, b.getI64Type(), value);
}

/// Creates public `name`(ptr x numArgs) -> i32 returning 1 when one of the
/// pointers `required` says must be set is NULL; the builder is left in the
/// block where all are set.
LLVM::LLVMFuncOp createCheckedEntry(OpBuilder &b, Location loc,
                                    StringRef name, unsigned numArgs,
                                    ArrayRef<bool> required) {
  auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
  auto func = LLVM::LLVMFuncOp::create(
      b, loc, name,
      LLVM::LLVMFunctionType::get(b.getI32Type(),
                                  SmallVector<Type>(numArgs, ptrType)));
  Block *entry = func.addEntryBlock(b);
  Block *body = new Block(), *fail = new Block();
  func.getBody().push_back(body);
  func.getBody().push_back(fail);

  b.setInsertionPointToStart(entry);
  Value bad = LLVM::ConstantOp::create(b, loc, b.getI1Type(), int64_t(0));
  for (auto [arg, mustBeSet] : llvm::zip(entry->getArguments(), required))
    if (mustBeSet)
      bad = LLVM::OrOp::create(b, loc, bad, isNull(b, loc, arg));
  LLVM::CondBrOp::create(b, loc, bad, fail, ValueRange{}, body, ValueRange{});

  b.setInsertionPointToStart(fail);
  LLVM::ReturnOp::create(b, loc, i32Constant(b, loc, 1));
  b.setInsertionPointToStart(body);
  return func;
}

/// Declares external `name` : `type` once.
LLVM::LLVMFuncOp declareFunction(OpBuilder &b, ModuleOp module, StringRef name,
                                 LLVM::LLVMFunctionType type) {
  if (auto func = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return func;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  return LLVM::LLVMFuncOp::create(b, module.getLoc(), name, type);
}

/// Unpacks the pointer arrays and calls the lowered model; returns its
/// status (0 for models without data checks).
Value callImpl(OpBuilder &b, Location loc, LLVM::LLVMFuncOp impl,
               const ModelInterface &model, Value inputs, Value outputs,
               Value workspace) {
  SmallVector<Value> args;
  for (size_t i = 0; i < model.inputs.size(); ++i)
    args.push_back(loadPointer(b, loc, inputs, i));
  for (size_t i = 0; i < model.outputs.size(); ++i)
    args.push_back(loadPointer(b, loc, outputs, i));
  args.push_back(workspace);
  auto call = LLVM::CallOp::create(b, loc, impl, args);
  // Models with data checks return their status (lower-runtime-checks).
  return call.getNumResults() == 1 ? call.getResult() : i32Constant(b, loc, 0);
}

void buildRun(OpBuilder &b, Location loc, LLVM::LLVMFuncOp impl,
              const ModelInterface &model) {
  LLVM::LLVMFuncOp run = createCheckedEntry(
      b, loc, model.name + "_run", 3, {true, true, model.workspaceSize > 0});
  Value status =
      callImpl(b, loc, impl, model, run.getArgument(0), run.getArgument(1),
               run.getArgument(2));
  LLVM::ReturnOp::create(b, loc, status);
}

/// NAME_run_device(inputs, outputs, workspace, stream): device pointers,
/// enqueued on `stream`.
LLVM::LLVMFuncOp buildRunDevice(OpBuilder &b, ModuleOp module,
                                LLVM::LLVMFuncOp impl,
                                const ModelInterface &model) {
  Location loc = module.getLoc();
  auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
  auto i32 = b.getI32Type();
  LLVM::LLVMFuncOp begin = declareFunction(
      b, module, "onnxc_cuda_begin", LLVM::LLVMFunctionType::get(i32, ptrType));
  LLVM::LLVMFuncOp end = declareFunction(
      b, module, "onnxc_cuda_end", LLVM::LLVMFunctionType::get(i32, {}));
  LLVM::LLVMFuncOp run =
      createCheckedEntry(b, loc, model.name + "_run_device", 4,
                         {true, true, model.workspaceSize > 0, false});
  Block *started = new Block(), *failed = new Block();
  run.getBody().push_back(started);
  run.getBody().push_back(failed);
  failed->addArgument(i32, loc);
  Value status =
      LLVM::CallOp::create(b, loc, begin, ValueRange{run.getArgument(3)})
          .getResult();
  Value ok = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, status,
                                  i32Constant(b, loc, 0));
  LLVM::CondBrOp::create(b, loc, ok, started, ValueRange{}, failed,
                         ValueRange{status});
  b.setInsertionPointToStart(failed);
  LLVM::ReturnOp::create(b, loc, failed->getArgument(0));

  b.setInsertionPointToStart(started);
  (void)callImpl(b, loc, impl, model, run.getArgument(0), run.getArgument(1),
                 run.getArgument(2));
  LLVM::ReturnOp::create(b, loc, LLVM::CallOp::create(b, loc, end, ValueRange{})
                                     .getResult());
  return run;
}

/// A private constant i64 array global.
Value sizeTable(OpBuilder &b, ModuleOp module, StringRef name,
                ArrayRef<TensorInfo> tensors) {
  SmallVector<int64_t> sizes;
  for (const TensorInfo &tensor : tensors)
    sizes.push_back(tensor.sizeBytes());
  // An empty table still needs an address.
  if (sizes.empty())
    sizes.push_back(0);
  auto type = LLVM::LLVMArrayType::get(b.getI64Type(), sizes.size());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    LLVM::GlobalOp::create(b, module.getLoc(), type, /*isConstant=*/true,
                           LLVM::Linkage::Private, name,
                           b.getI64TensorAttr(sizes));
  }
  return LLVM::AddressOfOp::create(b, module.getLoc(),
                                   LLVM::LLVMPointerType::get(b.getContext()),
                                   name);
}

/// NAME_run(inputs, outputs, workspace) of a GPU model: host buffers,
/// through onnxc_cuda_run_host.
void buildRunHost(OpBuilder &b, ModuleOp module, LLVM::LLVMFuncOp runDevice,
                  const ModelInterface &model) {
  Location loc = module.getLoc();
  auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
  auto i64 = b.getI64Type();
  LLVM::LLVMFuncOp runHost = declareFunction(
      b, module, "onnxc_cuda_run_host",
      LLVM::LLVMFunctionType::get(b.getI32Type(),
                                  {ptrType, i64, ptrType, i64, ptrType, i64,
                                   i64, ptrType, ptrType, ptrType}));
  // The workspace may be NULL: the shim then allocates one on the device.
  LLVM::LLVMFuncOp run = createCheckedEntry(b, loc, model.name + "_run", 3,
                                            {true, true, false});
  Value device = LLVM::AddressOfOp::create(b, loc, ptrType,
                                           runDevice.getSymName());
  Value inputSizes =
      sizeTable(b, module, model.name + "_input_bytes", model.inputs);
  Value outputSizes =
      sizeTable(b, module, model.name + "_output_bytes", model.outputs);
  Value status =
      LLVM::CallOp::create(
          b, loc, runHost,
          ValueRange{device, i64Constant(b, loc, model.inputs.size()),
                     inputSizes, i64Constant(b, loc, model.outputs.size()),
                     outputSizes, i64Constant(b, loc, model.workspaceSize),
                     i64Constant(b, loc, model.statusOffset),
                     run.getArgument(0), run.getArgument(1),
                     run.getArgument(2)})
          .getResult();
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
  if (model.gpu && !llvm::isa<LLVM::LLVMVoidType>(resultType))
    return module.emitError("run-time data checks are not supported on the "
                            "GPU target");
  OpBuilder b(module.getContext());
  b.setInsertionPointToEnd(module.getBody());
  if (model.gpu) {
    LLVM::LLVMFuncOp runDevice = buildRunDevice(b, module, impl, model);
    b.setInsertionPointToEnd(module.getBody());
    buildRunHost(b, module, runDevice, model);
  } else {
    buildRun(b, module.getLoc(), impl, model);
  }
  b.setInsertionPointToEnd(module.getBody());
  buildWorkspaceSize(b, module.getLoc(), model);
  return success();
}

} // namespace onnxc
