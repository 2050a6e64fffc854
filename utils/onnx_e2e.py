#!/usr/bin/python3
"""End-to-end helpers for onnx-compile.

Library used by the end-to-end tests (test/e2e/) and the node conformance
runner (utils/run_node_tests.py):

  * compile_model()  -- run onnx-compile on a model into a work dir
  * build_driver()   -- link test/e2e/driver.c against the object + header
  * run_driver()     -- run the driver on numpy inputs, read numpy outputs
  * compare()        -- ONNX backend-test tolerance semantics
  * run_ort()        -- ONNX Runtime oracle (utils/ort/run.js, onnxruntime-node)
  * run_compiled()   -- compile + build + run in one go

The onnx-compile binary is taken from (first match): the explicit argument,
$ONNX_COMPILE, <repo>/build/bin/onnx-compile.

CLI:
  onnx_e2e.py MODEL.onnx [--test-data DIR] [--ort] [--rtol R] [--atol A]
              [--shape IN:1x3x8x8] [--onnx-compile PATH] [--work-dir D] [--keep]
  With --test-data DIR (a test_data_set_N folder) inputs/expected outputs come
  from input_K.pb / output_K.pb; otherwise random inputs (seed 0) are used and
  the results are compared against ONNX Runtime (--ort is then implied).
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

try:
    import onnx
    from onnx import TensorProto, numpy_helper
except ImportError:  # pragma: no cover
    onnx = None

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DRIVER_C = os.path.join(REPO_ROOT, "test", "e2e", "driver.c")
RUNTIME_C = os.path.join(REPO_ROOT, "runtime", "threads.c")
CUDA_SHIM_C = os.path.join(REPO_ROOT, "runtime", "cuda.c")
ORT_DIR = os.path.join(REPO_ROOT, "utils", "ort")
ORT_RUN_JS = os.path.join(ORT_DIR, "run.js")

DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 1e-7
DEFAULT_TIMEOUT = 120.0

# ONNX TensorProto.DataType -> numpy dtype.  BFLOAT16 has no numpy type: it is
# represented as float32 in numpy (like onnx.numpy_helper.to_array does) and
# converted to/from 16-bit patterns at the binary boundary.  BOOL is stored as
# one byte per element.
ONNX_TO_NP = {
    1: np.dtype(np.float32),  # FLOAT
    2: np.dtype(np.uint8),  # UINT8
    3: np.dtype(np.int8),  # INT8
    4: np.dtype(np.uint16),  # UINT16
    5: np.dtype(np.int16),  # INT16
    6: np.dtype(np.int32),  # INT32
    7: np.dtype(np.int64),  # INT64
    9: np.dtype(np.bool_),  # BOOL
    10: np.dtype(np.float16),  # FLOAT16
    11: np.dtype(np.float64),  # DOUBLE
    12: np.dtype(np.uint32),  # UINT32
    13: np.dtype(np.uint64),  # UINT64
    14: np.dtype(np.complex64),  # COMPLEX64
    15: np.dtype(np.complex128),  # COMPLEX128
    16: np.dtype(np.float32),  # BFLOAT16 (numpy view)
}
ONNX_DTYPE_NAMES = {
    1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32",
    7: "int64", 8: "string", 9: "bool", 10: "float16", 11: "float64",
    12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128",
    16: "bfloat16",
}
ONNX_NAME_TO_DTYPE = {v: k for k, v in ONNX_DTYPE_NAMES.items()}
BFLOAT16 = 16
BOOL = 9
STRING = 8


class E2EError(Exception):
    """A step of the end-to-end flow failed.

    kind is one of: 'unsupported' (onnx-compile exit 1 with an error line),
    'crash' (signal, timeout, unexpected exit code), 'fail' (wrong or missing
    results, link errors, run returned nonzero).
    """

    def __init__(self, kind: str, message: str, detail: str = ""):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail


# ---------------------------------------------------------------------------
# dtype helpers


def np_dtype_for(onnx_dtype: int) -> np.dtype:
    if onnx_dtype not in ONNX_TO_NP:
        raise E2EError("fail", "unsupported ONNX dtype %d (%s)" %
                       (onnx_dtype, ONNX_DTYPE_NAMES.get(onnx_dtype, "?")))
    return ONNX_TO_NP[onnx_dtype]


def elem_size(onnx_dtype: int) -> int:
    if onnx_dtype == BFLOAT16:
        return 2
    if onnx_dtype == BOOL:
        return 1
    return np_dtype_for(onnx_dtype).itemsize


def float32_to_bf16_bits(a: np.ndarray) -> np.ndarray:
    """Round-to-nearest-even float32 -> bfloat16 bit patterns (uint16)."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    u = a.view(np.uint32).astype(np.uint64)
    nan = np.isnan(a)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    rounded[nan] = ((u[nan] >> 16) | 0x40).astype(np.uint16)  # quiet NaN
    return rounded


def bf16_bits_to_float32(b: np.ndarray) -> np.ndarray:
    return (b.astype(np.uint32) << 16).view(np.float32)


def to_bytes(arr: np.ndarray, onnx_dtype: int) -> bytes:
    """Serialize an array as the raw little-endian row-major buffer."""
    if onnx_dtype == BFLOAT16:
        a = np.asarray(arr)
        if a.dtype in (np.uint16, np.int16):
            data = a.view(np.uint16) if a.dtype == np.int16 else a  # bit patterns
        else:
            data = float32_to_bf16_bits(a.astype(np.float32))
        data = data.astype("<u2", copy=False)
    elif onnx_dtype == BOOL:
        data = np.asarray(arr).astype(np.bool_).astype(np.uint8)
    else:
        data = np.asarray(arr).astype(np_dtype_for(onnx_dtype), copy=False)
        data = data.astype(data.dtype.newbyteorder("<"), copy=False)
    return np.ascontiguousarray(data).tobytes()


def from_bytes(buf: bytes, onnx_dtype: int, shape: Sequence[int]) -> np.ndarray:
    shape = tuple(int(d) for d in shape)
    if onnx_dtype == BFLOAT16:
        return bf16_bits_to_float32(
            np.frombuffer(buf, dtype="<u2")).reshape(shape)
    if onnx_dtype == BOOL:
        return (np.frombuffer(buf, dtype=np.uint8) != 0).reshape(shape)
    dt = np_dtype_for(onnx_dtype).newbyteorder("<")
    return np.frombuffer(buf, dtype=dt).astype(
        dt.newbyteorder("="), copy=False).reshape(shape).copy()


def normalize_expected(arr: np.ndarray, onnx_dtype: int) -> np.ndarray:
    """Bring reference data to the numpy form that run_driver returns.

    The ONNX test data stores bfloat16 tensors as UINT16 bit patterns; they are
    turned into float32 (the numpy view of bfloat16 used here).
    """
    a = np.asarray(arr)
    if onnx_dtype == BFLOAT16 and a.dtype in (np.uint16, np.int16):
        return bf16_bits_to_float32(a.view(np.uint16))
    return a


def onnx_dtype_of_array(arr: np.ndarray) -> int:
    dt = np.asarray(arr).dtype
    for k, v in ONNX_TO_NP.items():
        if k != BFLOAT16 and v == dt:
            return k
    raise E2EError("fail", "no ONNX dtype for numpy dtype %s" % dt)


# ---------------------------------------------------------------------------
# model inspection


class TensorSpec:
    def __init__(self, name: str, dtype: int, shape: Optional[List[Optional[int]]]):
        self.name = name
        self.dtype = dtype
        self.shape = shape  # None: unknown rank; entries None: unknown dim

    @property
    def static(self) -> bool:
        return self.shape is not None and all(
            isinstance(d, int) and d >= 0 for d in self.shape)

    def __repr__(self):
        return "TensorSpec(%r, %s, %r)" % (
            self.name, ONNX_DTYPE_NAMES.get(self.dtype, self.dtype), self.shape)


def _load(model) -> "onnx.ModelProto":
    if isinstance(model, (str, os.PathLike)):
        return onnx.load(str(model))
    return model


def _spec_from_value_info(vi) -> TensorSpec:
    t = vi.type
    if t.WhichOneof("value") != "tensor_type":
        raise E2EError("fail", "value %r is not a tensor (%s)" %
                       (vi.name, t.WhichOneof("value")))
    tt = t.tensor_type
    shape = None
    if tt.HasField("shape"):
        shape = []
        for d in tt.shape.dim:
            shape.append(d.dim_value if d.WhichOneof("value") == "dim_value"
                         else None)
    return TensorSpec(vi.name, tt.elem_type, shape)


def model_io(model) -> Tuple[List[TensorSpec], List[TensorSpec]]:
    """Runtime inputs (graph inputs that are not initializers) and outputs."""
    m = _load(model)
    inits = {t.name for t in m.graph.initializer}
    inits |= {t.values.name for t in m.graph.sparse_initializer}
    ins = [_spec_from_value_info(v) for v in m.graph.input if v.name not in inits]
    outs = [_spec_from_value_info(v) for v in m.graph.output]
    return ins, outs


def _parse_shape_arg(s: str) -> Tuple[str, List[int]]:
    name, _, dims = s.rpartition(":")
    return name, [int(d) for d in dims.split("x")] if dims else []


def random_inputs(model, seed: int = 0,
                  shapes: Optional[Dict[str, List[int]]] = None) -> Dict[str, np.ndarray]:
    """Deterministic random inputs for the model's runtime inputs."""
    rng = np.random.RandomState(seed)
    ins, _ = model_io(model)
    res = {}
    for spec in ins:
        shape = (shapes or {}).get(spec.name, spec.shape)
        if shape is None or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise E2EError("fail", "input %r has a dynamic shape %r; pass a shape"
                           % (spec.name, shape))
        shape = tuple(shape)
        dt = spec.dtype
        if dt in (1, 10, 11, 16):
            a = rng.standard_normal(shape).astype(np_dtype_for(dt))
        elif dt in (14, 15):
            a = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
                 ).astype(np_dtype_for(dt))
        elif dt == BOOL:
            a = rng.randint(0, 2, size=shape).astype(np.bool_)
        elif dt in (2, 4, 12, 13):
            a = rng.randint(0, 10, size=shape).astype(np_dtype_for(dt))
        elif dt in (3, 5, 6, 7):
            a = rng.randint(-10, 10, size=shape).astype(np_dtype_for(dt))
        else:
            raise E2EError("fail", "cannot make random input of dtype %d" % dt)
        res[spec.name] = a
    return res


def load_test_data_set(dirpath: str, model=None) -> Tuple[List[np.ndarray], List[np.ndarray]]:
    """Read input_K.pb / output_K.pb (TensorProto) from a test_data_set dir."""

    def read(prefix):
        files = []
        for f in os.listdir(dirpath):
            m = re.match(r"^%s_(\d+)\.pb$" % prefix, f)
            if m:
                files.append((int(m.group(1)), f))
        arrs = []
        for _, f in sorted(files):
            t = TensorProto()
            with open(os.path.join(dirpath, f), "rb") as fh:
                t.ParseFromString(fh.read())
            arrs.append(numpy_helper.to_array(t))
        return arrs

    return read("input"), read("output")


# ---------------------------------------------------------------------------
# subprocess helper


def _run(cmd: List[str], timeout: float, cwd: Optional[str] = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, cwd=cwd)


def _signame(rc: int) -> str:
    try:
        return signal.Signals(-rc).name
    except (ValueError, AttributeError):
        return "signal %d" % -rc


def _decode(b: bytes) -> str:
    return b.decode("utf-8", errors="replace")


def first_error_line(stderr: str) -> str:
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    for l in lines:
        if "error:" in l:
            return l
    return lines[0] if lines else ""


# ---------------------------------------------------------------------------
# compile / build / run


def find_onnx_compile(explicit: Optional[str] = None) -> str:
    path = explicit or os.environ.get("ONNX_COMPILE") or os.path.join(
        REPO_ROOT, "build", "bin", "onnx-compile")
    return os.path.abspath(path)


class Compiled:
    def __init__(self, obj: str, header: str, name: str, stderr: str):
        self.obj = obj
        self.header = header
        self.name = name
        self.stderr = stderr


def compile_model(model_path: str, workdir: str, name: str = "model",
                  onnx_compile: Optional[str] = None,
                  extra_args: Sequence[str] = (),
                  shapes: Optional[Dict[str, Sequence[int]]] = None,
                  timeout: float = DEFAULT_TIMEOUT) -> Compiled:
    """onnx-compile MODEL -o WORKDIR/NAME.o -name=NAME [...]; raises E2EError."""
    exe = find_onnx_compile(onnx_compile)
    os.makedirs(workdir, exist_ok=True)
    obj = os.path.join(workdir, name + ".o")
    header = os.path.join(workdir, name + ".h")
    cmd = [exe, os.path.abspath(model_path), "-o", obj, "-name=" + name]
    for k, v in (shapes or {}).items():
        cmd.append("-shape=%s:%s" % (k, "x".join(str(int(d)) for d in v)))
    cmd += list(extra_args)
    try:
        p = _run(cmd, timeout)
    except subprocess.TimeoutExpired:
        raise E2EError("crash", "onnx-compile timed out after %gs" % timeout)
    except OSError as e:
        raise E2EError("crash", "cannot run onnx-compile %s: %s" % (exe, e))
    err = _decode(p.stderr)
    if p.returncode < 0:
        raise E2EError("crash", "onnx-compile killed by %s: %s" %
                       (_signame(p.returncode), first_error_line(err)), err)
    if p.returncode == 1:
        line = first_error_line(err)
        if "error" in line:
            raise E2EError("unsupported", line, err)
        raise E2EError("crash", "onnx-compile exit 1 without error line: %s" %
                       line, err)
    if p.returncode != 0:
        raise E2EError("crash", "onnx-compile exit %d: %s" %
                       (p.returncode, first_error_line(err)), err)
    for f in (obj, header):
        if not os.path.isfile(f):
            raise E2EError("fail", "onnx-compile succeeded but did not write %s"
                           % os.path.basename(f), err)
    return Compiled(obj, header, name, err)


def assemble_ptx(model_path: str, workdir: str, chip: str,
                 onnx_compile: Optional[str] = None,
                 shapes: Optional[Dict[str, Sequence[int]]] = None,
                 ptxas: str = "/usr/local/cuda/bin/ptxas",
                 timeout: float = DEFAULT_TIMEOUT) -> str:
    """Compiles the model's kernels to PTX for `chip` (-target=nvptx64
    -emit=asm) and assembles them with CUDA's ptxas; returns the .ptx path.
    Raises E2EError: 'unsupported' when onnx-compile refuses the model,
    'fail' when ptxas rejects the PTX."""
    exe = find_onnx_compile(onnx_compile)
    os.makedirs(workdir, exist_ok=True)
    ptx = os.path.join(workdir, "model.%s.ptx" % chip)
    cmd = [exe, os.path.abspath(model_path), "-target=nvptx64",
           "-mcpu=" + chip, "-emit=asm", "-o", ptx]
    for k, v in (shapes or {}).items():
        cmd.append("-shape=%s:%s" % (k, "x".join(str(int(d)) for d in v)))
    try:
        p = _run(cmd, timeout)
    except subprocess.TimeoutExpired:
        raise E2EError("crash", "onnx-compile timed out after %gs" % timeout)
    err = _decode(p.stderr)
    if p.returncode == 1 and "error" in first_error_line(err):
        raise E2EError("unsupported", first_error_line(err), err)
    if p.returncode != 0:
        raise E2EError("crash", "onnx-compile exit %d: %s" %
                       (p.returncode, first_error_line(err)), err)
    if os.path.getsize(ptx) == 0:
        return ptx  # no kernels: the model only has zero-sized tensors
    cubin = ptx[:-len(".ptx")] + ".cubin"
    try:
        p = _run([ptxas, "-arch=" + chip, ptx, "-o", cubin], timeout)
    except subprocess.TimeoutExpired:
        raise E2EError("crash", "ptxas timed out after %gs" % timeout)
    if p.returncode != 0:
        raise E2EError("fail", "ptxas -arch=%s: %s" % (
            chip, first_error_line(_decode(p.stderr))), _decode(p.stderr))
    return ptx


def build_driver(compiled: Compiled, workdir: Optional[str] = None,
                 cc: Optional[str] = None, timeout: float = DEFAULT_TIMEOUT,
                 threads: bool = False, gpu: bool = False,
                 extra_libs: Sequence[str] = ()) -> str:
    """cc -O1 -DONNXC_NAME=NAME -include NAME.h driver.c NAME.o -lm -o run.

    With `threads`, also links the runtime's thread pool (runtime/threads.c
    -lpthread), so that the driver's -threads N option works. With `gpu`
    (a model compiled for nvptx64), the CUDA shim (runtime/cuda.c) and
    `extra_libs` (default -lcuda)."""
    workdir = workdir or os.path.dirname(compiled.obj)
    exe = os.path.join(workdir, compiled.name + ("_run_mt" if threads else "_run"))
    cc = cc or os.environ.get("CC", "cc")
    cmd = [cc, "-O1", "-DONNXC_NAME=" + compiled.name, "-include",
           compiled.header, DRIVER_C, compiled.obj]
    if threads:
        cmd += [RUNTIME_C, "-lpthread"]
    if gpu:
        cmd = cmd[:2] + ["-DONNXC_GPU"] + cmd[2:]
        cmd += [CUDA_SHIM_C, "-I" + os.path.dirname(CUDA_SHIM_C)]
        cmd += list(extra_libs) or ["-lcuda"]
        cmd += ["-lpthread"]
    cmd += ["-lm", "-o", exe]
    try:
        p = _run(cmd, timeout)
    except subprocess.TimeoutExpired:
        raise E2EError("crash", "cc timed out after %gs" % timeout)
    if p.returncode != 0:
        err = _decode(p.stderr)
        raise E2EError("fail", "link error: " + first_error_line(err), err)
    return exe


class DriverInfo:
    def __init__(self, inputs, outputs, workspace):
        self.inputs = inputs  # list of (name, dtype, shape, size_bytes)
        self.outputs = outputs
        self.workspace = workspace


def driver_info(exe: str, timeout: float = DEFAULT_TIMEOUT) -> DriverInfo:
    """Tensor info from the header, via `run -info`."""
    try:
        p = _run([exe, "-info"], timeout)
    except subprocess.TimeoutExpired:
        raise E2EError("crash", "driver -info timed out")
    if p.returncode != 0:
        if p.returncode < 0:
            raise E2EError("crash", "driver -info killed by %s" % _signame(p.returncode))
        raise E2EError("fail", "driver -info exit %d" % p.returncode)
    ins, outs, ws = [], [], 0
    for line in _decode(p.stdout).splitlines():
        parts = line.split(" ")
        if parts[0] == "workspace":
            ws = int(parts[1])
            continue
        # kind idx name... dtype rank dims size  (name may contain spaces)
        kind, size, dims, rank, dtype = parts[0], parts[-1], parts[-2], parts[-3], parts[-4]
        name = " ".join(parts[2:-4])
        shape = [] if dims == "-" else [int(d) for d in dims.split("x")]
        if len(shape) != int(rank):
            raise E2EError("fail", "header tensor info %r: rank %s but %d dims"
                           % (name, rank, len(shape)))
        entry = (name, int(dtype), shape, int(size))
        (ins if kind == "input" else outs).append(entry)
    return DriverInfo(ins, outs, ws)


def run_driver(exe: str, inputs: Sequence[np.ndarray],
               output_specs: Sequence[TensorSpec], workdir: str,
               info: Optional[DriverInfo] = None,
               timeout: float = DEFAULT_TIMEOUT, tag: str = "",
               extra_args: Sequence[str] = ()) -> List[np.ndarray]:
    """Write inputs as .bin, run the driver, read outputs.

    `extra_args` go before the files (e.g. ["-threads", "2"]).

    Output dtype comes from the model's graph outputs; the shape comes from the
    graph when static, else from the header (driver -info).
    """
    info = info or driver_info(exe, timeout)
    if len(inputs) != len(info.inputs):
        raise E2EError("fail", "model expects %d inputs, got %d" %
                       (len(info.inputs), len(inputs)))
    if len(output_specs) != len(info.outputs):
        raise E2EError("fail", "header declares %d outputs, model has %d" %
                       (len(info.outputs), len(output_specs)))
    in_files, out_files = [], []
    for i, (arr, (name, dtype, shape, size)) in enumerate(zip(inputs, info.inputs)):
        data = to_bytes(arr, dtype)
        if len(data) != size:
            raise E2EError("fail", "input %d (%s): %d bytes but header says %d "
                           "(dtype %s shape %s vs header %s)" % (
                               i, name, len(data), size,
                               ONNX_DTYPE_NAMES.get(dtype, dtype),
                               list(np.shape(arr)), shape))
        f = os.path.join(workdir, "%sin%d.bin" % (tag, i))
        with open(f, "wb") as fh:
            fh.write(data)
        in_files.append(f)
    for i in range(len(info.outputs)):
        out_files.append(os.path.join(workdir, "%sout%d.bin" % (tag, i)))
        if os.path.exists(out_files[-1]):
            os.unlink(out_files[-1])
    cmd = [exe] + list(extra_args) + in_files + ["--"] + out_files
    try:
        p = _run(cmd, timeout)
    except subprocess.TimeoutExpired:
        raise E2EError("crash", "driver timed out after %gs" % timeout)
    err = _decode(p.stderr)
    if p.returncode < 0:
        raise E2EError("crash", "driver killed by %s" % _signame(p.returncode), err)
    if p.returncode == 3:
        line = first_error_line(err)
        # Status 2: the model refused the data (an output size or an
        # attribute value it was not compiled for); see docs/c-abi.md.
        if line.endswith("returned 2"):
            raise E2EError("unsupported", "the run refused the data (status 2): "
                           + line, err)
        raise E2EError("fail", "run returned nonzero: " + line, err)
    if p.returncode != 0:
        raise E2EError("fail", "driver exit %d: %s" % (p.returncode,
                                                       first_error_line(err)), err)
    outs = []
    for i, (spec, (hname, hdtype, hshape, hsize)) in enumerate(
            zip(output_specs, info.outputs)):
        if hdtype != spec.dtype:
            raise E2EError("fail", "output %d (%s): header dtype %s, model dtype %s"
                           % (i, spec.name, ONNX_DTYPE_NAMES.get(hdtype, hdtype),
                              ONNX_DTYPE_NAMES.get(spec.dtype, spec.dtype)))
        shape = spec.shape if spec.static else hshape
        with open(out_files[i], "rb") as fh:
            buf = fh.read()
        need = int(np.prod(shape, dtype=np.int64)) * elem_size(spec.dtype)
        if len(buf) != need:
            raise E2EError("fail", "output %d (%s): %d bytes, expected %d for "
                           "shape %s (header shape %s)" % (
                               i, spec.name, len(buf), need, shape, hshape))
        outs.append(from_bytes(buf, spec.dtype, shape))
    return outs


# ---------------------------------------------------------------------------
# comparison


class CompareResult:
    def __init__(self, ok: bool, message: str = "", max_abs: float = 0.0,
                 max_rel: float = 0.0):
        self.ok = ok
        self.message = message
        self.max_abs = max_abs
        self.max_rel = max_rel

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return "CompareResult(ok=%s, max_abs=%g, max_rel=%g, %r)" % (
            self.ok, self.max_abs, self.max_rel, self.message)


def _is_floatlike(dt: np.dtype) -> bool:
    return np.issubdtype(dt, np.floating) or np.issubdtype(dt, np.complexfloating)


def compare_one(actual: np.ndarray, expected: np.ndarray,
                rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> CompareResult:
    """ONNX backend-test semantics.

    Floats: |a - e| <= atol + rtol * |e| elementwise (np.testing.assert_allclose;
    NaN equals NaN, infinities must match).  Integers/bools: exact.
    Shapes must match; dtypes must match (bfloat16 compares as float32).
    """
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        return CompareResult(False, "shape mismatch: got %s, expected %s" % (
            list(actual.shape), list(expected.shape)), float("inf"), float("inf"))
    if actual.dtype != expected.dtype:
        return CompareResult(False, "dtype mismatch: got %s, expected %s" % (
            actual.dtype, expected.dtype), float("inf"), float("inf"))
    if actual.size == 0:
        return CompareResult(True)
    if _is_floatlike(expected.dtype):
        hp = np.complex128 if np.iscomplexobj(expected) else np.float64
        a = actual.astype(hp)
        e = expected.astype(hp)
        nan_a, nan_e = np.isnan(a), np.isnan(e)
        finite = np.isfinite(a) & np.isfinite(e)
        bad = nan_a != nan_e
        # infinities (and other non-finite, non-NaN) must be equal exactly
        nonfin = ~finite & ~nan_a & ~nan_e
        bad |= nonfin & (a != e)
        diff = np.zeros(a.shape, dtype=np.float64)
        diff[finite] = np.abs(a[finite] - e[finite])
        bad |= finite & (diff > atol + rtol * np.abs(e).astype(np.float64))
        max_abs = float(diff.max()) if diff.size else 0.0
        # elementwise relative error over elements whose expected value is
        # nonzero (elements expecting 0 only count in max_abs)
        denom = np.abs(e)[finite]
        nz = denom > 0
        rel = diff[finite][nz] / denom[nz]
        max_rel = float(rel.max()) if rel.size else 0.0
        if (nan_a != nan_e).any() or (nonfin & (a != e)).any():
            max_abs = max_rel = float("inf")
        nbad = int(bad.sum())
        if nbad:
            idx = np.unravel_index(int(np.argmax(bad)), a.shape)
            return CompareResult(False, "%d/%d elements differ (max abs %.3g, max rel "
                                 "%.3g; first at %s: got %r expected %r)" % (
                                     nbad, a.size, max_abs, max_rel, list(idx),
                                     actual[idx].item(), expected[idx].item()),
                                 max_abs, max_rel)
        return CompareResult(True, "", max_abs, max_rel)
    # integer / bool: exact
    neq = actual != expected
    nbad = int(neq.sum())
    if nbad:
        a64 = actual.astype(np.float64)
        e64 = expected.astype(np.float64)
        d = np.abs(a64 - e64)
        max_abs = float(d.max())
        nz = e64 != 0
        r = d[nz] / np.abs(e64[nz])
        idx = np.unravel_index(int(np.argmax(neq)), actual.shape)
        return CompareResult(False, "%d/%d elements differ (first at %s: got %r "
                             "expected %r)" % (nbad, actual.size, list(idx),
                                               actual[idx].item(), expected[idx].item()),
                             max_abs, float(r.max()) if r.size else 0.0)
    return CompareResult(True)


def compare(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray],
            rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
            names: Optional[Sequence[str]] = None) -> CompareResult:
    """Compare lists of outputs; max errors are over all outputs."""
    if len(actual) != len(expected):
        return CompareResult(False, "got %d outputs, expected %d" %
                             (len(actual), len(expected)), float("inf"), float("inf"))
    ok, msgs, max_abs, max_rel = True, [], 0.0, 0.0
    for i, (a, e) in enumerate(zip(actual, expected)):
        r = compare_one(a, e, rtol, atol)
        max_abs = max(max_abs, r.max_abs)
        max_rel = max(max_rel, r.max_rel)
        if not r.ok:
            ok = False
            label = names[i] if names else str(i)
            msgs.append("output %s: %s" % (label, r.message))
    return CompareResult(ok, "; ".join(msgs), max_abs, max_rel)


def relative_error(actual: np.ndarray, expected: np.ndarray, tiny: float = 1e-30) -> float:
    """max|a - b| / max(max|b|, tiny)  (used by the model-level tests)."""
    hp = np.complex128 if (np.iscomplexobj(actual) or np.iscomplexobj(expected)) \
        else np.float64
    a = np.asarray(actual).astype(hp)
    b = np.asarray(expected).astype(hp)
    if a.shape != b.shape:
        return float("inf")
    if a.size == 0:
        return 0.0
    num = float(np.max(np.abs(a - b)))
    if np.isnan(num):
        return float("inf")
    return num / max(float(np.max(np.abs(b))), tiny)


# ---------------------------------------------------------------------------
# ONNX Runtime oracle


def ort_available() -> bool:
    return os.path.isfile(os.path.join(ORT_DIR, "node_modules", "onnxruntime-node",
                                       "package.json")) and shutil.which(
        os.environ.get("ONNXC_NODE", "node")) is not None


def run_ort(model_path: str, inputs: Union[Dict[str, np.ndarray], Sequence[np.ndarray]],
            threads: int = 1, workdir: Optional[str] = None,
            timeout: float = 600.0, opt_level: str = "all") -> List[np.ndarray]:
    """Run the model with onnxruntime-node; returns outputs in graph order.

    inputs: {name: array} or a list in the order of the runtime graph inputs.
    """
    return run_ort_timed(model_path, inputs, threads, workdir, timeout,
                         opt_level)[0]


def run_ort_timed(model_path: str,
                  inputs: Union[Dict[str, np.ndarray], Sequence[np.ndarray]],
                  threads: int = 1, workdir: Optional[str] = None,
                  timeout: float = 600.0, opt_level: str = "all",
                  samples: int = 0, repeat: int = 1):
    """Like run_ort; with samples > 0 also times `samples` samples of
    `repeat` calls after a warm-up. Returns (outputs, mean ms per call of
    each sample)."""
    ins, outs = model_io(model_path)
    if not isinstance(inputs, dict):
        if len(inputs) != len(ins):
            raise E2EError("fail", "ORT: model has %d inputs, got %d" %
                           (len(ins), len(inputs)))
        inputs = {s.name: a for s, a in zip(ins, inputs)}
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="onnxc-ort-")
    try:
        manifest = {"model": os.path.abspath(model_path), "threads": int(threads),
                    "optLevel": opt_level, "inputs": [], "outputs": []}
        if samples > 0:
            manifest["timing"] = {"samples": int(samples), "repeat": int(repeat)}
        spec_by_name = {s.name: s for s in ins}
        for k, (name, arr) in enumerate(inputs.items()):
            spec = spec_by_name.get(name)
            dt = spec.dtype if spec else onnx_dtype_of_array(arr)
            f = os.path.join(workdir, "ort_in%d.bin" % k)
            with open(f, "wb") as fh:
                fh.write(to_bytes(arr, dt))
            manifest["inputs"].append({"name": name, "dtype": ONNX_DTYPE_NAMES[dt],
                                       "shape": [int(d) for d in np.shape(arr)],
                                       "file": f})
        for k, s in enumerate(outs):
            manifest["outputs"].append({"name": s.name,
                                        "file": os.path.join(workdir, "ort_out%d.bin" % k)})
        mpath = os.path.join(workdir, "ort_manifest.json")
        with open(mpath, "w") as fh:
            json.dump(manifest, fh)
        node = os.environ.get("ONNXC_NODE", "node")
        try:
            p = _run([node, ORT_RUN_JS, mpath], timeout)
        except subprocess.TimeoutExpired:
            raise E2EError("crash", "ORT timed out after %gs" % timeout)
        if p.returncode != 0:
            err = _decode(p.stderr)
            raise E2EError("fail", "ORT failed (exit %d): %s" % (
                p.returncode, first_error_line(err) or err[-500:]), err)
        with open(mpath + ".out.json") as fh:
            result = json.load(fh)
        res = []
        for o in result["outputs"]:
            with open(o["file"], "rb") as fh:
                buf = fh.read()
            res.append(from_bytes(buf, ONNX_NAME_TO_DTYPE[o["dtype"]], o["shape"]))
        return res, result.get("sample_ms", [])
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------
# one-shot


def run_compiled(model_path: str, inputs: Union[Dict[str, np.ndarray], Sequence[np.ndarray]],
                 workdir: str, name: str = "model", onnx_compile: Optional[str] = None,
                 extra_args: Sequence[str] = (),
                 shapes: Optional[Dict[str, Sequence[int]]] = None,
                 timeout: float = DEFAULT_TIMEOUT) -> List[np.ndarray]:
    """Compile, link the driver and run on inputs (dict by name, or list)."""
    ins, outs = model_io(model_path)
    if isinstance(inputs, dict):
        missing = [s.name for s in ins if s.name not in inputs]
        if missing:
            raise E2EError("fail", "missing inputs: %s" % missing)
        inputs = [inputs[s.name] for s in ins]
    compiled = compile_model(model_path, workdir, name=name, onnx_compile=onnx_compile,
                             extra_args=extra_args, shapes=shapes, timeout=timeout)
    exe = build_driver(compiled, workdir, timeout=timeout)
    return run_driver(exe, inputs, outs, workdir, timeout=timeout)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--test-data", help="test_data_set_N dir with input_K.pb/output_K.pb")
    ap.add_argument("--ort", action="store_true", help="compare against ONNX Runtime")
    ap.add_argument("--rtol", type=float, default=DEFAULT_RTOL)
    ap.add_argument("--atol", type=float, default=DEFAULT_ATOL)
    ap.add_argument("--shape", action="append", default=[],
                    help="INPUT:1x3x8x8, passed to onnx-compile -shape= and used for random inputs")
    ap.add_argument("--onnx-compile", help="onnx-compile binary (default $ONNX_COMPILE "
                    "or build/bin/onnx-compile)")
    ap.add_argument("--compile-arg", action="append", default=[],
                    help="extra argument for onnx-compile (repeatable)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work-dir")
    ap.add_argument("--keep", action="store_true", help="keep the work dir")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    args = ap.parse_args(argv)

    shapes = dict(_parse_shape_arg(s) for s in args.shape)
    workdir = args.work_dir or tempfile.mkdtemp(prefix="onnxc-e2e-")
    os.makedirs(workdir, exist_ok=True)
    try:
        ins, outs = model_io(args.model)
        if args.test_data:
            inputs, expected = load_test_data_set(args.test_data)
        else:
            rnd = random_inputs(args.model, args.seed, shapes)
            inputs = [rnd[s.name] for s in ins]
            expected = None
        got = run_compiled(args.model, inputs, workdir, onnx_compile=args.onnx_compile,
                           extra_args=args.compile_arg, shapes=shapes, timeout=args.timeout)
        if expected is None or args.ort:
            expected = run_ort(args.model, inputs, workdir=workdir)
        expected = [normalize_expected(e, s.dtype) for e, s in zip(expected, outs)]
        r = compare(got, expected, args.rtol, args.atol, [s.name for s in outs])
        rel = max([relative_error(a, b) for a, b in zip(got, expected)
                   if _is_floatlike(np.asarray(b).dtype)] or [0.0])
        print("max abs error %.3g, max rel error (elementwise) %.3g, "
              "relative error %.3g" % (r.max_abs, r.max_rel, rel))
        if not r.ok:
            print("FAIL: " + r.message)
            return 1
        print("PASS")
        return 0
    except E2EError as e:
        print("%s: %s" % (e.kind.upper(), e.message))
        if e.detail:
            sys.stderr.write(e.detail)
        return 1
    finally:
        if args.keep:
            print("work dir kept: " + workdir)
        elif not args.work_dir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
