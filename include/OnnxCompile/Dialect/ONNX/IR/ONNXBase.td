//===- ONNXBase.td - ONNX dialect definition ---------------*- tablegen -*-===//
//
// The ONNX dialect mirrors the default ONNX operator domain. Op definitions
// are generated from ONNX's schema registry (see utils/gen_onnx_ops.py); this
// file holds what the generator builds on.
//
//===----------------------------------------------------------------------===//

#ifndef ONNXCOMPILE_DIALECT_ONNX_IR_ONNXBASE_TD
#define ONNXCOMPILE_DIALECT_ONNX_IR_ONNXBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def ONNX_Dialect : Dialect {
  let name = "onnx";
  let cppNamespace = "::onnxc";
  let summary = "The default-domain operators of ONNX";
  let description = [{
    One op per ONNX operator of the default domain, with the attributes,
    defaults and operand structure of ONNX's schema at the newest opset the
    compiler supports. A missing optional input or output is a value of
    NoneType produced by `onnx.NoValue`.
  }];
  let hasConstantMaterializer = 0;
  let usePropertiesForAttributes = 1;
}

class ONNX_Op<string mnemonic, list<Trait> traits = []>
    : Op<ONNX_Dialect, mnemonic, traits>;

// Element types that ONNX tensors may carry (strings are not supported).
def ONNX_AnyElementType : AnyTypeOf<[F16, BF16, F32, F64, I1, I8, I16, I32,
    I64, UI8, UI16, UI32, UI64, Complex<F32>, Complex<F64>]>;

#endif // ONNXCOMPILE_DIALECT_ONNX_IR_ONNXBASE_TD
