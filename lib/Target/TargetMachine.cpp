//===- TargetMachine.cpp - Targets, LLVM optimization, object emission ----===//
//
// Code generation runs in-process through LLVM's TargetMachine: no external
// llc, clang or linker is involved in producing the object.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Target/Target.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

namespace onnxc {

llvm::StringRef supportedTargets() {
  return "x86_64, aarch64, riscv64, armv7em, nvptx64";
}

/// sm_NN or sm_NNa/f, with NN at least 50 (MLIR's NVVM target's oldest).
static bool isGPUChip(llvm::StringRef chip) {
  llvm::StringRef digits = chip;
  if (!digits.consume_front("sm_"))
    return false;
  if (digits.ends_with("a") || digits.ends_with("f"))
    digits = digits.drop_back();
  unsigned number;
  return !digits.getAsInteger(10, number) && number >= 50 && number < 1000;
}

bool resolveTarget(llvm::StringRef name, llvm::StringRef cpu,
                   TargetSpec &spec, std::string &error) {
  spec = TargetSpec();
  spec.name = name.str();
  spec.cpu = cpu.str();
  if (name.empty() || name == "host" || name == "native") {
    spec.name = "host";
    spec.triple = llvm::Triple(llvm::sys::getDefaultTargetTriple());
    if (spec.cpu.empty() || spec.cpu == "native") {
      spec.cpu = llvm::sys::getHostCPUName().str();
      std::string features;
      for (const auto &[feature, enabled] : llvm::sys::getHostCPUFeatures())
        features += (enabled ? "+" : "-") + feature.str() + ",";
      spec.features = features;
    }
    return true;
  }
  if (name == "x86_64") {
    spec.triple = llvm::Triple("x86_64-unknown-linux-gnu");
    if (spec.cpu.empty())
      spec.cpu = "x86-64";
  } else if (name == "aarch64") {
    spec.triple = llvm::Triple("aarch64-unknown-linux-gnu");
    if (spec.cpu.empty())
      spec.cpu = "generic";
  } else if (name == "riscv64") {
    spec.triple = llvm::Triple("riscv64-unknown-linux-gnu");
    if (spec.cpu.empty())
      spec.cpu = "generic-rv64";
    // RV64GC with the lp64d ABI, as Debian's riscv64 userland expects.
    spec.features = "+m,+a,+f,+d,+c";
    spec.abi = "lp64d";
  } else if (name == "nvptx64") {
    // Kernels for the GPU, host code for this machine's architecture (any
    // CPU of it: the host code only launches kernels).
    spec.gpuChip = spec.cpu.empty() ? "sm_80" : spec.cpu;
    if (!isGPUChip(spec.gpuChip)) {
      error = "-mcpu='" + spec.gpuChip +
              "' is not an NVIDIA GPU architecture; expected sm_NN (sm_80, "
              "sm_90, ...)";
      return false;
    }
    spec.triple = llvm::Triple(llvm::sys::getDefaultTargetTriple());
    spec.cpu = spec.triple.isX86() ? "x86-64" : "generic";
  } else if (name == "armv7em") {
    spec.triple = llvm::Triple("thumbv7em-none-eabihf");
    if (spec.cpu.empty())
      spec.cpu = "cortex-m7";
  } else {
    error = "unknown target '" + name.str() + "'; supported: " +
            supportedTargets().str();
    return false;
  }
  return true;
}

static void initializeTargets() {
  static bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;
}

std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const TargetSpec &spec, unsigned optLevel,
                    std::string &error) {
  initializeTargets();
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(spec.triple, error);
  if (!target)
    return nullptr;
  llvm::TargetOptions options;
  options.MCOptions.ABIName = spec.abi;
  if (spec.triple.isARM() || spec.triple.isThumb())
    options.FloatABIType =
        spec.hardFloat ? llvm::FloatABI::Hard : llvm::FloatABI::Soft;
  llvm::CodeGenOptLevel level = optLevel == 0   ? llvm::CodeGenOptLevel::None
                                : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                : llvm::CodeGenOptLevel::Aggressive;
  // Position-independent code links into executables and shared libraries
  // alike; bare-metal firmware has neither a GOT nor a loader, so absolute
  // addresses there.
  llvm::Reloc::Model reloc = spec.triple.getOS() == llvm::Triple::UnknownOS
                                 ? llvm::Reloc::Static
                                 : llvm::Reloc::PIC_;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      spec.triple, spec.cpu, spec.features, options, reloc, std::nullopt,
      level));
  if (!machine) {
    error = "cannot create a target machine for " + spec.triple.str();
    return nullptr;
  }
  return machine;
}

ContractionTile contractionTile(const llvm::TargetMachine &machine) {
  const llvm::Triple &triple = machine.getTargetTriple();
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  // AVX-512: 32 zmm registers hold a 12 x 2-vector tile (MLAS's AVX-512F
  // kernel shape); 16 ymm or xmm registers (AVX2, SSE) a 6 x 2-vector tile.
  // The weight panels are streamed from L3 or memory on the first row
  // tile's pass; 8 KiB of software prefetch ahead of the loads keeps
  // enough misses in flight (measured on Zen 5: ResNet-18 2.5% and
  // MobileNetV2 5% faster; 4 and 16 KiB did as well, 32 KiB worse).
  if (triple.isX86()) {
    bool fma = info->checkFeatures("+fma");
    if (info->checkFeatures("+avx512f"))
      return {16, 12, fma, /*maskedLoads=*/true, /*prefetchDistance=*/8192};
    return {info->checkFeatures("+avx") ? 8 : 4, 6, fma,
            /*maskedLoads=*/info->checkFeatures("+avx2"),
            /*prefetchDistance=*/8192};
  }
  // NEON has 32 128-bit registers; RISC-V's 32 float registers take the
  // same tile when LLVM splits the vectors. Both have FMA instructions.
  if (triple.isAArch64() || triple.isRISCV())
    return {4, 6, true};
  // Cortex-M4/M7: 32 single-precision registers, no vector unit, VFMA. The
  // tile is still FMA chains, so the results stay bit-identical to other
  // targets.
  return {2, 4, true};
}

void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                    unsigned optLevel) {
  module.setDataLayout(machine.createDataLayout());
  module.setTargetTriple(machine.getTargetTriple());
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel >= 2;
  tuning.SLPVectorization = optLevel >= 2;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager passes =
      optLevel == 0 ? builder.buildO0DefaultPipeline(level)
                    : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, mam);
}

bool emitCode(llvm::Module &module, llvm::TargetMachine &machine,
              bool assembly, llvm::raw_pwrite_stream &os, std::string &error) {
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, os, nullptr,
                                  assembly ? llvm::CodeGenFileType::AssemblyFile
                                           : llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit this file type";
    return false;
  }
  passes.run(module);
  return true;
}

void placeWeights(llvm::Module &module, llvm::StringRef section) {
  for (llvm::GlobalVariable &global : module.globals())
    if (global.isConstant() && global.hasInitializer())
      global.setSection(section);
}

bool undefinedSymbols(llvm::StringRef object, std::vector<std::string> &names,
                      std::string &error) {
  llvm::Expected<std::unique_ptr<llvm::object::ObjectFile>> file =
      llvm::object::ObjectFile::createObjectFile(
          llvm::MemoryBufferRef(object, "object"));
  if (!file) {
    error = llvm::toString(file.takeError());
    return false;
  }
  for (const llvm::object::SymbolRef &symbol : (*file)->symbols()) {
    llvm::Expected<uint32_t> flags = symbol.getFlags();
    llvm::Expected<llvm::StringRef> name = symbol.getName();
    if (!flags || !name) {
      llvm::consumeError(flags.takeError());
      llvm::consumeError(name.takeError());
      continue;
    }
    if ((*flags & llvm::object::SymbolRef::SF_Undefined) && !name->empty())
      names.push_back(name->str());
  }
  return true;
}

} // namespace onnxc
