#!/usr/bin/python3
"""Writes test/e2e/node-tests-expected-failures.txt from a runner result.

    utils/run_node_tests.py --json results.json
    utils/gen_expected_failures.py results.json > test/e2e/node-tests-expected-failures.txt

    utils/run_node_tests.py --ptxas sm_80,sm_90 --json results.json
    utils/gen_expected_failures.py results.json --ptxas \
        > test/e2e/node-tests-ptxas-expected-failures.txt

Each non-passing, non-skipped case becomes `name  # status: reason`, with the
reason taken from the compiler's error (the operator and why) or the
comparison that failed.
"""

import json
import re
import sys


# Failures whose cause the compiler's message does not say.
NOTES = {
    "test_cast_FLOAT_to_BFLOAT16":
        "ONNX 1.12 test data truncates float32 to bfloat16; the compiler "
        "rounds to nearest even, as later ONNX releases specify",
}
# Training-mode Dropout with a nonzero ratio is random: the compiled model
# refuses such a run with status 2 (the expected outputs come from numpy's
# random generator, which no other implementation reproduces).
for _name in ("test_training_dropout", "test_training_dropout_default",
              "test_training_dropout_default_mask", "test_training_dropout_mask"):
    NOTES[_name] = ("random dropout in training mode: the run refuses it "
                    "with status 2")


def reason(case, notes=True):
    if notes and case["name"] in NOTES:
        return NOTES[case["name"]]
    detail = case.get("detail") or ""
    match = re.search(r"(operator '[A-Za-z]+'.*)", detail)
    if match:
        return match.group(1)
    match = re.search(r"error: (?:[^:]*\.onnx: )?(?:node '[^']*': )?(.*)", detail)
    if match:
        return match.group(1)
    return detail.splitlines()[0] if detail else case["status"]


def main():
    ptxas = "--ptxas" in sys.argv[2:]
    with open(sys.argv[1]) as f:
        results = json.load(f)
    cases = results.get("cases") or results.get("results") or []
    if ptxas:
        print("# ONNX node tests whose kernels onnx-compile cannot compile for "
              "nvptx64 yet (or ptxas rejects), with the reason.")
        print("# Regenerate: utils/run_node_tests.py --ptxas sm_80,sm_90 "
              "--json r.json; utils/gen_expected_failures.py r.json --ptxas")
    else:
        print("# ONNX node tests that onnx-compile does not pass yet, with the "
              "reason.")
        print("# Regenerate: utils/run_node_tests.py --json r.json; "
              "utils/gen_expected_failures.py r.json")
    for case in sorted(cases, key=lambda c: c["name"]):
        if case["status"] in ("pass", "skip"):
            continue
        print(f"{case['name']}  # {case['status']}: "
              f"{reason(case, notes=not ptxas)}")


if __name__ == "__main__":
    main()
