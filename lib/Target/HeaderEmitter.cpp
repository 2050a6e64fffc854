//===- HeaderEmitter.cpp - The generated C header --------------------------===//
//
// The header is the C ABI of one compiled model (docs/c-abi.md). It needs
// only <stddef.h> and <stdint.h>, documents every tensor in a comment and
// in const metadata, and gives sizes as macros so that firmware can size
// static buffers at compile time.
//
//===----------------------------------------------------------------------===//

#include "OnnxCompile/Target/ModelInterface.h"

#include "llvm/ADT/StringExtras.h"

namespace onnxc {
namespace {

const char *typeName(int32_t onnxType) {
  switch (onnxType) {
  case 1: return "float32";
  case 2: return "uint8";
  case 3: return "int8";
  case 4: return "uint16";
  case 5: return "int16";
  case 6: return "int32";
  case 7: return "int64";
  case 9: return "bool";
  case 10: return "float16";
  case 11: return "float64";
  case 12: return "uint32";
  case 13: return "uint64";
  case 14: return "complex64";
  case 15: return "complex128";
  case 16: return "bfloat16";
  default: return "unknown";
  }
}

const char *cType(int32_t onnxType) {
  switch (onnxType) {
  case 1: return "float";
  case 2: case 9: return "uint8_t";
  case 3: return "int8_t";
  case 4: case 10: case 16: return "uint16_t";
  case 5: return "int16_t";
  case 6: return "int32_t";
  case 7: return "int64_t";
  case 11: return "double";
  case 12: return "uint32_t";
  case 13: return "uint64_t";
  case 14: return "float /* pairs */";
  case 15: return "double /* pairs */";
  default: return "void";
  }
}

/// A C string literal for an arbitrary tensor name.
std::string cString(llvm::StringRef text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\" + llvm::utostr((c >> 6) & 7) + llvm::utostr((c >> 3) & 7) +
             llvm::utostr(c & 7);
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

/// A comment-safe tensor name.
std::string commentSafe(llvm::StringRef text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i)
    out += (text[i] == '*' && i + 1 < text.size() && text[i + 1] == '/')
               ? '_'
               : ((unsigned char)text[i] < 0x20 ? ' ' : text[i]);
  return out;
}

std::string shapeText(const TensorInfo &t) {
  std::string text = "[";
  for (size_t i = 0; i < t.shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(t.shape[i]);
  return text + "]";
}

void emitTensorComments(llvm::raw_ostream &os, const char *kind,
                        const std::vector<TensorInfo> &tensors) {
  os << " * " << kind << ":\n";
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorInfo &t = tensors[i];
    os << " *   " << i << ": \"" << commentSafe(t.name) << "\" "
       << typeName(t.onnxType) << " " << shapeText(t) << " (" << cType(t.onnxType)
       << "[" << t.numElements() << "], " << t.sizeBytes() << " bytes)\n";
  }
}

void emitTensorTable(llvm::raw_ostream &os, const std::string &prefix,
                     const char *kind, const std::vector<TensorInfo> &tensors) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorInfo &t = tensors[i];
    os << "static const int64_t " << prefix << "_" << kind << i
       << "_shape[] = {";
    if (t.shape.empty())
      os << "0 /* scalar */";
    for (size_t d = 0; d < t.shape.size(); ++d)
      os << (d ? ", " : "") << t.shape[d];
    os << "};\n";
  }
  os << "static const onnxc_tensor_info " << prefix << "_" << kind
     << "s[] = {\n";
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorInfo &t = tensors[i];
    os << "  {" << cString(t.name) << ", " << t.onnxType << ", "
       << t.shape.size() << ", " << prefix << "_" << kind << i << "_shape, "
       << t.numElements() << "u, " << t.sizeBytes() << "u},\n";
  }
  os << "};\n";
}

/// The usage comment of a GPU model (docs/gpu.md).
void emitGPUUsage(llvm::raw_ostream &os, llvm::StringRef n) {
  os << " * Compiled for an NVIDIA GPU: link the runtime's CUDA shim\n"
     << " * (runtime/cuda.c) and -lcuda. Both entry points return 0 on\n"
     << " * success, 1 if a required pointer is NULL, 3 on a CUDA error\n"
     << " * (onnxc_cuda_last_error() in onnxc_runtime.h says which).\n"
     << " *\n"
     << " * int " << n << "_run(inputs, outputs, workspace): host buffers.\n"
     << " *   Copies the inputs to the device, runs, waits and copies the\n"
     << " *   outputs back. workspace is NULL (the shim allocates device\n"
     << " *   memory for the call) or a device pointer to " << n
     << "_WORKSPACE_SIZE\n"
     << " *   bytes.\n"
     << " * int " << n
     << "_run_device(inputs, outputs, workspace, stream): device\n"
     << " *   pointers (inputs, outputs and " << n
     << "_WORKSPACE_SIZE bytes of\n"
     << " *   workspace, 256-byte aligned as cuMemAlloc gives), enqueued on\n"
     << " *   the CUstream `stream` (NULL: the default stream); it returns\n"
     << " *   without waiting. Runs with different workspaces may run at once.\n"
     << " * The weights are copied to the device once, on the first run.\n"
     << " *\n";
}

/// A GPU model's run-time data checks report through a status word.
void emitGPUStatus(llvm::raw_ostream &os, llvm::StringRef n) {
  os << " * Run-time data checks: " << n
     << "_run returns 2 when the input data asks\n"
     << " * for another output size than compiled. After " << n
     << "_run_device, once\n"
     << " * the stream is done, the int32 at workspace + " << n
     << "_STATUS_OFFSET is 0 or 2.\n"
     << " *\n";
}

} // namespace

void emitHeader(const ModelInterface &model, llvm::raw_ostream &os) {
  const std::string &n = model.name;
  std::string upper = llvm::StringRef(n).upper();
  std::string guard = upper + "_H_ONNXC";
  os << "/* Generated by onnx-compile from " << commentSafe(model.sourceFile)
     << ". Do not edit.\n"
     << " *\n";
  if (model.gpu) {
    emitGPUUsage(os, n);
    if (model.statusOffset >= 0)
      emitGPUStatus(os, n);
  } else
    os << " * int " << n << "_run(inputs, outputs, workspace) runs the model:\n"
       << " *   inputs[i]  points to input i, outputs[i] to output i: dense,\n"
       << " *              row-major buffers of the element type below;\n"
       << " *   workspace  points to " << n << "_WORKSPACE_SIZE bytes, 64-byte\n"
       << " *              aligned, owned by the caller (NULL if the size is 0).\n"
       << " * It returns 0 on success, 1 if a required pointer is NULL.\n"
       << " * Runs with different workspaces may run at once on different\n"
       << " * threads. The object never allocates memory.\n"
       << " *\n";
  emitTensorComments(os, "Inputs", model.inputs);
  emitTensorComments(os, "Outputs", model.outputs);
  os << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stddef.h>\n#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "#define " << n << "_NUM_INPUTS " << model.inputs.size() << "\n"
     << "#define " << n << "_NUM_OUTPUTS " << model.outputs.size() << "\n"
     << "#define " << n << "_WORKSPACE_SIZE " << model.workspaceSize << "\n"
     << "#define " << n << "_WEIGHT_SIZE " << model.weightBytes << "\n";
  if (model.statusOffset >= 0)
    os << "#define " << n << "_STATUS_OFFSET " << model.statusOffset << "\n";
  for (size_t i = 0; i < model.inputs.size(); ++i)
    os << "#define " << n << "_INPUT_" << i << "_SIZE "
       << model.inputs[i].sizeBytes() << "\n";
  for (size_t i = 0; i < model.outputs.size(); ++i)
    os << "#define " << n << "_OUTPUT_" << i << "_SIZE "
       << model.outputs[i].sizeBytes() << "\n";
  os << "\nsize_t " << n << "_workspace_size(void);\n"
     << "int " << n
     << "_run(const void *const *inputs, void *const *outputs, "
        "void *workspace);\n";
  if (model.gpu)
    os << "int " << n
       << "_run_device(const void *const *inputs, void *const *outputs, "
          "void *workspace,\n    void *stream);\n";
  os << "\n#ifndef ONNXC_TENSOR_INFO_DEFINED\n"
     << "#define ONNXC_TENSOR_INFO_DEFINED\n"
     << "/* One graph input or output. dtype is ONNX's TensorProto.DataType\n"
     << " * (1 float32, 2 uint8, 3 int8, 4 uint16, 5 int16, 6 int32, 7 int64,\n"
     << " * 9 bool, 10 float16, 11 float64, 12 uint32, 13 uint64, 16 bfloat16).\n"
     << " */\n"
     << "typedef struct onnxc_tensor_info {\n"
     << "  const char *name;\n  int32_t dtype;\n  int32_t rank;\n"
     << "  const int64_t *shape;\n  size_t num_elements;\n"
     << "  size_t size_bytes;\n} onnxc_tensor_info;\n#endif\n\n";
  emitTensorTable(os, n, "input", model.inputs);
  emitTensorTable(os, n, "output", model.outputs);
  os << "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
}

} // namespace onnxc
