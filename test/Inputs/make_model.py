#!/usr/bin/python3
"""Builds the small ONNX models the lit tests compile.

    make_model.py NAME OUT.onnx

Every model is made with onnx.helper so that tests need no binary files.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def graph_model(nodes, inputs, outputs, inits=(), opset=17, name="g"):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)],
        producer_name="onnx-compile-tests")


def tensor(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def add_model():
    return graph_model(
        [helper.make_node("Add", ["x", "y"], ["z"], name="add0")],
        [tensor("x", [2, 3]), tensor("y", [3])], [tensor("z", [2, 3])])


def mlp_model():
    rng = np.random.default_rng(0)
    w1 = numpy_helper.from_array(rng.standard_normal((4, 8)).astype(np.float32), "w1")
    b1 = numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "b1")
    w2 = numpy_helper.from_array(rng.standard_normal((8, 3)).astype(np.float32), "w2")
    nodes = [
        helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1"),
        helper.make_node("Relu", ["h"], ["r"], name="relu1"),
        helper.make_node("MatMul", ["r", "w2"], ["y"], name="fc2"),
    ]
    return graph_model(nodes, [tensor("x", [1, 4])], [tensor("y", [1, 3])],
                       [w1, b1, w2])


def wide_mlp_model():
    """An MLP with 20.7 KB of weights: too large for LLVM to fold into code."""
    rng = np.random.default_rng(0)
    w1 = numpy_helper.from_array(rng.standard_normal((64, 64)).astype(np.float32), "w1")
    b1 = numpy_helper.from_array(rng.standard_normal(64).astype(np.float32), "b1")
    w2 = numpy_helper.from_array(rng.standard_normal((64, 16)).astype(np.float32), "w2")
    nodes = [
        helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1"),
        helper.make_node("Relu", ["h"], ["r"], name="relu1"),
        helper.make_node("MatMul", ["r", "w2"], ["y"], name="fc2"),
    ]
    return graph_model(nodes, [tensor("x", [1, 64])], [tensor("y", [1, 16])],
                       [w1, b1, w2])


def range_model():
    """Range with run-time bounds, compiled for the declared length 4."""
    scalar = lambda n: helper.make_tensor_value_info(n, TensorProto.INT64, [])
    return graph_model(
        [helper.make_node("Range", ["start", "limit", "delta"], ["y"], name="range0")],
        [scalar("start"), scalar("limit"), scalar("delta")],
        [helper.make_tensor_value_info("y", TensorProto.INT64, [4])])


def transcendental_model():
    """exp, log, erf, tanh, sigmoid, sin and pow of one float32 input."""
    nodes = [
        helper.make_node("Exp", ["x"], ["e"], name="exp0"),
        helper.make_node("Log", ["e"], ["l"], name="log0"),
        helper.make_node("Erf", ["l"], ["r"], name="erf0"),
        helper.make_node("Tanh", ["r"], ["t"], name="tanh0"),
        helper.make_node("Sigmoid", ["t"], ["s"], name="sigmoid0"),
        helper.make_node("Sin", ["s"], ["n"], name="sin0"),
        helper.make_node("Pow", ["n", "e"], ["y"], name="pow0"),
    ]
    return graph_model(nodes, [tensor("x", [1, 4])], [tensor("y", [1, 4])])


def fmod_model():
    return graph_model(
        [helper.make_node("Mod", ["x", "y"], ["z"], name="mod0", fmod=1)],
        [tensor("x", [4]), tensor("y", [4])], [tensor("z", [4])])


def symbolic_model():
    return graph_model(
        [helper.make_node("Relu", ["x"], ["y"], name="relu0")],
        [tensor("x", ["batch", 4])], [tensor("y", ["batch", 4])])


def unknown_op_model():
    model = graph_model(
        [helper.make_node("Relu", ["x"], ["r"], name="relu0"),
         helper.make_node("FancyOp", ["r"], ["y"], name="fancy", domain="com.example")],
        [tensor("x", [4])], [tensor("y", [4])])
    model.opset_import.append(helper.make_opsetid("com.example", 1))
    return model


def unsupported_op_model():
    # A real ONNX op that the compiler does not lower: random sampling.
    return graph_model(
        [helper.make_node("Multinomial", ["x"], ["y"], name="multinomial0",
                          sample_size=2)],
        [tensor("x", [1, 8])], [tensor("y", [1, 2], TensorProto.INT32)])


def data_dependent_model():
    # NonMaxSuppression's output size depends on the data.
    return graph_model(
        [helper.make_node("NonMaxSuppression", ["b", "s"], ["y"], name="nms")],
        [tensor("b", [1, 4, 4]), tensor("s", [1, 1, 4])],
        [tensor("y", [None, 3], TensorProto.INT64)])


def absurd_shape_model():
    return graph_model(
        [helper.make_node("Relu", ["x"], ["y"], name="relu0")],
        [tensor("x", [100000, 100000, 100000])],
        [tensor("y", [100000, 100000, 100000])])


def old_opset_model():
    # Opset 9: Unsqueeze takes axes as an attribute, converted to opset 17.
    return graph_model(
        [helper.make_node("Unsqueeze", ["x"], ["y"], name="unsq", axes=[0])],
        [tensor("x", [3])], [tensor("y", [1, 3])], opset=9)


def new_opset_model():
    model = add_model()
    model.opset_import[0].version = 99
    return model


def external_model(location):
    weight = numpy_helper.from_array(np.arange(4, dtype=np.float32), "w")
    weight.ClearField("raw_data")
    weight.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", "16")):
        entry = weight.external_data.add()
        entry.key, entry.value = key, value
    return graph_model(
        [helper.make_node("Add", ["x", "w"], ["y"], name="addw")],
        [tensor("x", [4])], [tensor("y", [4])], [weight])


def hardswish_model():
    return graph_model(
        [helper.make_node("HardSwish", ["x"], ["y"], name="hs")],
        [tensor("x", [2, 3])], [tensor("y", [2, 3])])


def shape_chain_model():
    # y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): the
    # target shape is computed at run time from Shape, as exporters do.
    axis0 = numpy_helper.from_array(np.array(0, dtype=np.int64), "zero")
    minus1 = numpy_helper.from_array(np.array([-1], dtype=np.int64), "minus1")
    axes = numpy_helper.from_array(np.array([0], dtype=np.int64), "axes")
    nodes = [
        helper.make_node("Shape", ["x"], ["s"], name="shape"),
        helper.make_node("Gather", ["s", "zero"], ["n"], name="gather"),
        helper.make_node("Unsqueeze", ["n", "axes"], ["n1"], name="unsq"),
        helper.make_node("Concat", ["n1", "minus1"], ["target"], name="concat", axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"], name="reshape"),
    ]
    return graph_model(nodes, [tensor("x", [2, 3, 4])], [tensor("y", [None, None])],
                       [axis0, minus1, axes])


def constant_of_shape_chain_model():
    # y = Reshape(x, Concat(Shape(x), ConstantOfShape(Neg([-1]), value=1))):
    # the trailing 1s of a reduced shape, built as ONNX's LayerNormalization
    # function body does.
    axis = numpy_helper.from_array(np.array([-1], dtype=np.int64), "axis")
    one = numpy_helper.from_array(np.array([1], dtype=np.int64))
    nodes = [
        helper.make_node("Shape", ["x"], ["s"], name="shape"),
        helper.make_node("Neg", ["axis"], ["count"], name="neg"),
        helper.make_node("ConstantOfShape", ["count"], ["ones"], name="ones",
                         value=one),
        helper.make_node("Concat", ["s", "ones"], ["target"], name="concat", axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"], name="reshape"),
    ]
    return graph_model(nodes, [tensor("x", [2, 3])], [tensor("y", [None, None, None])],
                       [axis])


MODELS = {
    "hardswish": hardswish_model,
    "shape_chain": shape_chain_model,
    "constant_of_shape_chain": constant_of_shape_chain_model,
    "add": add_model,
    "mlp": mlp_model,
    "symbolic": symbolic_model,
    "unknown_op": unknown_op_model,
    "unsupported_op": unsupported_op_model,
    "transcendental": transcendental_model,
    "range": range_model,
    "wide_mlp": wide_mlp_model,
    "fmod": fmod_model,
    "data_dependent": data_dependent_model,
    "absurd_shape": absurd_shape_model,
    "old_opset": old_opset_model,
    "new_opset": new_opset_model,
}


def main():
    name, out = sys.argv[1], sys.argv[2]
    if name == "external_ok":
        np.arange(4, dtype=np.float32).tofile(os.path.join(os.path.dirname(out) or ".", "w.bin"))
        model = external_model("w.bin")
    elif name == "external_escape":
        model = external_model("../escape.bin")
    elif name == "external_absolute":
        model = external_model("/etc/passwd")
    else:
        model = MODELS[name]()
    with open(out, "wb") as f:
        f.write(model.SerializeToString())


if __name__ == "__main__":
    main()
