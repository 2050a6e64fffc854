#!/usr/bin/python3
"""Regenerates mlp.onnx, the bundled example: a 4-16-3 classifier
(Gemm, Relu, Gemm, Softmax) with fixed pseudo-random weights."""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(42)
inits = [
    numpy_helper.from_array(rng.standard_normal((16, 4)).astype(np.float32) * 0.5, "fc1.weight"),
    numpy_helper.from_array(rng.standard_normal(16).astype(np.float32) * 0.1, "fc1.bias"),
    numpy_helper.from_array(rng.standard_normal((3, 16)).astype(np.float32) * 0.5, "fc2.weight"),
    numpy_helper.from_array(rng.standard_normal(3).astype(np.float32) * 0.1, "fc2.bias"),
]
nodes = [
    helper.make_node("Gemm", ["features", "fc1.weight", "fc1.bias"], ["h"], name="fc1", transB=1),
    helper.make_node("Relu", ["h"], ["h_relu"], name="relu"),
    helper.make_node("Gemm", ["h_relu", "fc2.weight", "fc2.bias"], ["logits"], name="fc2", transB=1),
    helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1),
]
graph = helper.make_graph(
    nodes, "mlp",
    [helper.make_tensor_value_info("features", TensorProto.FLOAT, [1, 4])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 3])],
    inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                          producer_name="onnx-compile-example")
onnx.checker.check_model(model)
onnx.save(model, "mlp.onnx")
