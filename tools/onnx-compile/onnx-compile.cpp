//===- onnx-compile.cpp - The ahead-of-time ONNX compiler driver ----------===//
//
//   onnx-compile MODEL.onnx -o OUT.o [-target=...] [-mcpu=...] [-O0..-O3]
//                [-name=IDENT] [-shape=INPUT:1x3x224x224]...
//                [-emit=obj|asm|llvm|onnx|linalg|header]
//
// Writes OUT.o and OUT.h (the C ABI of docs/c-abi.md). Every failure is one
// "error:" line on stderr, exit status 1, and no output file left behind.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Importer/Importer.h"
#include "OnnxCompile/Pipeline/Pipeline.h"
#include "OnnxCompile/Target/ModelInterface.h"
#include "OnnxCompile/Target/Target.h"
#include "OnnxCompile/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/AsmState.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

enum class Emit { Obj, Asm, LLVMIR, ONNX, Linalg, Header };

cl::OptionCategory category("onnx-compile options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output file (model.o also "
                                              "writes model.h beside it)"),
                                cl::value_desc("file"), cl::cat(category));
cl::opt<std::string>
    targetName("target",
               cl::desc("Target: x86_64, aarch64, riscv64, armv7em, "
                        "nvptx64 (an NVIDIA GPU; default: the host)"),
               cl::cat(category));
cl::opt<std::string> cpuName("mcpu", cl::desc("Target CPU (default: the "
                                              "host's CPU for the host, "
                                              "generic otherwise); for "
                                              "nvptx64 the GPU: sm_80 "
                                              "(default), sm_90, ..."),
                             cl::cat(category));
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3 (default 2)"),
                           cl::Prefix, cl::init(2), cl::cat(category));
cl::opt<std::string> modelName("name",
                               cl::desc("C identifier prefix of the entry "
                                        "points (default: the output's stem)"),
                               cl::cat(category));
cl::list<std::string>
    shapes("shape",
           cl::desc("Fix the shape of an input: NAME:1x3x224x224 (repeatable)"),
           cl::cat(category));
cl::opt<bool> printMemoryPlan(
    "print-memory-plan",
    cl::desc("Print the workspace plan (every buffer's offset, size, "
             "lifetime and node) and its lower bound to stdout"),
    cl::cat(category));
cl::opt<bool> noLibm("no-libm",
                     cl::desc("Compute transcendentals with polynomial "
                              "approximations: the object needs no libm"),
                     cl::cat(category));
cl::opt<bool> parallelHook(
    "parallel",
    cl::desc("Split large loops through the onnxc_parallel_for hook, which "
             "runs serially unless the runtime's thread pool is linked "
             "(default: on for 64-bit targets with an OS; "
             "-parallel=false turns it off)"),
    cl::init(true), cl::cat(category));
cl::opt<bool> gpuMappingOnCPU(
    "gpu-mapping-on-cpu",
    cl::desc("Testing: compile for the CPU with the nvptx64 target's loop "
             "mapping (every block and thread run in order)"),
    cl::Hidden, cl::cat(category));
cl::opt<std::string>
    weightsSection("weights-section",
                   cl::desc("Object-file section of the weights (default: "
                            "read-only data)"),
                   cl::value_desc("name"), cl::cat(category));
cl::opt<std::string> cudaPath(
    "cuda-path",
    cl::desc("CUDA toolkit for -target=nvptx64: nvvm/libdevice for the math "
             "functions, and bin/ptxas and bin/fatbinary, with which the "
             "object embeds cubin besides the PTX (default: $CUDA_PATH, "
             "else /usr/local/cuda)"),
    cl::value_desc("dir"), cl::cat(category));
cl::opt<Emit> emitKind(
    "emit", cl::desc("What to write"), cl::init(Emit::Obj),
    cl::values(clEnumValN(Emit::Obj, "obj", "object file + C header"),
               clEnumValN(Emit::Asm, "asm",
                          "assembly (for nvptx64: the kernels' PTX)"),
               clEnumValN(Emit::LLVMIR, "llvm", "LLVM IR"),
               clEnumValN(Emit::ONNX, "onnx", "MLIR after import"),
               clEnumValN(Emit::Linalg, "linalg", "MLIR after lowering to linalg"),
               clEnumValN(Emit::Header, "header", "the C header only")),
    cl::cat(category));

/// Prints the first error as one line: "error: FILE: node 'NAME': message".
/// Later errors (consequences of the first) and notes are dropped.
class OneLineDiagnostics {
public:
  explicit OneLineDiagnostics(MLIRContext &ctx)
      : handler(&ctx, [this](Diagnostic &diag) { return report(diag); }) {}

  bool hadError() const { return errors > 0; }

private:
  static void describe(Location loc, llvm::raw_ostream &os) {
    if (auto name = llvm::dyn_cast<NameLoc>(loc)) {
      describe(name.getChildLoc(), os);
      os << "node '" << name.getName().getValue() << "': ";
    } else if (auto file = llvm::dyn_cast<FileLineColLoc>(loc)) {
      os << file.getFilename().getValue() << ": ";
    } else if (auto fused = llvm::dyn_cast<FusedLoc>(loc)) {
      if (!fused.getLocations().empty())
        describe(fused.getLocations().front(), os);
    }
  }

  LogicalResult report(Diagnostic &diag) {
    if (diag.getSeverity() != DiagnosticSeverity::Error)
      return success();
    if (errors++ == 0) {
      llvm::errs() << "onnx-compile: error: ";
      describe(diag.getLocation(), llvm::errs());
      std::string message = diag.str();
      for (char &c : message)
        if (c == '\n')
          c = ' ';
      llvm::errs() << message << "\n";
    }
    return success();
  }

  ScopedDiagnosticHandler handler;
  unsigned errors = 0;
};

int fail(const llvm::Twine &message) {
  llvm::errs() << "onnx-compile: error: " << message << "\n";
  return 1;
}

std::string defaultOutput() {
  llvm::SmallString<256> path(llvm::sys::path::filename(inputFile));
  llvm::sys::path::replace_extension(path, ".o");
  return std::string(path);
}

bool isTextOutput() { return emitKind != Emit::Obj; }

/// Writes `text` to `path` ("-" is stdout); the file only appears on success.
bool writeFile(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::ToolOutputFile file(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    fail("cannot write '" + path + "': " + ec.message());
    return false;
  }
  file.os() << text;
  file.keep();
  return true;
}

std::string print(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  op->print(os);
  return text;
}

/// With -no-libm the object may need only the C library's memory functions
/// and the compiler's own runtime helpers (__aeabi_*, __udivdi3...), which
/// every C compiler links: LLVM may still call libm for an operation it has
/// no instruction for on this CPU (floorf on a Cortex-M4, say).
bool checkNoLibm(llvm::StringRef object) {
  std::vector<std::string> undefined;
  std::string error;
  if (!onnxc::undefinedSymbols(object, undefined, error)) {
    fail("cannot read the emitted object: " + error);
    return false;
  }
  for (const std::string &name : undefined) {
    llvm::StringRef symbol(name);
    if (symbol == "memcpy" || symbol == "memset" || symbol == "memmove" ||
        symbol.starts_with("__"))
      continue;
    fail(inputFile + ": -no-libm: the object still calls '" + symbol +
         "' on this target");
    return false;
  }
  return true;
}

/// The CUDA toolkit directory: -cuda-path, $CUDA_PATH or /usr/local/cuda.
std::string cudaToolkit() {
  if (!cudaPath.empty())
    return cudaPath;
  if (const char *env = std::getenv("CUDA_PATH"))
    if (*env)
      return env;
  return "/usr/local/cuda";
}

/// CUDA's libdevice in `toolkit`: the GPU's math functions (expf, tanhf...)
/// are linked from it.
bool hasLibdevice(llvm::StringRef toolkit) {
  llvm::SmallString<256> path(toolkit);
  llvm::sys::path::append(path, "nvvm", "libdevice", "libdevice.10.bc");
  return llvm::sys::fs::exists(path);
}

/// Whether `toolkit` can assemble cubin and bundle it with the PTX.
bool canAssembleCubin(llvm::StringRef toolkit) {
  for (const char *tool : {"ptxas", "fatbinary"}) {
    llvm::SmallString<256> path(toolkit);
    llvm::sys::path::append(path, "bin", tool);
    if (!llvm::sys::fs::can_execute(path))
      return false;
  }
  return true;
}

/// The PTX of every gpu.binary in `module` (compiled with format=isa).
std::string kernelAssembly(ModuleOp module) {
  std::string text;
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute object : binary.getObjects())
      if (auto gpuObject = llvm::dyn_cast<gpu::ObjectAttr>(object))
        text += gpuObject.getObject().getValue().str();
  });
  return text;
}

int compile() {
  if (optLevel > 3)
    return fail("-O" + llvm::Twine(optLevel) + " is not a level; use -O0..-O3");
  onnxc::TargetSpec target;
  std::string error;
  if (!onnxc::resolveTarget(targetName, cpuName, target, error))
    return fail(error);

  onnxc::ImportOptions importOptions;
  for (const std::string &spec : shapes) {
    std::string name;
    std::vector<int64_t> dims;
    if (!onnxc::parseShapeOption(spec, name, dims))
      return fail("bad -shape '" + spec + "'; expected NAME:1x3x224x224");
    importOptions.inputShapes.push_back({name, dims});
  }
  std::string output = outputFile.empty()
                           ? (isTextOutput() ? "-" : defaultOutput())
                           : outputFile.getValue();
  std::string name = modelName.empty()
                         ? onnxc::toCIdentifier(llvm::sys::path::stem(
                               output == "-" ? inputFile : output))
                         : modelName.getValue();
  if (name != onnxc::toCIdentifier(name))
    return fail("-name='" + name + "' is not a C identifier");

  DialectRegistry registry;
  onnxc::registerAllCompilerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  OneLineDiagnostics diagnostics(context);

  OwningOpRef<ModuleOp> module =
      onnxc::importONNXModel(inputFile, context, importOptions);
  if (!module)
    return 1;
  if (emitKind == Emit::ONNX)
    return writeFile(output, print(*module)) ? 0 : 1;

  auto func = *module->getOps<func::FuncOp>().begin();
  std::string implName = func.getName().str();
  FailureOr<onnxc::ModelInterface> model =
      onnxc::collectInterface(func, name, llvm::sys::path::filename(inputFile));
  if (failed(model))
    return 1;

  PassManager toLinalg(&context);
  if (failed(applyPassManagerCLOptions(toLinalg)))
    return 1;
  onnxc::buildONNXToLinalgPipeline(toLinalg);
  if (failed(toLinalg.run(*module)))
    return diagnostics.hadError() ? 1 : fail("lowering to linalg failed");
  if (emitKind == Emit::Linalg)
    return writeFile(output, print(*module)) ? 0 : 1;

  PassManager toLLVM(&context);
  if (failed(applyPassManagerCLOptions(toLLVM)))
    return 1;
  std::unique_ptr<llvm::TargetMachine> machine =
      onnxc::createTargetMachine(target, optLevel, error);
  if (!machine)
    return fail(error);
  if (target.isGPU()) {
    if (noLibm)
      return fail("-no-libm is for firmware; it does not apply to nvptx64");
    std::string toolkit = cudaToolkit();
    if (!hasLibdevice(toolkit))
      return fail("-target=nvptx64 needs CUDA's libdevice: no "
                  "nvvm/libdevice/libdevice.10.bc under '" + toolkit +
                  "' (set -cuda-path or CUDA_PATH)");
    onnxc::LinalgToGPUOptions lowering;
    lowering.printMemoryPlan = printMemoryPlan;
    lowering.chip = target.gpuChip;
    lowering.cudaPath = toolkit;
    // cubin with the PTX as the driver's fallback, when CUDA's assembler is
    // there; -emit=asm wants the PTX itself.
    lowering.format =
        emitKind != Emit::Asm && canAssembleCubin(toolkit) ? "fatbin" : "isa";
    onnxc::buildLinalgToGPUPipeline(toLLVM, lowering);
    model->gpu = true;
  } else {
    onnxc::ContractionTile tile = onnxc::contractionTile(*machine);
    onnxc::LinalgToLLVMOptions lowering;
    lowering.printMemoryPlan = printMemoryPlan;
    lowering.noLibm = noLibm;
    lowering.vectorLanes = tile.lanes;
    lowering.tileRows = tile.rows;
    lowering.fusedFMA = tile.fusedFMA;
    lowering.maskedLoads = tile.maskedLoads;
    lowering.prefetchDistance = tile.prefetchDistance;
    bool bareMetal = target.triple.getOS() == llvm::Triple::UnknownOS;
    // Bare-metal firmware has no threads to hand loops to.
    lowering.parallel =
        parallelHook && target.triple.isArch64Bit() && !bareMetal;
    lowering.gpuMapping = gpuMappingOnCPU;
    // Firmware keeps the smallest workspace; elsewhere a little more of it
    // buys one pass over memory less per activation.
    lowering.epilogueLifetimes = !bareMetal;
    onnxc::buildLinalgToLLVMPipeline(toLLVM, lowering);
  }
  // The workspace size is known once buffers are planned, before LLVM.
  if (failed(toLLVM.run(*module)))
    return diagnostics.hadError() ? 1 : fail("lowering to LLVM failed");
  Operation *impl = module->lookupSymbol(implName);
  auto size = impl ? impl->getAttrOfType<IntegerAttr>(onnxc::kWorkspaceSizeAttr)
                   : IntegerAttr();
  if (!size)
    return fail("internal error: the workspace was not planned");
  model->workspaceSize = size.getInt();
  if (auto status = impl->getAttrOfType<IntegerAttr>(onnxc::kStatusOffsetAttr))
    model->statusOffset = status.getInt();
  if (target.isGPU() && emitKind == Emit::Asm)
    return writeFile(output, kernelAssembly(*module)) ? 0 : 1;
  if (emitKind == Emit::Header) {
    std::string header;
    llvm::raw_string_ostream os(header);
    onnxc::emitHeader(*model, os);
    return writeFile(output, header) ? 0 : 1;
  }
  if (failed(onnxc::addEntryPoints(*module, implName, *model)))
    return 1;

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, name);
  if (!llvmModule)
    return diagnostics.hadError() ? 1 : fail("translation to LLVM IR failed");
  if (!weightsSection.empty())
    onnxc::placeWeights(*llvmModule, weightsSection);
  onnxc::optimizeModule(*llvmModule, *machine, optLevel);
  if (emitKind == Emit::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    return writeFile(output, text) ? 0 : 1;
  }

  llvm::SmallString<0> code;
  llvm::raw_svector_ostream codeStream(code);
  if (!onnxc::emitCode(*llvmModule, *machine, emitKind == Emit::Asm,
                       codeStream, error))
    return fail(error);
  if (noLibm && emitKind == Emit::Obj && !checkNoLibm(code))
    return 1;
  std::error_code ec;
  llvm::ToolOutputFile object(output, ec, llvm::sys::fs::OF_None);
  if (ec)
    return fail("cannot write '" + output + "': " + ec.message());
  object.os() << code;
  if (emitKind == Emit::Obj) {
    llvm::SmallString<256> headerPath(output);
    llvm::sys::path::replace_extension(headerPath, ".h");
    std::string header;
    llvm::raw_string_ostream os(header);
    onnxc::emitHeader(*model, os);
    if (!writeFile(headerPath, header))
      return 1;
  }
  object.keep();
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // MLIR's printing, context and pass-manager options (-mlir-print-*,
  // -mlir-timing, ...) are available, but not listed in --help.
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "onnx-compile: compile an ONNX model ahead of time into a native "
      "object file and a C header\n\n"
      "  onnx-compile model.onnx -o model.o     # writes model.o + model.h\n"
      "  cc app.c model.o -o app\n");
  return compile();
}
