#!/usr/bin/python3
"""Min and max reductions propagate NaN, through the real object path.

    test_nan_reductions.py

vectorize-reductions computes a max pool, ReduceMax, ReduceMin and
Softmax's row max with one compare-and-select a step (x86 vmaxps) and
tracks separately whether every element was a number (see minMaxStep):
an output whose window or row holds a NaN must still be NaN, and every
other output the exact maximum (or minimum). Builds small ONNX models
whose rows are long enough to be vectorized, feeds inputs with NaNs at
scattered places, runs the compiled object, and compares with NumPy
(np.max propagates NaN). Prints one line per model; exit 0 when all hold.
"""

import os
import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "utils"))

import onnx_e2e as E  # noqa: E402


def model(node, in_shape, out_shape, path):
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)])
    import onnx
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
              path)
    return path


def max_pool_reference(x, k, s):
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    y = np.empty((n, c, oh, ow), np.float32)
    for i in range(oh):
        for j in range(ow):
            y[:, :, i, j] = np.max(x[:, :, i * s:i * s + k, j * s:j * s + k],
                                   axis=(2, 3))
    return y


def cases():
    # 3x3 stride-2 max pool on 2x4x35x35: rows of 17 outputs, lanes gather
    # every other element; stride 1 on 2x3x20x40.
    yield ("max_pool_s2",
           helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3],
                            strides=[2, 2]),
           (2, 4, 35, 35), (2, 4, 17, 17), lambda x: max_pool_reference(x, 3, 2))
    yield ("max_pool_s1",
           helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2]),
           (2, 3, 20, 40), (2, 3, 19, 39), lambda x: max_pool_reference(x, 2, 1))
    yield ("reduce_max",
           helper.make_node("ReduceMax", ["x"], ["y"], axes=[1], keepdims=0),
           (3, 50, 64), (3, 64), lambda x: np.max(x, axis=1))
    yield ("reduce_min",
           helper.make_node("ReduceMin", ["x"], ["y"], axes=[1], keepdims=0),
           (3, 50, 64), (3, 64), lambda x: np.min(x, axis=1))


def main():
    exe = E.find_onnx_compile()
    rng = np.random.default_rng(0)
    ok = True
    with tempfile.TemporaryDirectory(prefix="onnxc-nan-") as work:
        for name, node, in_shape, out_shape, reference in cases():
            path = model(node, in_shape, out_shape, os.path.join(work, name + ".onnx"))
            x = rng.standard_normal(in_shape).astype(np.float32)
            flat = x.reshape(-1)
            flat[rng.choice(flat.size, size=max(1, flat.size // 200),
                            replace=False)] = np.nan
            # Signed zeros and infinities too: the maximum of -0 and +0 may
            # be either (they compare equal), infinities are numbers.
            flat[rng.choice(flat.size, size=20, replace=False)] = -np.inf
            flat[rng.choice(flat.size, size=20, replace=False)] = np.inf
            expected = reference(x)
            try:
                actual = E.run_compiled(path, [x], os.path.join(work, name))[0]
            except E.E2EError as e:
                print("%s: FAIL: %s" % (name, e))
                ok = False
                continue
            nan_expected = np.isnan(expected)
            good = (actual.shape == expected.shape and
                    np.array_equal(np.isnan(actual), nan_expected) and
                    np.array_equal(actual[~nan_expected], expected[~nan_expected]))
            ok &= good
            print("%s: %d outputs, %d NaN: %s" % (name, expected.size,
                                                 int(nan_expected.sum()),
                                                 "PASS" if good else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
