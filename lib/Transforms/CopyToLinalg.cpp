//===- CopyToLinalg.cpp - memref.copy to linalg.copy ----------------------===//

#include "OnnxCompile/Transforms/Passes.h"

namespace onnxc {
#define GEN_PASS_DEF_COPYTOLINALG
#include "OnnxCompile/Transforms/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace onnxc {
namespace {

struct CopyToLinalgPass : impl::CopyToLinalgBase<CopyToLinalgPass> {
  void runOnOperation() override {
    getOperation().walk([](memref::CopyOp copy) {
      OpBuilder builder(copy);
      linalg::CopyOp::create(builder, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
  }
};

} // namespace
} // namespace onnxc
