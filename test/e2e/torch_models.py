#!/usr/bin/python3
"""PyTorch models exported to ONNX for the end-to-end tests.

All models use torch.manual_seed(0) random weights, eval mode, static shapes
(no dynamic_axes) and pass onnx.checker (full_check, i.e. with shape
inference).

  export(name, path, opset=13) -> path
  example_inputs(name, seed=0) -> {input_name: np.ndarray}
  MODELS: name -> input shape

CLI: torch_models.py NAME OUT.onnx [--opset N]      (NAME 'all': OUT is a dir)
"""

import argparse
import os
import sys
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn

# name -> (input name, input shape)
MODELS = {
    "mlp": ("input", (4, 64)),
    "resnet18": ("input", (1, 3, 224, 224)),
    "mobilenet_v2": ("input", (1, 3, 224, 224)),
    "squeezenet1_1": ("input", (1, 3, 224, 224)),
    "transformer": ("input", (1, 16, 64)),  # batch 1, seq 16, d_model 64
    "kws_cnn": ("input", (1, 1, 49, 10)),  # 49 frames x 10 MFCCs
    "lstm": ("input", (2, 12, 16)),  # batch 2, 12 steps, 16 features
    "gru": ("input", (2, 12, 16)),
}
OPSETS = range(13, 18)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(64, 128), nn.ReLU(),
            nn.Linear(128, 128), nn.GELU(),
            nn.Linear(128, 10), nn.Softmax(dim=-1))

    def forward(self, x):
        return self.net(x)


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128,
                                           dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2,
                                             enable_nested_tensor=False)

    def forward(self, x):
        return self.encoder(x)


class KwsCNN(nn.Module):
    """A keyword-spotting CNN sized for a Cortex-M (about 15k parameters,
    60 KB of float weights): 49x10 MFCC frames in, 12 keyword scores out."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=(10, 4), stride=(2, 2), padding=(5, 1)),
            nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, kernel_size=3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1))
        self.classifier = nn.Linear(32, 12)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class SequenceClassifier(nn.Module):
    """A two-layer bidirectional LSTM or GRU (batch first) whose last step
    feeds a linear classifier: the exporter emits bidirectional LSTM/GRU
    nodes (GRU with linear_before_reset) between Transposes and Slices."""

    def __init__(self, cell):
        super().__init__()
        self.rnn = cell(input_size=16, hidden_size=24, num_layers=2,
                        batch_first=True, bidirectional=True)
        self.classifier = nn.Linear(48, 5)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.classifier(y[:, -1])


def build(name: str) -> nn.Module:
    torch.manual_seed(0)
    if name == "mlp":
        m = MLP()
    elif name == "transformer":
        m = Transformer()
    elif name == "kws_cnn":
        m = KwsCNN()
    elif name == "lstm":
        m = SequenceClassifier(nn.LSTM)
    elif name == "gru":
        m = SequenceClassifier(nn.GRU)
    elif name in ("resnet18", "mobilenet_v2", "squeezenet1_1"):
        import torchvision
        m = getattr(torchvision.models, name)(weights=None)
    else:
        raise ValueError("unknown model %r (have %s)" % (name, ", ".join(MODELS)))
    m.eval()
    return m


def example_inputs(name: str, seed: int = 0):
    """Deterministic float32 standard-normal inputs."""
    iname, shape = MODELS[name]
    rng = np.random.RandomState(seed)
    return {iname: rng.standard_normal(shape).astype(np.float32)}


def export(name: str, path: str, opset: int = 13, batch: int = 0) -> str:
    """Export model `name` to ONNX file `path` at `opset` (13..17); `batch`
    replaces the first dim of the input shape when nonzero."""
    if opset not in OPSETS:
        raise ValueError("opset %d not in 13..17" % opset)
    model = build(name)
    iname, shape = MODELS[name]
    if batch:
        shape = (batch,) + tuple(shape[1:])
    torch.manual_seed(0)
    x = torch.randn(*shape)
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    # Grad mode stays enabled on purpose: with grad enabled and parameters
    # that require grad, torch 1.13 skips the TransformerEncoderLayer /
    # MultiheadAttention "fast path" (aten::_transformer_encoder_layer_fwd,
    # _native_multi_head_attention), which has no ONNX export.
    with torch.enable_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), path, opset_version=opset,
                          input_names=[iname], output_names=["output"],
                          do_constant_folding=True,
                          training=torch.onnx.TrainingMode.EVAL)
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    for vi in list(m.graph.input) + list(m.graph.output):
        dims = vi.type.tensor_type.shape.dim
        if not all(dd.WhichOneof("value") == "dim_value" for dd in dims):
            raise RuntimeError("%s: %s has a dynamic shape" % (path, vi.name))
    return path


def torch_reference(name: str, inputs):
    """Run the PyTorch model itself (same seed => same weights)."""
    model = build(name)
    with torch.no_grad():
        out = model(*[torch.from_numpy(v) for v in inputs.values()])
    return [out.numpy()]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("name", choices=list(MODELS) + ["all"])
    ap.add_argument("out")
    ap.add_argument("--opset", type=int, default=13)
    args = ap.parse_args(argv)
    names = list(MODELS) if args.name == "all" else [args.name]
    for n in names:
        p = os.path.join(args.out, n + ".onnx") if args.name == "all" else args.out
        export(n, p, args.opset)
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
