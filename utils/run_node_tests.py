#!/usr/bin/python3
"""ONNX node conformance runner for onnx-compile.

For every test directory under the data dir (default
/usr/share/libonnx-testdata/data/node/*/, each with model.onnx and
test_data_set_N/{input,output}_K.pb):

  compile with onnx-compile, link test/e2e/driver.c, run every data set and
  compare with ONNX tolerance semantics (floats rtol 1e-3 atol 1e-7, NaN==NaN;
  integers and bools exact).

Each case ends up as one of:
  pass         all data sets match
  fail         wrong result (max abs/rel error recorded), link error, run()
               returned nonzero, missing/misshaped outputs
  unsupported  onnx-compile exited 1 with an "error:" line (line recorded)
  crash        onnx-compile or the driver died from a signal or timed out, or
               onnx-compile exited with a code other than 0/1
  skip         the model uses non-tensor types (sequence/optional/map/sparse),
               strings, or an operator domain other than ai.onnx

Output: one line per non-passing, non-skipped case (sorted), then
  "K skipped" (and expected-failure / unexpected-pass counts) and last
  "N passed, M failed" where M = fail + crash + unsupported.

Exit status: 0 if every fail/crash/unsupported case is listed in
--expected-failures (or there are none), else 1.  Listed cases that pass are
reported as "unexpected pass" (a warning only).  2 on usage errors.

Examples:
  utils/run_node_tests.py -j2
  utils/run_node_tests.py --filter 'test_(add|mul)' --json /tmp/r.json
  ONNX_COMPILE=build/bin/onnx-compile utils/run_node_tests.py \\
      --expected-failures test/e2e/node_expected_failures.txt
"""

import argparse
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnx_e2e as E  # noqa: E402

DEFAULT_DATA_DIR = "/usr/share/libonnx-testdata/data/node"
DEFAULT_DOMAINS = ("", "ai.onnx")

# Ops whose results are sequences / optionals / maps (used to catch internal
# non-tensor values in models whose inputs and outputs are tensors).
NON_TENSOR_OPS = {
    "SequenceConstruct", "SequenceEmpty", "SequenceInsert", "SequenceErase",
    "SequenceAt", "SequenceLength", "SplitToSequence", "ConcatFromSequence",
    "SequenceMap", "Optional", "OptionalHasElement", "OptionalGetElement",
}


# ---------------------------------------------------------------------------
# skip detection


def _type_problem(tp, where):
    """Reason string if TypeProto tp is not a plain non-string tensor."""
    kind = tp.WhichOneof("value")
    if kind is None:
        return None  # untyped value_info: not a statement about the type
    if kind != "tensor_type":
        return "%s has %s type" % (where, kind.replace("_type", ""))
    if tp.tensor_type.elem_type == E.STRING:
        return "%s is a string tensor" % where
    return None


def _tensor_problem(t, where):
    if t.data_type == E.STRING:
        return "%s is a string tensor" % where
    return None


def _graph_problems(g, path="graph"):
    for vi in g.input:
        r = _type_problem(vi.type, "input '%s'" % vi.name)
        if r:
            yield r
    for vi in g.output:
        r = _type_problem(vi.type, "output '%s'" % vi.name)
        if r:
            yield r
    for vi in g.value_info:
        r = _type_problem(vi.type, "value '%s'" % vi.name)
        if r:
            yield r
    for t in g.initializer:
        r = _tensor_problem(t, "initializer '%s'" % t.name)
        if r:
            yield r
    if len(g.sparse_initializer):
        yield "sparse initializer"
    for n in g.node:
        if n.domain not in DEFAULT_DOMAINS:
            yield "op %s in domain '%s'" % (n.op_type, n.domain)
        if n.op_type in NON_TENSOR_OPS:
            yield "op %s (non-tensor values)" % n.op_type
        for a in n.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                r = _tensor_problem(a.t, "attribute %s.%s" % (n.op_type, a.name))
                if r:
                    yield r
            elif a.type in (onnx.AttributeProto.STRINGS,) and n.op_type in (
                    "Constant",):
                yield "string constant"
            elif a.type == onnx.AttributeProto.SPARSE_TENSOR:
                yield "sparse tensor attribute %s.%s" % (n.op_type, a.name)
            elif a.type == onnx.AttributeProto.TYPE_PROTO:
                r = _type_problem(a.tp, "attribute %s.%s" % (n.op_type, a.name))
                if r:
                    yield r
            elif a.type == onnx.AttributeProto.INT and n.op_type in (
                    "Cast", "CastLike", "EyeLike", "RandomNormal", "RandomUniform",
                    "RandomNormalLike", "RandomUniformLike", "Multinomial") and \
                    a.name in ("to", "dtype") and a.i == E.STRING:
                yield "%s to string" % n.op_type
            if a.type == onnx.AttributeProto.GRAPH:
                for r in _graph_problems(a.g, path + "/" + n.op_type):
                    yield r
            elif a.type == onnx.AttributeProto.GRAPHS:
                for sg in a.graphs:
                    for r in _graph_problems(sg, path + "/" + n.op_type):
                        yield r


def skip_reason(model):
    """Why a model is outside what the runner tests (None: tensor-only)."""
    for op in model.opset_import:
        if op.domain not in DEFAULT_DOMAINS:
            return "opset import of domain '%s'" % op.domain
    for f in model.functions:
        if f.domain not in DEFAULT_DOMAINS:
            return "model-local function %s in domain '%s'" % (f.name, f.domain)
    for r in _graph_problems(model.graph):
        return r
    return None


def data_set_problem(case_dir):
    """Data sets that are not TensorProtos (sequence/optional/map pb files)."""
    for d in sorted(os.listdir(case_dir)):
        if not d.startswith("test_data_set_"):
            continue
        for f in sorted(os.listdir(os.path.join(case_dir, d))):
            if not f.endswith(".pb"):
                continue
            t = onnx.TensorProto()
            try:
                with open(os.path.join(case_dir, d, f), "rb") as fh:
                    t.ParseFromString(fh.read())
            except Exception:  # noqa: BLE001
                return "%s/%s is not a TensorProto" % (d, f)
            if t.data_type == 0 or t.data_type == E.STRING:
                return "%s/%s is not a numeric TensorProto" % (d, f)
    return None


# ---------------------------------------------------------------------------
# one case


def run_case(task):
    name, case_dir, opts = task
    t0 = time.time()
    res = {"name": name, "status": None, "detail": "", "max_abs_err": None,
           "max_rel_err": None, "data_sets": 0}
    work = os.path.join(opts["work_dir"], name)
    try:
        model_path = os.path.join(case_dir, "model.onnx")
        try:
            model = onnx.load(model_path)
        except Exception as e:  # noqa: BLE001
            res.update(status="skip", detail="cannot load model: %s" % e)
            return res
        reason = skip_reason(model) or data_set_problem(case_dir)
        if reason:
            res.update(status="skip", detail=reason)
            return res
        if opts["list_only"]:
            res.update(status="pass", detail="(not run)")
            return res
        ins, outs = E.model_io(model)
        sets = sorted((d for d in os.listdir(case_dir) if d.startswith("test_data_set_")),
                      key=lambda d: int(d.rsplit("_", 1)[1]))
        # Some test data disagree with the shapes the model declares (e.g.
        # the 'like' input of test_castlike_*BFLOAT16*), or the model leaves
        # dims symbolic: pass the data set 0 shapes with -shape=NAME:DIMS.
        shapes = {}
        if sets:
            inputs0, _ = E.load_test_data_set(os.path.join(case_dir, sets[0]))
            for spec, arr in zip(ins, inputs0):
                if np.ndim(arr) > 0 and (not spec.static or
                                         list(spec.shape) != list(np.shape(arr))):
                    shapes[spec.name] = list(np.shape(arr))
        if shapes:
            res["shape_overrides"] = shapes
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        if opts["ptxas"]:
            for chip in opts["ptxas"]:
                E.assemble_ptx(model_path, work, chip,
                               onnx_compile=opts["onnx_compile"],
                               shapes=shapes, ptxas=opts["ptxas_path"],
                               timeout=opts["timeout"])
            res["status"] = "pass"
            return res
        compile_args = list(opts["compile_args"])
        if opts["gpu"]:
            compile_args += ["-target=nvptx64", "-mcpu=" + opts["gpu"]]
        compiled = E.compile_model(model_path, work, name="model",
                                   onnx_compile=opts["onnx_compile"],
                                   extra_args=compile_args,
                                   shapes=shapes, timeout=opts["timeout"])
        exe = E.build_driver(compiled, work, timeout=opts["timeout"],
                             gpu=bool(opts["gpu"]))
        info = E.driver_info(exe, opts["timeout"])
        max_abs = max_rel = 0.0
        msgs = []
        for k, d in enumerate(sets):
            inputs, expected = E.load_test_data_set(os.path.join(case_dir, d))
            expected = [E.normalize_expected(e, o.dtype) for e, o in zip(expected, outs)]
            got = E.run_driver(exe, inputs, outs, work, info=info,
                               timeout=opts["timeout"], tag="s%d_" % k)
            r = E.compare(got, expected, opts["rtol"], opts["atol"],
                          [o.name for o in outs])
            max_abs = max(max_abs, r.max_abs)
            max_rel = max(max_rel, r.max_rel)
            if not r.ok:
                msgs.append("%s: %s" % (d, r.message))
        res["data_sets"] = len(sets)
        res["max_abs_err"] = max_abs
        res["max_rel_err"] = max_rel
        if msgs:
            res.update(status="fail", detail="; ".join(msgs))
        else:
            res["status"] = "pass"
    except E.E2EError as e:
        res.update(status=e.kind, detail=e.message)
    except Exception as e:  # noqa: BLE001  (harness bug: report, don't die)
        res.update(status="crash", detail="harness exception: %s: %s" % (
            type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
        if opts["verbose"]:
            traceback.print_exc()
    finally:
        res["time_s"] = round(time.time() - t0, 3)
        if not opts["keep"]:
            shutil.rmtree(work, ignore_errors=True)
    return res


# ---------------------------------------------------------------------------


def read_expected_failures(path):
    names = {}
    with open(path) as fh:
        for line in fh:
            body, _, reason = line.partition("#")
            body = body.strip()
            if body:
                names[body.split()[0]] = reason.strip()
    return names


def _fmt_err(r):
    if r.get("max_abs_err") is None:
        return ""
    return " [max abs err %.3g, max rel err %.3g]" % (r["max_abs_err"], r["max_rel_err"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=DEFAULT_DATA_DIR,
                    help="folder of test_* case dirs (default %(default)s)")
    ap.add_argument("--filter", help="regex searched in test dir names")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--expected-failures", metavar="FILE", action="append",
                    default=[],
                    help="'test_name  # reason' per line (repeatable: the "
                         "lists are joined)")
    ap.add_argument("--json", metavar="OUT", help="write per-case results as JSON")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds per step (compile, link, each run); default %(default)s")
    ap.add_argument("--onnx-compile", help="onnx-compile binary (default $ONNX_COMPILE "
                    "or build/bin/onnx-compile)")
    ap.add_argument("--compile-arg", action="append", default=[],
                    help="extra onnx-compile argument (repeatable), e.g. -O2")
    ap.add_argument("--rtol", type=float, default=E.DEFAULT_RTOL)
    ap.add_argument("--atol", type=float, default=E.DEFAULT_ATOL)
    ap.add_argument("--work-dir", help="where per-case temp dirs go (default: a new tempdir)")
    ap.add_argument("--keep", action="store_true", help="keep per-case work dirs")
    ap.add_argument("--show-skips", action="store_true", help="print one line per skip")
    ap.add_argument("--list-only", action="store_true",
                    help="only classify skip / runnable, compile nothing")
    ap.add_argument("--ptxas", metavar="CHIPS",
                    help="compile-only GPU check: compile each model's kernels "
                         "for these GPUs (comma-separated, e.g. sm_80,sm_90) "
                         "and pass when CUDA's ptxas accepts the PTX")
    ap.add_argument("--ptxas-path", default=os.path.join(
        os.environ.get("CUDA_PATH") or "/usr/local/cuda", "bin", "ptxas"))
    ap.add_argument("--gpu", metavar="CHIP",
                    help="compile for -target=nvptx64 -mcpu=CHIP and run on "
                         "the GPU (links runtime/cuda.c and -lcuda)")
    ap.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")
    args = ap.parse_args(argv)

    if not os.path.isdir(args.data_dir):
        print("error: no data dir %s" % args.data_dir, file=sys.stderr)
        return 2
    exe = E.find_onnx_compile(args.onnx_compile)
    if not args.list_only and not os.access(exe, os.X_OK):
        print("error: onnx-compile not found or not executable: %s" % exe, file=sys.stderr)
        return 2
    pat = re.compile(args.filter) if args.filter else None
    cases = sorted(d for d in os.listdir(args.data_dir)
                   if os.path.isfile(os.path.join(args.data_dir, d, "model.onnx"))
                   and (pat is None or pat.search(d)))
    expected = {}
    for path in args.expected_failures:
        expected.update(read_expected_failures(path))

    own_work = args.work_dir is None
    work_dir = args.work_dir or tempfile.mkdtemp(prefix="onnxc-node-")
    os.makedirs(work_dir, exist_ok=True)
    opts = {"work_dir": os.path.abspath(work_dir), "onnx_compile": exe,
            "compile_args": args.compile_arg, "timeout": args.timeout,
            "rtol": args.rtol, "atol": args.atol, "keep": args.keep,
            "verbose": args.verbose, "list_only": args.list_only,
            "ptxas": args.ptxas.split(",") if args.ptxas else None,
            "ptxas_path": args.ptxas_path, "gpu": args.gpu}
    tasks = [(c, os.path.join(args.data_dir, c), opts) for c in cases]
    results = []
    try:
        jobs = max(1, args.jobs)
        if jobs == 1:
            it = map(run_case, tasks)
            pool = None
        else:
            pool = multiprocessing.Pool(jobs)
            it = pool.imap_unordered(run_case, tasks)
        for k, r in enumerate(it):
            results.append(r)
            if args.verbose:
                print("[%d/%d] %s: %s" % (k + 1, len(tasks), r["name"], r["status"]),
                      file=sys.stderr)
        if pool:
            pool.close()
            pool.join()
    finally:
        if own_work and not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
    results.sort(key=lambda r: r["name"])

    counts = {s: 0 for s in ("pass", "fail", "crash", "unsupported", "skip")}
    unexpected = []
    xfail = 0
    unexpected_pass = []
    for r in results:
        counts[r["status"]] += 1
        r["expected_failure"] = r["name"] in expected
        if r["status"] in ("fail", "crash", "unsupported"):
            tag = "XFAIL" if r["expected_failure"] else r["status"].upper()
            print("%s: %s: %s%s" % (tag, r["name"], r["detail"], _fmt_err(r)))
            if r["expected_failure"]:
                xfail += 1
            else:
                unexpected.append(r["name"])
        elif r["status"] == "pass" and r["expected_failure"]:
            unexpected_pass.append(r["name"])
            print("UNEXPECTED PASS: %s (listed in %s: %s)" % (
                r["name"], ", ".join(os.path.basename(p) for p in args.expected_failures),
                expected[r["name"]] or "no reason"))
        elif r["status"] == "skip" and args.show_skips:
            print("SKIP: %s: %s" % (r["name"], r["detail"]))

    if args.json:
        for r in results:  # strict JSON: no Infinity/NaN
            for k in ("max_abs_err", "max_rel_err"):
                v = r.get(k)
                if isinstance(v, float) and not np.isfinite(v):
                    r[k] = str(v)
        with open(args.json, "w") as fh:
            json.dump({"onnx_compile": exe, "data_dir": args.data_dir,
                       "counts": counts, "unexpected_failures": unexpected,
                       "unexpected_passes": unexpected_pass, "results": results},
                      fh, indent=1)

    nfail = counts["fail"] + counts["crash"] + counts["unsupported"]
    print("%d skipped; failures: %d fail, %d crash, %d unsupported; "
          "%d expected failures, %d unexpected failures, %d unexpected passes" % (
              counts["skip"], counts["fail"], counts["crash"], counts["unsupported"],
              xfail, len(unexpected), len(unexpected_pass)))
    print("%d passed, %d failed" % (counts["pass"], nfail))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
