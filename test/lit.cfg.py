# -*- Python -*-
# lit configuration of the onnx-compile test suite.

import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "onnx-compile"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.onnxc_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.onnxc_tools_dir, append_path=True)

# Scripts and e2e tests use Debian's interpreter, which sees python3-onnx.
python = "/usr/bin/python3"
config.substitutions.append(("%python", python))
config.substitutions.append(("%utils", os.path.join(config.onnxc_src_root, "utils")))
config.substitutions.append(("%e2e", os.path.join(config.onnxc_src_root, "test", "e2e")))
config.substitutions.append(("%node_tests", "/usr/share/libonnx-testdata/data/node"))
config.environment["ONNX_COMPILE"] = os.path.join(config.onnxc_tools_dir, "onnx-compile")
for var in ("ONNXC_REQUIRE_ORT", "HOME"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

llvm_config.add_tool_substitutions(["onnx-compile", "onnx-opt"], [config.onnxc_tools_dir])

# Features for optional tools.
if os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-testdata")
for tool, feature in [("aarch64-linux-gnu-gcc", "aarch64-gcc"),
                      ("riscv64-linux-gnu-gcc", "riscv64-gcc"),
                      ("qemu-aarch64", "qemu-aarch64"),
                      ("qemu-riscv64", "qemu-riscv64"),
                      ("arm-none-eabi-gcc", "arm-none-eabi-gcc"),
                      ("qemu-system-arm", "qemu-system-arm")]:
    if shutil.which(tool):
        config.available_features.add(feature)
# CUDA's assembler: the PTX the nvptx64 target emits is checked with it
# (no GPU needed).
cuda = os.environ.get("CUDA_PATH") or "/usr/local/cuda"
# The nvptx64 target links CUDA's libdevice.
if os.path.isfile(os.path.join(cuda, "nvvm", "libdevice", "libdevice.10.bc")):
    config.available_features.add("cuda-toolkit")
if os.access(os.path.join(cuda, "bin", "ptxas"), os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", os.path.join(cuda, "bin", "ptxas")))
ort = os.path.join(config.onnxc_src_root, "utils", "ort", "node_modules", "onnxruntime-node")
if os.path.isdir(ort):
    config.available_features.add("onnxruntime")
