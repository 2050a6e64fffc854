#!/usr/bin/python3
"""Generate the ODS op definitions of the ONNX dialect from ONNX's schemas.

The ONNX dialect has one op per operator of the default ONNX domain. This
script reads ONNX's operator schema registry (the `onnx` Python package) and
writes `include/OnnxCompile/Dialect/ONNX/IR/ONNXGeneratedOps.td`, which is
committed to the repository so that building the compiler does not need the
`onnx` package.

For every operator of the default domain, the newest schema whose
`since_version` is at most MAX_OPSET is used; operators whose selected schema
is deprecated are skipped. Ops are emitted sorted by name, so the output only
depends on the installed `onnx` version and on this script.

Usage:
  /usr/bin/python3 utils/gen_onnx_ops.py          # rewrite the .td file
  /usr/bin/python3 utils/gen_onnx_ops.py --check  # exit 1 if it is stale

Naming: ONNX input and output names become ODS operand and result names,
sanitized so that they are valid C++ identifiers and so that the accessors
ODS derives from them (get<CamelName>, ...) neither collide with each other,
with the accessors of the op's attributes, nor with the op's built-in API.
A renamed value gets a trailing `_` (e.g. `input` stays `input`, but an input
named `axis` next to an attribute `axis` would become `axis_`). Attribute
names are kept verbatim (the importer sets them by their ONNX name) unless
they are unusable (a C++ keyword, or an accessor of the op's own API, such as
`type`, whose getType() would shadow the result type getter); such renames
are printed by `--verbose` and noted in the op's description.
"""

import argparse
import difflib
import math
import re
import struct
import sys
import textwrap
from pathlib import Path

import onnx
from onnx import defs

#===----------------------------------------------------------------------===#
# Configuration
#===----------------------------------------------------------------------===#

# Newest ONNX opset the dialect models.
MAX_OPSET = 17

# The default ONNX operator domain.
ONNX_DOMAIN = ""

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_RELPATH = "include/OnnxCompile/Dialect/ONNX/IR/ONNXGeneratedOps.td"
BASE_TD_INCLUDE = "OnnxCompile/Dialect/ONNX/IR/ONNXBase.td"
REGENERATE_COMMAND = "/usr/bin/python3 utils/gen_onnx_ops.py"

# Ops that get `let hasVerifier = 1;`; their verify() is hand-written in C++.
CUSTOM_VERIFIERS = {
    "AveragePool",
    "BatchNormalization",
    "Cast",
    "Concat",
    "Conv",
    "Expand",
    "Flatten",
    "Gather",
    "Gemm",
    "MatMul",
    "MaxPool",
    "ReduceMean",
    "ReduceSum",
    "Reshape",
    "Slice",
    "Softmax",
    "Split",
    "Squeeze",
    "Transpose",
    "Unsqueeze",
}

# Ops that get `let hasFolder = 1;`; their fold() is hand-written in C++.
CUSTOM_FOLDERS = set()

# Ops whose results are not a function of their operands and attributes, so
# they must not be `Pure` (CSE would merge them, DCE could not be trusted to
# keep their semantics). Dropout is random when `training_mode` is true. Ops
# carrying subgraphs (GRAPH/GRAPHS attributes) are never `Pure` either, since
# the subgraph may contain any of these.
NONDETERMINISTIC_OPS = {
    "Bernoulli",
    "Dropout",
    "Multinomial",
    "RandomNormal",
    "RandomNormalLike",
    "RandomUniform",
    "RandomUniformLike",
}

# ONNX tensor element types and their ODS type constraints. Strings have no
# MLIR builtin counterpart and are not supported.
ELEMENT_TYPES = {
    "float16": "F16",
    "bfloat16": "BF16",
    "float": "F32",
    "double": "F64",
    "bool": "I1",
    "int8": "I8",
    "int16": "I16",
    "int32": "I32",
    "int64": "I64",
    "uint8": "UI8",
    "uint16": "UI16",
    "uint32": "UI32",
    "uint64": "UI64",
    "complex64": "Complex<F32>",
    "complex128": "Complex<F64>",
}
UNSUPPORTED_ELEMENT_TYPES = {"string"}
# ONNXBase.td's constraint for all of ELEMENT_TYPES.
ANY_ELEMENT_TYPE = "ONNX_AnyElementType"

AttrType = defs.OpSchema.AttrType
FormalParameterOption = defs.OpSchema.FormalParameterOption

# ONNX attribute kinds and their ODS attribute constraints; any kind missing
# here (GRAPH, GRAPHS, SPARSE_TENSOR, TYPE_PROTO, TENSORS, ...) is AnyAttr.
ATTRIBUTE_TYPES = {
    AttrType.INT: "I64Attr",
    AttrType.FLOAT: "F32Attr",
    AttrType.STRING: "StrAttr",
    AttrType.INTS: "I64ArrayAttr",
    AttrType.FLOATS: "F32ArrayAttr",
    AttrType.STRINGS: "StrArrayAttr",
    AttrType.TENSOR: "ElementsAttr",
}
SUBGRAPH_ATTRIBUTE_TYPES = {AttrType.GRAPH, AttrType.GRAPHS}

# C++ keywords and alternative operator tokens (C++20), which cannot name a
# builder parameter or a Properties member.
CPP_KEYWORDS = frozenset("""
    alignas alignof and and_eq asm auto bitand bitor bool break case catch
    char char8_t char16_t char32_t class compl concept const consteval
    constexpr constinit const_cast continue co_await co_return co_yield
    decltype default delete do double dynamic_cast else enum explicit export
    extern false float for friend goto if inline int long mutable namespace
    new noexcept not not_eq nullptr operator or or_eq private protected public
    register reinterpret_cast requires return short signed sizeof static
    static_assert static_cast struct switch template this thread_local throw
    true try typedef typeid typename union unsigned using virtual void
    volatile wchar_t while xor xor_eq
""".split())

# Accessor suffixes (get<Suffix>) that ODS-generated ops already define or
# inherit, and that a value or attribute must therefore not produce. ODS
# itself rejects some of these; the rest would shadow Op/OpState methods.
RESERVED_ACCESSORS = frozenset({
    "AsmResultNames",
    "AttributeNameForIndex",
    "AttributeNames",
    "Attributes",
    "Context",
    "Effects",
    "InherentAttr",
    "Loc",
    "Name",
    "ODSOperandIndexAndLength",
    "ODSOperands",
    "ODSResultIndexAndLength",
    "ODSResults",
    "OpOperand",
    "Operand",
    "OperandSegmentSizes",
    "Operands",
    "Operation",
    "OperationName",
    "Properties",
    "PropertiesAsAttr",
    "PropertiesFromAttr",
    "PropertiesFromParsedAttr",
    "Regions",
    "Result",
    "ResultSegmentSizes",
    "Results",
    "Type",
})

# Names ODS gives to the other parameters of generated build()/create()
# methods and Properties; an operand or attribute of that name would clash.
RESERVED_PARAMETERS = frozenset({
    "attributes",
    "builder",
    "context",
    "discardableAttributes",
    "location",
    "odsBuilder",
    "odsState",
    "operands",
    "properties",
    "regions",
    "resultTypes",
})

# Summaries longer than this are cut at a word boundary.
MAX_SUMMARY_LENGTH = 120

#===----------------------------------------------------------------------===#
# Schema selection
#===----------------------------------------------------------------------===#


def select_schemas(max_opset):
    """Return (schemas, skipped) for the default ONNX domain.

    `schemas` holds, sorted by op name, the newest schema of each op whose
    since_version is at most `max_opset`. `skipped` is a sorted list of
    (op name, reason) for ops left out.
    """
    newest = {}
    for schema in defs.get_all_schemas_with_history():
        if schema.domain != ONNX_DOMAIN or schema.since_version > max_opset:
            continue
        current = newest.get(schema.name)
        if current is None or current.since_version < schema.since_version:
            newest[schema.name] = schema

    schemas, skipped = [], []
    for name in sorted(newest):
        schema = newest[name]
        if schema.deprecated:
            skipped.append((name, "deprecated since opset %d" %
                            schema.since_version))
        else:
            schemas.append(schema)
    return schemas, skipped


#===----------------------------------------------------------------------===#
# TableGen / C++ text helpers
#===----------------------------------------------------------------------===#


def string_literal(text):
    """Return `text` as a string literal valid in both TableGen and C++
    (both understand the escapes used here)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\t", "\\t")
    return '"%s"' % escaped


def cpp_float(value, suffix=""):
    """Return the shortest C++ literal that rounds to the float32 `value`."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError("no C++ literal for float default %r" % value)
    as_f32 = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        text = "%.*g" % (digits, as_f32)
        if struct.unpack("f", struct.pack("f", float(text)))[0] == as_f32:
            break
    if not re.search(r"[.e]", text):
        text += ".0"
    return text + suffix


def code_block_text(text):
    """Make `text` safe inside a TableGen code block `[{ ... }]`."""
    while "}]" in text:
        text = text.replace("}]", "} ]")
    return text


def camel_case(name):
    """Mirror llvm::convertToCamelFromSnakeCase(name, capitalizeFirst=true),
    which ODS uses to derive accessor names (get<CamelName>)."""
    out = []
    i = 0
    while i < len(name):
        if name[i] == "_" and i + 1 < len(name) and name[i + 1].isalpha():
            out.append(name[i + 1].upper())
            i += 2
        else:
            out.append(name[i])
            i += 1
    if out:
        out[0] = out[0].upper()
    return "".join(out)


#===----------------------------------------------------------------------===#
# Names
#===----------------------------------------------------------------------===#


def identifier(name):
    """Turn an ONNX name into a C++ identifier usable as an ODS name.

    The result is no C++ keyword and no name ODS uses for a parameter of its
    own; a leading digit gets a `_` prefix, any other problem a `_` suffix.
    """
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name) or "_"
    if ident[0].isdigit():
        ident = "_" + ident
    while ident in CPP_KEYWORDS or ident in RESERVED_PARAMETERS:
        ident += "_"
    return ident


class AccessorNamespace:
    """Tracks the ODS names of one op and the accessors derived from them.

    ODS derives several C++ methods from each operand, result and attribute
    name; two names clash when any of those coincide, even if the names
    themselves differ (`y_h` and `yH` both give getYH()).
    """

    def __init__(self):
        self.names = set()
        self.accessors = set(RESERVED_ACCESSORS)

    @staticmethod
    def derived_accessors(name, is_attribute):
        """Accessor suffixes ODS derives from `name` (get<Suffix>, ...)."""
        camel = camel_case(name)
        if is_attribute:
            return {camel, camel + "Attr", camel + "AttrName"}
        return {camel, camel + "Mutable"}

    def is_free(self, name, is_attribute):
        """Whether `name` can be added without any clash."""
        derived = self.derived_accessors(name, is_attribute)
        return name not in self.names and not derived & self.accessors

    def claim(self, name, is_attribute):
        """Add `name`, appending `_` until it clashes with nothing."""
        name = identifier(name)
        while not self.is_free(name, is_attribute):
            name += "_"
        self.names.add(name)
        self.accessors |= self.derived_accessors(name, is_attribute)
        return name


def assign_names(schema):
    """Return ODS names for the attributes, inputs and outputs of `schema`.

    The result is a dict with keys "attributes", "inputs", "outputs", each
    mapping the ONNX name to its ODS name. Attributes are named first so that
    they keep their ONNX names whenever possible.
    """
    namespace = AccessorNamespace()
    return {
        "attributes": {
            name: namespace.claim(name, is_attribute=True)
            for name in sorted(schema.attributes)
        },
        "inputs": {
            param.name: namespace.claim(param.name, is_attribute=False)
            for param in schema.inputs
        },
        "outputs": {
            param.name: namespace.claim(param.name, is_attribute=False)
            for param in schema.outputs
        },
    }


def renames(schema):
    """Yield (kind, ONNX name, ODS name) for each name that was changed."""
    for kind, mapping in sorted(assign_names(schema).items()):
        for onnx_name, ods_name in mapping.items():
            if onnx_name != ods_name:
                yield kind, onnx_name, ods_name


#===----------------------------------------------------------------------===#
# Types
#===----------------------------------------------------------------------===#


def allowed_type_strs(schema, param):
    """ONNX type strings (e.g. "tensor(float)") a formal parameter accepts."""
    for constraint in schema.type_constraints:
        if constraint.type_param_str == param.typeStr:
            return list(constraint.allowed_type_strs)
    return [param.typeStr]


def value_type(type_strs):
    """ODS type constraint for a single value of one of `type_strs`."""
    elements = set()
    for type_str in type_strs:
        match = re.fullmatch(r"tensor\((\w+)\)", type_str)
        if not match:
            return "AnyType"  # seq(...), optional(...), map(...), ...
        element = match.group(1)
        if element in UNSUPPORTED_ELEMENT_TYPES:
            continue
        if element not in ELEMENT_TYPES:
            raise ValueError("unknown ONNX element type in %r" % type_str)
        elements.add(element)
    if not elements:
        return "AnyType"
    if elements == set(ELEMENT_TYPES):
        return "TensorOf<[%s]>" % ANY_ELEMENT_TYPE
    # List them in ELEMENT_TYPES order, independent of the schema's order.
    return "TensorOf<[%s]>" % ", ".join(
        ods for onnx_name, ods in ELEMENT_TYPES.items()
        if onnx_name in elements)


def param_type(schema, param):
    """ODS type constraint for a formal input or output of `schema`."""
    single = value_type(allowed_type_strs(schema, param))
    if param.option == FormalParameterOption.Variadic:
        return "Variadic<%s>" % single
    if param.option == FormalParameterOption.Optional and single != "AnyType":
        return "AnyTypeOf<[%s, NoneType]>" % single
    return single


def is_variadic(param):
    """Whether a formal parameter is variadic."""
    return param.option == FormalParameterOption.Variadic


#===----------------------------------------------------------------------===#
# Attributes
#===----------------------------------------------------------------------===#


def default_literal(attr):
    """C++ literal of an attribute's schema default, or None if it has none.

    The literal is what ODS passes to the attribute's constant builder, e.g.
    `$_builder.getI64ArrayAttr({0, 2, 3})`.
    """
    value = attr.default_value
    if value is None or not value.name:
        return None
    if attr.type == AttrType.INT:
        return str(value.i)
    if attr.type == AttrType.FLOAT:
        return cpp_float(value.f)
    if attr.type == AttrType.STRING:
        return string_literal(value.s.decode("utf-8"))
    if attr.type == AttrType.INTS:
        return "{%s}" % ", ".join(str(v) for v in value.ints)
    if attr.type == AttrType.FLOATS:
        return "{%s}" % ", ".join(cpp_float(v, "f") for v in value.floats)
    if attr.type == AttrType.STRINGS:
        return "{%s}" % ", ".join(string_literal(v.decode("utf-8"))
                                  for v in value.strings)
    raise ValueError("unsupported default for attribute %r" % attr.name)


def attribute_type(attr):
    """ODS attribute constraint for an ONNX attribute, with its default."""
    base = ATTRIBUTE_TYPES.get(attr.type, "AnyAttr")
    if attr.required:
        return base
    literal = default_literal(attr) if base != "AnyAttr" else None
    if literal is None:
        return "OptionalAttr<%s>" % base
    if base == "StrAttr" and "\\" not in literal:
        # No escapes needed: use the idiomatic form.
        return "DefaultValuedStrAttr<StrAttr, %s>" % string_literal(
            literal[1:-1])
    return "DefaultValuedAttr<%s, %s>" % (base, string_literal(literal))


#===----------------------------------------------------------------------===#
# Op emission
#===----------------------------------------------------------------------===#


def cpp_class_name(schema):
    """The C++ class of an op, e.g. ONNXAddOp."""
    return "ONNX%sOp" % schema.name


def op_traits(schema):
    """The ODS traits of an op."""
    traits = []
    has_subgraph = any(attr.type in SUBGRAPH_ATTRIBUTE_TYPES
                       for attr in schema.attributes.values())
    if schema.name not in NONDETERMINISTIC_OPS and not has_subgraph:
        traits.append("Pure")
    if sum(is_variadic(p) for p in schema.inputs) > 1:
        traits.append("AttrSizedOperandSegments")
    if sum(is_variadic(p) for p in schema.outputs) > 1:
        traits.append("AttrSizedResultSegments")
    return traits


def shorten(text, limit):
    """Cut `text` to at most `limit` characters at a word boundary, keeping
    inline code spans (`...`) balanced."""
    if len(text) <= limit:
        return text
    text = text[:limit - 3].rsplit(" ", 1)[0]
    if text.count("`") % 2:
        text = text[:text.rindex("`")].rstrip()
    return text.rstrip(" ,;:(") + "..."


def summary(schema):
    """One-line summary: the first sentence of the op's ONNX doc."""
    text = (schema.doc or "").strip()
    paragraph = re.split(r"\n\s*\n", text, maxsplit=1)[0]
    paragraph = " ".join(paragraph.split())
    # A sentence ends at ". " unless the period ends "e.g." / "i.e.".
    match = re.search(r"(?<!\be\.g)(?<!\bi\.e)\.(\s|$)", paragraph)
    sentence = paragraph[:match.start()] if match else paragraph
    sentence = shorten(sentence.rstrip(" .:"), MAX_SUMMARY_LENGTH)
    return sentence or "ONNX %s operator" % schema.name


def doc_lines(text):
    """Clean a block of ONNX doc text: tabs, common indentation (which
    Markdown would take for a code block), trailing blanks."""
    text = textwrap.dedent(text.expandtabs(4)).strip("\n")
    return [line.rstrip() for line in text.splitlines()]


def describe_params(title, params, ods_names):
    """Markdown list describing formal inputs or outputs."""
    if not params:
        return []
    lines = ["", "%s:" % title]
    for param in params:
        ods_name = ods_names[param.name]
        option = {FormalParameterOption.Optional: " (optional)",
                  FormalParameterOption.Variadic: " (variadic)"}.get(
                      param.option, "")
        renamed = "" if ods_name == param.name else \
            " (ODS name `%s`)" % ods_name
        desc = " ".join(param.description.split())
        lines.append("* `%s`%s%s: %s" % (param.name, option, renamed, desc))
    return lines


def describe_attributes(schema, ods_names):
    """Markdown list describing the attributes and their ONNX defaults."""
    if not schema.attributes:
        return []
    lines = ["", "Attributes:"]
    for name in sorted(schema.attributes):
        attr = schema.attributes[name]
        notes = []
        if ods_names[name] != name:
            notes.append("ODS name `%s`" % ods_names[name])
        if attr.required:
            notes.append("required")
        elif attr.type in ATTRIBUTE_TYPES and default_literal(attr):
            notes.append("default `%s`" % default_literal(attr))
        note = " (%s)" % ", ".join(notes) if notes else ""
        desc = " ".join(attr.description.split())
        lines.append("* `%s`%s: %s" % (name, note, desc))
    return lines


def description(schema, names):
    """The ODS description: ONNX doc, signature notes and opset version."""
    lines = doc_lines(schema.doc or "")
    lines += describe_params("Inputs", schema.inputs, names["inputs"])
    lines += describe_params("Outputs", schema.outputs, names["outputs"])
    lines += describe_attributes(schema, names["attributes"])
    lines += ["", "ONNX opset version: %d" % schema.since_version]
    text = code_block_text("\n".join(lines))
    return ["    " + line if line else "" for line in text.split("\n")]


def dag(kind, entries):
    """Format an ODS dag `(kind a:$x, b:$y)` one entry per line."""
    if not entries:
        return "(%s)" % kind
    body = ",\n    ".join("%s:$%s" % entry for entry in entries)
    return "(%s\n    %s)" % (kind, body)


def emit_op(schema):
    """Return the ODS `def` of one op."""
    names = assign_names(schema)
    arguments = [(param_type(schema, p), names["inputs"][p.name])
                 for p in schema.inputs]
    arguments += [(attribute_type(schema.attributes[a]),
                   names["attributes"][a])
                  for a in sorted(schema.attributes)]
    results = [(param_type(schema, p), names["outputs"][p.name])
               for p in schema.outputs]

    out = ['def %s : ONNX_Op<"%s", [%s]> {' %
           (cpp_class_name(schema), schema.name,
            ", ".join(op_traits(schema)))]
    out.append("  let summary = %s;" % string_literal(summary(schema)))
    out.append("  let description = [{")
    out += description(schema, names)
    out.append("  }];")
    out.append("  let arguments = %s;" % dag("ins", arguments))
    out.append("  let results = %s;" % dag("outs", results))
    if schema.name in CUSTOM_VERIFIERS:
        out.append("  let hasVerifier = 1;")
    if schema.name in CUSTOM_FOLDERS:
        out.append("  let hasFolder = 1;")
    out.append("}")
    return "\n".join(out) + "\n"


def header():
    """The banner at the top of the generated file."""
    return """\
//===- ONNXGeneratedOps.td - ONNX ops (GENERATED) ----------*- tablegen -*-===//
//
// GENERATED FILE - DO NOT EDIT.
// Generated by `{command}` from the schemas of
// the `onnx` Python package {version}, default domain, opset <= {opset}.
// Edit utils/gen_onnx_ops.py and rerun it instead; CI runs it with --check.
//
//===----------------------------------------------------------------------===//

#ifndef ONNXCOMPILE_DIALECT_ONNX_IR_ONNXGENERATEDOPS_TD
#define ONNXCOMPILE_DIALECT_ONNX_IR_ONNXGENERATEDOPS_TD

include "{base}"
""".format(command=REGENERATE_COMMAND, version=onnx.__version__,
           opset=MAX_OPSET, base=BASE_TD_INCLUDE)


def footer():
    """The end of the generated file."""
    return "\n#endif // ONNXCOMPILE_DIALECT_ONNX_IR_ONNXGENERATEDOPS_TD\n"


def check_configuration(schemas):
    """Fail on configuration entries that name no generated op (typos)."""
    generated = {schema.name for schema in schemas}
    for set_name, ops in (("CUSTOM_VERIFIERS", CUSTOM_VERIFIERS),
                          ("CUSTOM_FOLDERS", CUSTOM_FOLDERS),
                          ("NONDETERMINISTIC_OPS", NONDETERMINISTIC_OPS)):
        unknown = sorted(ops - generated)
        if unknown:
            raise SystemExit("error: %s names ops that are not generated: %s"
                             % (set_name, ", ".join(unknown)))


def generate():
    """Return (text of the .td file, generated schemas, skipped ops)."""
    schemas, skipped = select_schemas(MAX_OPSET)
    check_configuration(schemas)
    parts = [header()]
    for schema in schemas:
        parts.append("\n" + emit_op(schema))
    parts.append(footer())
    return "".join(parts), schemas, skipped


#===----------------------------------------------------------------------===#
# Driver
#===----------------------------------------------------------------------===#


def check(path, expected):
    """Compare `path` with `expected`; return the process exit code."""
    actual = path.read_text() if path.exists() else ""
    if actual == expected:
        return 0
    diff = difflib.unified_diff(actual.splitlines(True),
                                expected.splitlines(True),
                                str(path), "regenerated", n=1)
    sys.stdout.writelines(list(diff)[:60])
    print("error: %s is out of date (onnx %s); regenerate it with `%s`"
          % (path, onnx.__version__, REGENERATE_COMMAND),
          file=sys.stderr)
    return 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the committed file is out of date")
    parser.add_argument("-o", "--output", type=Path,
                        default=REPO_ROOT / OUTPUT_RELPATH,
                        help="file to write or check (default: %(default)s)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list the skipped ops")
    args = parser.parse_args(argv)

    text, schemas, skipped = generate()
    if args.verbose:
        for name, reason in skipped:
            print("skipped %s: %s" % (name, reason), file=sys.stderr)
        for schema in schemas:
            for kind, onnx_name, ods_name in renames(schema):
                print("renamed %s %s `%s` to `%s`" % (schema.name, kind[:-1],
                      onnx_name, ods_name), file=sys.stderr)
    if args.check:
        return check(args.output, text)
    args.output.write_text(text)
    print("wrote %d ops to %s (%d skipped)" % (len(schemas), args.output,
                                               len(skipped)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
