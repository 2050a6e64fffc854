//===- Target.h - Target selection and object emission ----------*- C++ -*-===//

#ifndef ONNXCOMPILE_TARGET_TARGET_H
#define ONNXCOMPILE_TARGET_TARGET_H

#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace onnxc {

/// A resolved code generation target.
struct TargetSpec {
  std::string name; ///< As given with -target (x86_64, aarch64, ...).
  llvm::Triple triple;
  std::string cpu;
  std::string features;
  std::string abi; ///< Empty for the target's default ABI.
  bool hardFloat = true;
  /// For -target=nvptx64: the GPU (sm_80, sm_90...). The triple, CPU and
  /// features are then the host's, which runs the launches.
  std::string gpuChip;
  bool isGPU() const { return !gpuChip.empty(); }
};

/// Resolves -target and -mcpu. An empty `name` means the host: its triple,
/// its CPU (unless `cpu` is given) and its features. Returns false and sets
/// `error` for unknown targets.
bool resolveTarget(llvm::StringRef name, llvm::StringRef cpu,
                   TargetSpec &spec, std::string &error);

/// The target names -target accepts.
llvm::StringRef supportedTargets();

/// Creates the TargetMachine for `spec` at -O`optLevel`.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const TargetSpec &spec, unsigned optLevel,
                    std::string &error);

/// The register tile of the vectorized contractions on `machine`: f32 lanes
/// of one vector register and output rows, so that rows x 2 vectors of
/// accumulators, two B vectors and one broadcast fit the register file.
struct ContractionTile {
  int64_t lanes;
  int64_t rows;
  /// Whether the target has fused multiply-add instructions.
  bool fusedFMA;
  /// Whether it has masked vector loads and stores that cost about what
  /// plain ones do (AVX2's vmaskmov, AVX-512's masked moves); elsewhere
  /// LLVM would move a masked vector lane by lane.
  bool maskedLoads = false;
  /// How far ahead (bytes) the micro-kernels prefetch their packed
  /// weights, 0 for not at all.
  int64_t prefetchDistance = 0;
};
ContractionTile contractionTile(const llvm::TargetMachine &machine);

/// Runs LLVM's standard optimization pipeline at -O`optLevel`.
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                    unsigned optLevel);

/// Puts the weights (every constant global with an initializer) into the
/// object-file section `section`, so that a linker script can place them,
/// e.g. in external flash.
void placeWeights(llvm::Module &module, llvm::StringRef section);

/// The symbols object file `object` needs from elsewhere. Returns false and
/// sets `error` when `object` is not an object file.
bool undefinedSymbols(llvm::StringRef object, std::vector<std::string> &names,
                      std::string &error);

/// Emits an object file (or assembly) for `module`.
bool emitCode(llvm::Module &module, llvm::TargetMachine &machine,
              bool assembly, llvm::raw_pwrite_stream &os, std::string &error);

} // namespace onnxc

#endif // ONNXCOMPILE_TARGET_TARGET_H
