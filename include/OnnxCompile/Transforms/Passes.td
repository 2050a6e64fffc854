//===- Passes.td - onnx-compile transformation passes ------*- tablegen -*-===//

#ifndef ONNXCOMPILE_TRANSFORMS_PASSES_TD
#define ONNXCOMPILE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AssignWorkspace : Pass<"assign-workspace", "mlir::ModuleOp"> {
  let summary = "Place every static buffer at a fixed offset in one "
                "caller-owned workspace";
  let description = [{
    Runs after bufferization. Every `memref.alloc` of a static shape in the
    function's body becomes a `memref.view` into a new trailing function
    argument of type `memref<SIZExi8>`, the workspace. Offsets come from
    buffer liveness in the (single-block) body: a buffer lives from its
    allocation to the last use of it or of any view of it, and buffers whose
    lifetimes do not overlap share memory. Placement is greedy by size,
    first fit, with every offset aligned to `alignment` bytes. The size is
    recorded in the `onnxc.workspace_size` function attribute, so the
    compiled model never calls malloc, and the lower bound of any plan (the
    most bytes alive at one position) in `onnxc.workspace_lower_bound`.

    With `epilogue-lifetimes`, a contraction followed by an elementwise op
    that vectorize-contractions can apply in its kernel (an activation)
    counts as using its buffers until that op: the activation's output then
    never shares memory with the contraction's inputs, and the kernel can
    write it directly. This costs workspace (MobileNetV2: 8%) for one pass
    over memory less per activation.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Byte alignment of every buffer in the workspace">,
    Option<"reuse", "reuse", "bool", /*default=*/"true",
           "Share memory between buffers whose lifetimes do not overlap">,
    Option<"printPlan", "print-plan", "bool", /*default=*/"false",
           "Print every buffer's offset, size, lifetime and ONNX node, and "
           "the lower bound (the most bytes alive at one time), to stdout">,
    Option<"epilogueLifetimes", "epilogue-lifetimes", "bool",
           /*default=*/"false",
           "Keep a contraction's buffers alive until the activation its "
           "kernel can apply">
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def FillPadBorders : Pass<"fill-pad-borders", "mlir::func::FuncOp"> {
  let summary = "Fill only the border of a padded buffer whose interior a "
                "copy writes next";
  let description = [{
    Runs on buffers. tensor.pad bufferizes to a fill of the whole padded
    buffer with the padding value, then a copy of the source into its
    interior (a static, unit-stride subview): the interior is written
    twice. When the copy follows the fill (past ops without memory
    effects), the fill becomes fills of the slabs around the interior:
    for each dim, the part below and the part above it, within the
    interior along the dims before it.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect"];
}

def WritePadInteriors : Pass<"write-pad-interiors", "mlir::func::FuncOp"> {
  let summary = "Let the producer of a padded buffer's interior write it "
                "in place of the copy";
  let description = [{
    Runs on buffers, before the workspace plan and after fill-pad-borders.
    For `memref.copy %src, %interior`, where %interior is a static
    unit-stride subview of an allocation %padded of the same shape as
    %src (or of a reshape of it), %src an allocation (an activation),
    every use of %padded between %src's first use and the copy is on a
    box disjoint from the interior, and after the copy nothing writes %src
    or the interior (a residual branch may still read %src, a Concat's
    other inputs may write other boxes): %padded and its interior move
    before %src's first use, the ops on %src work on the interior instead
    (the reshapes of it after the copy take the interior's strides), and
    the copy and %src go.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def CopyToLinalg : Pass<"copy-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower memref.copy without MLIR's runner library";
  let description = [{
    memref.copy of non-contiguous views lowers to a call into MLIR's C
    runner library, which the compiled object must not depend on. A copy
    between contiguous buffers stays (llvm.memcpy). A copy whose trailing
    dims are contiguous on both sides, such as a pad writing the interior
    of its padded buffer, becomes scf.for loops over the leading dims
    around memref.copy of the contiguous trailing dims (memcpy-able
    subviews). Any other copy becomes linalg.copy, which lowers to plain
    loops.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect"];
}

def ReorderContractionLoops
    : Pass<"reorder-contraction-loops", "mlir::func::FuncOp"> {
  let summary = "Put the reduction loops of contractions outside the "
                "innermost output loop";
  let description = [{
    Contractions (MatMul, Gemm, Conv, Einsum: a linalg.generic with two or
    more inputs and a reduction loop innermost) walk their reduction
    innermost, with a strided read of one operand and a scalar
    accumulator. This pass interchanges the loops (upstream
    `linalg::interchangeGenericOp`) so that the output's fastest-varying
    dim is the innermost loop and the reductions sit just outside it:
    C[m, n] += A[m, k] * B[k, n] then runs n innermost over contiguous
    memory, which LLVM's loop vectorizer turns into vector FMAs.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def FuseElementwise : Pass<"fuse-elementwise"> {
  let summary = "Fuse elementwise linalg ops on tensors, keeping "
                "contractions intact";
  let description = [{
    Upstream's `linalg-fuse-elementwise-ops` (producer-consumer fusion of
    elementwise generics, reshape folding by expansion, fill and constant
    folding), except that an elementwise producer is never fused into a
    multiply-accumulate contraction (MatMul, Gemm, Conv): there it would be
    recomputed for every output column, and the contraction could no
    longer become a `vectorize-contractions` micro-kernel.
  }];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def VectorizeContractions : Pass<"vectorize-contractions", "mlir::ModuleOp"> {
  let summary = "Register-tiled vector FMA loops for f32 contractions";
  let description = [{
    Rewrites every f32 contraction on buffers with static shapes (a
    linalg.generic computing acc += x * y: MatMul, Gemm, Conv, Einsum) into
    the loop nest of a register-tiled micro-kernel, the shape of ONNX
    Runtime's MLAS kernels: a tile of rows x 1-4 vectors (8 for one row)
    of `lanes` outputs (at most 2 x `rows` accumulators) stays in vector
    registers for the whole reduction; each reduction step loads the tile's B
    vectors once, broadcasts one A scalar per row and issues one FMA per
    accumulator.

    The roles come from the indexing maps. N is an output dim that B reads
    along its own innermost dim, with a constant stride (a strided
    convolution loads the covering span and shuffles out every stride-th
    element), and A does not read: the output's innermost dim, or another
    output dim that a weight stores innermost (a convolution's output
    channels), whose accumulators are then gathered and scattered once per
    tile. M is the innermost output dim that A reads, preferably one that
    B does not read. Among the candidates and tile shapes, the pass takes
    the one with the best estimated use of the FMA units (FMAs and loads
    per step, FMA latency, wasted lanes and rows, gathered accumulators).
    Row tiles are balanced; remainders get narrower vectors. The output
    dim just outside M or N folds into it (`memref.collapse_shape` of
    every buffer that reads them) when every buffer reads the two as one
    line of memory, or neither, and the estimate rates the merged dim's
    tiles better: a 1x1 convolution's image rows become one line of
    pixels. A constant B
    (a memref.global) whose innermost dim is N is repacked into panels of
    the tile width, `[N / width, ..., width]`, and the loop over panels
    goes outermost. N must have at least 4 columns, whatever `lanes` is,
    so that every target vectorizes the same contractions and computes
    the same FMA chains. Other generics, and contractions whose shapes or
    maps do not fit, are left to the scalar loops.

    With `parallel`, a contraction of at least `min-parallel-work`
    multiply-accumulates has the body of its outermost tile loop outlined
    into an internal function `body(a, b, c, begin, end)`, and calls the
    hook `onnxc_parallel_for(body, a, b, c, count)` with the base pointers
    of its three buffers. The module gets a weak, serial definition of the
    hook; the optional runtime's thread pool (runtime/threads.c) replaces
    it when linked.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"8",
           "f32 lanes of one vector register (8 for AVX2, 4 for NEON)">,
    Option<"rows", "rows", "int64_t", /*default=*/"6",
           "Output rows of one register tile">,
    Option<"fused", "fused", "bool", /*default=*/"true",
           "Multiply-add with math.fma (always fused: the target has FMA "
           "instructions); else with vector.fma, which the backend may "
           "split">,
    Option<"maskedLoads", "masked-loads", "bool", /*default=*/"false",
           "Load and store vectors whose width is not a power of two as "
           "the next power of two with the extra lanes masked off (the "
           "target has masked vector moves: AVX2, AVX-512)">,
    Option<"prefetchDistance", "prefetch-distance", "int64_t",
           /*default=*/"0",
           "Prefetch a packed weight's cache lines this many bytes ahead "
           "of the micro-kernel's loads (0: no prefetch)">,
    Option<"parallel", "parallel", "bool", /*default=*/"false",
           "Run large contractions through the onnxc_parallel_for hook">,
    Option<"minParallelWork", "min-parallel-work", "int64_t",
           /*default=*/"131072",
           "Multiply-accumulates below which a contraction stays serial">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::math::MathDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def VectorizeReductions : Pass<"vectorize-reductions", "mlir::ModuleOp"> {
  let summary = "Vectorize reductions across their rows, keeping each row's "
                "order";
  let description = [{
    A reduction generic on f32 buffers (Softmax's max and sum, LayerNorm's
    mean and variance, ReduceMean, average pooling) runs one dependent add
    per element of a row, which LLVM cannot vectorize without reassociating
    the sum. This pass gives each of `lanes` rows a vector lane instead:
    the innermost output dim of at least 4 rows becomes the vector dim,
    inputs that read it are gathered lane by lane and the others broadcast,
    the body's elementwise arith/math ops are applied to vectors, and the
    accumulators stay in registers for the whole reduction. Every lane sums
    its row in the original order: the results are bit-identical to the
    scalar loops. With `parallel`, a reduction of at least
    `min-parallel-work` iterations runs its outermost loop through the
    onnxc_parallel_for hook, like the contractions.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"8",
           "Rows per vector (the f32 lanes of the target's registers)">,
    Option<"maskedLoads", "masked-loads", "bool", /*default=*/"false",
           "Load and store vectors whose width is not a power of two as "
           "the next power of two with the extra lanes masked off (the "
           "target has masked vector moves: AVX2, AVX-512)">,
    Option<"parallel", "parallel", "bool", /*default=*/"false",
           "Run large reductions through the onnxc_parallel_for hook">,
    Option<"minParallelWork", "min-parallel-work", "int64_t",
           /*default=*/"16384",
           "Iterations below which a reduction stays serial">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def CollapseElementwise : Pass<"collapse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Collapse the dense trailing dims of elementwise ops on "
                "buffers into one";
  let description = [{
    For every linalg.generic on buffers whose loops are all parallel and
    whose operands are all indexed by the identity, folds the longest run
    of trailing dims that every buffer stores densely into one dim
    (upstream's `linalg::collapseOpIterationDims`, through
    `memref.collapse_shape`). A small activation's residual add (160 x 7 x
    7) is then one loop over 7840 contiguous elements, which LLVM
    vectorizes with plain loads and stores, instead of a nest whose inner
    loop of 7 it unrolls and vectorizes across the outer dims with gathers
    and scatters.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def VectorizeFills : Pass<"vectorize-fills", "mlir::func::FuncOp"> {
  let summary = "Fills on buffers as vector stores along their rows";
  let description = [{
    Rewrites every linalg.fill on a buffer with a static shape and a
    unit-stride innermost dim into loops over its other dims that store
    splat vectors along the innermost one: full vectors of `lanes`, then
    one narrower vector (with `masked-stores`, the next power of two with
    the extra lanes masked off). The thin slabs that pads leave (border
    rows, one-element border columns) otherwise become scalar loops that
    LLVM's loop vectorizer turns into scatters across rows or channels.
    Two fills of a pad's left and right border columns (the same rows, one
    box starting each row and the other ending it) become one store per
    row of the right border and the next row's left border, adjacent once
    the rows are collapsed into one line. Runs last among the buffer
    passes, after those that match fills (prologues, pad borders).
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"8",
           "Elements of one vector store">,
    Option<"maskedStores", "masked-stores", "bool", /*default=*/"false",
           "Store a row's last, partial vector as the next power of two "
           "lanes with the extra ones masked off (AVX2, AVX-512)">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def VectorizeElementwise : Pass<"vectorize-elementwise",
                                 "mlir::func::FuncOp"> {
  let summary = "Elementwise ops on strided rows as vector loops along the "
                "rows";
  let description = [{
    Rewrites every linalg.generic on f32 buffers of rank 2 or more whose
    loops are all parallel, whose operands are all indexed by the identity,
    whose output is not read, whose body is vectorizable scalar arithmetic
    and whose buffers all have a static, unit-stride innermost dim (a
    residual add on a pad's interior) into loops over the outer dims
    (dynamic ones too: the bodies of parallelize-generics) that load every
    input as vectors along the innermost dim, apply the body to them and
    store the result: full vectors of `lanes`, then one narrower vector
    (with `masked-loads`, the next power of two with the extra lanes masked
    off). Runs after collapse-elementwise, which leaves rank 2 or more only
    where the rows are apart. LLVM would unroll such a short inner loop and
    vectorize across the rows with gathers and scatters.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"8",
           "Elements of one vector">,
    Option<"maskedLoads", "masked-loads", "bool", /*default=*/"false",
           "Load and store a row's last, partial vector as the next power "
           "of two lanes with the extra ones masked off (AVX2, AVX-512)">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def ParallelizeGenerics : Pass<"parallelize-generics", "mlir::ModuleOp"> {
  let summary = "Run large linalg.generic loops through the "
                "onnxc_parallel_for hook";
  let description = [{
    Splits every linalg.generic on buffers (at the top level of a
    function) of at least `min-parallel-work` iterations along its
    outermost parallel dim that every operand reads as a plain dim or not
    at all: the generic is cloned into an internal function
    `body(a, b, c, begin, end)` on subviews [begin, end) of that dim, and
    the hook `onnxc_parallel_for(body, a, b, c, extent)` runs it. Generics
    with more than three distinct buffers, non-f32 buffers or
    `linalg.index` in their body stay serial. The fills of static boxes of
    one f32 buffer with one constant that follow each other (past ops
    without memory effects) and all span one dim of it (a pad's borders,
    spanning its channels) go to one body together when they write at
    least 2048 rows: the body fills the boxes for chunks of that dim, each
    chunk a subview of static shape (the smallest that makes at most 32
    chunks), which vectorize-fills then writes as it would the whole. The
    module gets the hook's weak, serial default (see
    vectorize-contractions).
  }];
  let options = [
    Option<"minParallelWork", "min-parallel-work", "int64_t",
           /*default=*/"16384",
           "Iterations below which a generic stays serial (splitting costs "
           "a hand-off to the pool)">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def LowerRuntimeChecks : Pass<"lower-runtime-checks", "mlir::func::FuncOp"> {
  let summary = "Turn the model's run-time data checks into its status result";
  let description = [{
    Lowerings of ops whose output size depends on input values (Range,
    TopK with a K input, NonZero...) compile them for the static shape that
    shape inference or the model declares, and check the data with
    `cf.assert`. Upstream, an assertion aborts the program; firmware must
    not abort. This pass removes every `cf.assert` of a single-block
    function and makes the function return an i32 status instead: 0 when
    every check held, 2 otherwise (NAME_run's documented return code).
    Functions without checks keep their signature.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::cf::ControlFlowDialect"];
}

def CloneSharedInits : Pass<"clone-shared-inits", "mlir::func::FuncOp"> {
  let summary = "Give every destination operand its own fill or broadcast";
  let description = [{
    Runs on tensors, before one-shot bufferization. When one init tensor
    (CSE merged two identical bias broadcasts, or two fills) is the
    destination of several ops, bufferization writes all but one of them
    into a copy: a full read and write of the tensor. If the init's
    producer is a linalg op whose payload does not read its own init (a
    fill, a broadcast of a constant), each further destination gets a
    clone of it instead, which only writes. A tensor.empty that several
    ops write into (two concatenations of one shape) is cloned the same
    way: else one of them gets a buffer of its own and its producers
    cannot write into their slices in place (SqueezeNet copied 2.9 MB per
    run out of half of its fire modules' expand outputs).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ForwardOutputCopies
    : Pass<"forward-output-copies", "mlir::func::FuncOp"> {
  let summary = "Compute reshaped results in the caller's output buffers";
  let description = [{
    Runs after buffer-results-to-out-params. A `memref.copy` of a reshape
    (collapse_shape and expand_shape only) of an allocation into an output
    argument of the function, where nothing else uses the argument and
    nothing uses the allocation after the copy, is removed: the
    allocation's uses take the argument instead, viewed with the
    allocation's shape by the inverse reshapes. The result is then written
    in place, as hoist-static-allocs does for an allocation returned as
    is: no copy at the end of the run and no workspace buffer (a
    convolution's output, collapsed from its grouped shape, is 3 MB for
    SqueezeNet's stem alone).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def LegalizeEmptyBuffers
    : Pass<"legalize-empty-buffers", "mlir::func::FuncOp"> {
  let summary = "Give unused zero-element buffer arguments a 1-D type";
  let description = [{
    A model input or output with a zero-sized dim (memref<3x0x5xi64>) has
    no element to read or write, and MLIR's bare-pointer calling convention
    cannot lower its multi-dimensional type. Once the body no longer uses
    such an argument (canonicalization removes the loops over it), it
    becomes memref<0xT>: still one pointer in the C ABI, as the header
    says. An argument that is still used keeps its type.
  }];
}

def ApproximateMath : Pass<"approximate-math"> {
  let summary = "Replace every transcendental by a polynomial approximation, "
                "so that the object needs no libm";
  let description = [{
    For firmware without a C math library (`onnx-compile -no-libm`). Uses
    upstream MLIR's rewrites: `math` expansions (sinh, cosh, tan, asinh,
    acosh, atanh, powf, exp2, fpowi... into exp and log), float16/bfloat16
    ops computed in float32, and the polynomial approximations of exp,
    expm1, log, log1p, log2, erf, erfc, tanh, sin, cos, atan, atan2, asin,
    acos, cbrt and rsqrt on float32. exp and log on float64 are our own, to
    double precision (pow and the hyperbolic functions expand into them).
    floor, ceil, trunc, round and roundeven become exact integer
    conversions: some CPUs (a Cortex-M4) have no rounding instruction. Ops
    that lower to instructions (sqrt, abs, fma...) stay. Any other op that
    would still call libm (other float64 transcendentals) is an error that
    names the ONNX node.

    With `vectorizable-only` (the default pipeline's speed mode), only
    float32 exp, tanh and erf become polynomials, without the libm check:
    LLVM cannot vectorize a loop around a libm call.
  }];
  let options = [
    Option<"vectorizableOnly", "vectorizable-only", "bool",
           /*default=*/"false",
           "Only replace float32 exp, tanh and erf, so that the loops around "
           "them vectorize (Softmax, GELU); other ops keep calling libm">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::scf::SCFDialect"];
}

def MapToGPU : Pass<"map-to-gpu", "mlir::func::FuncOp"> {
  let summary = "Map the loops of a bufferized function onto GPU blocks "
                "and threads";
  let description = [{
    For the nvptx64 target. The function's arguments are device pointers,
    so every op that touches a buffer must run in a kernel:

    - every linalg op (memref.copy first becomes linalg.copy) is lowered
      to loops; the parallel loops it starts with are collapsed into one
      and tiled by `block-size`, the tiles mapped to blocks and the
      iterations of a tile to threads. Parallel loops nested deeper stay
      sequential in their thread;
    - a linalg op without a leading parallel loop, and any other op with
      memory effects (an scf.for nest of a lowering, a store), is wrapped
      in a one-iteration loop: one thread runs it in order.

    Pure ops (views of the workspace, constants' get_global) stay on the
    host and become kernel arguments. A run-time data check (cf.assert)
    runs in the kernel with the values it checks: a failure stores 2 in a
    status word that the pass appends to the workspace (64 bytes, at the
    offset the `onnxc.status_offset` attribute records; a one-thread
    kernel zeroes it first). With `return-status` (the mapping run on the
    CPU) the function returns the word, as lower-runtime-checks' do.
    `convert-parallel-loops-to-gpu` then forms the gpu.launch ops from the
    mapping attributes this pass sets.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
    Option<"returnStatus", "return-status", "bool", /*default=*/"false",
           "Return the data checks' status word (for the mapping run on "
           "the CPU)">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def CheckHostCode : Pass<"check-host-code", "mlir::func::FuncOp"> {
  let summary = "Check that no host code of a GPU model touches a buffer";
  let description = [{
    After convert-parallel-loops-to-gpu: every op outside gpu.launch that
    reads or writes memory would dereference a device pointer on the host.
    Such an op is an error (an internal one: map-to-gpu should have put it
    in a kernel), never a silently wrong object.
  }];
}

def MergeGPUModules : Pass<"merge-gpu-modules", "mlir::ModuleOp"> {
  let summary = "Put every outlined kernel into one gpu.module";
  let description = [{
    gpu-kernel-outlining gives each kernel a gpu.module of its own; each
    would become its own PTX, cubin and CUDA module, assembled and loaded
    separately. This pass moves every kernel into the first gpu.module,
    renamed after the module it came from (the names stay unique), and
    points the launches at them: one binary per model.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def UploadConstants : Pass<"upload-constants", "mlir::ModuleOp"> {
  let summary = "Read the weights in host code through their device copies";
  let description = [{
    For the nvptx64 target, on the LLVM dialect of the host code. A weight
    is a constant global in the object's read-only data; kernels cannot
    read host memory. Every address of a constant global taken in a host
    function becomes a call `onnxc_cuda_constant(address, bytes)` of the
    runtime's CUDA shim, which copies the weight to device memory once
    (on the first run) and returns the device address.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // ONNXCOMPILE_TRANSFORMS_PASSES_TD
