#!/usr/bin/env python3
"""Derives an optimized child of an ONNX model with ONNX Runtime's own tools (Strata's model optimization step).

    python optimize_onnx.py --method dynamic-int8|graph --input parent.onnx --output child.onnx

methods:
  dynamic-int8  onnxruntime.quantization.quantize_dynamic: weights of MatMul/Gemm (and the other ops ONNX Runtime
                quantizes dynamically) stored as INT8, activations quantized at run time (QuantType.QInt8, per tensor).
                See https://onnxruntime.ai/docs/performance/model-optimizations/quantization.html
  graph         offline graph optimization: an InferenceSession at ORT_ENABLE_EXTENDED saves the optimized graph
                (SessionOptions.optimized_model_filepath; constant folding, redundant node elimination, node fusions).
                EXTENDED, not ALL: ALL adds layout transformations that tie the file to the machine that made it.
                See https://onnxruntime.ai/docs/performance/model-optimizations/graph-optimizations.html

The parent's metadata_props (strata.feature_names, strata.inputs, ...) are copied to the child when the tool dropped
them, plus strata.optimization = <method>. stdout: one JSON object per line, {"progress": 0..1, "step": "..."} while
working, then {"done": true, "inputBytes": n, "outputBytes": n, "method": "..."}. Errors: a message on stderr and a
non-zero exit (2: bad arguments or model, 3: the tool failed).
"""
import argparse
import json
import os
import sys


def progress(value: float, step: str) -> None:
    print(json.dumps({"progress": value, "step": step}), flush=True)


def copy_metadata(parent_path: str, child_path: str, method: str) -> None:
    import onnx

    parent = onnx.load(parent_path, load_external_data=False)
    child = onnx.load(child_path, load_external_data=False)
    have = {p.key for p in child.metadata_props}
    for p in parent.metadata_props:
        if p.key not in have:
            child.metadata_props.append(onnx.StringStringEntryProto(key=p.key, value=p.value))
    child.metadata_props.append(onnx.StringStringEntryProto(key="strata.optimization", value=method))
    onnx.checker.check_model(child)
    onnx.save(child, child_path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--method", required=True, choices=["dynamic-int8", "graph"])
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    args = ap.parse_args()
    if not os.path.isfile(args.input):
        print(f"input model '{args.input}' does not exist", file=sys.stderr)
        return 2
    progress(0.05, "loading")
    import onnx
    import onnxruntime as ort

    try:
        onnx.checker.check_model(args.input)
    except Exception as e:  # noqa: BLE001 - reported to the caller as a bad model
        print(f"input model is not a valid ONNX model: {e}", file=sys.stderr)
        return 2
    try:
        if args.method == "dynamic-int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic

            progress(0.2, "quantizing (dynamic INT8)")
            quantize_dynamic(args.input, args.output, weight_type=QuantType.QInt8)
        else:
            progress(0.2, "optimizing the graph (ORT_ENABLE_EXTENDED)")
            opts = ort.SessionOptions()
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
            opts.optimized_model_filepath = args.output
            ort.InferenceSession(args.input, opts, providers=["CPUExecutionProvider"])
        progress(0.7, "copying metadata and checking the child")
        copy_metadata(args.input, args.output, args.method)
        progress(0.9, "loading the child in onnxruntime")
        ort.InferenceSession(args.output, providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001 - the tool's failure, with its message
        print(f"{args.method} failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 3
    print(json.dumps({"done": True, "method": args.method, "inputBytes": os.path.getsize(args.input), "outputBytes": os.path.getsize(args.output)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
