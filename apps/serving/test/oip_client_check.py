"""Calls a Strata serving instance with the official Triton/KServe OIP v2 HTTP client (tritonclient[http]).

Usage: python oip_client_check.py <host:port> <fp32-model> <multi-model>
Prints one JSON object with what the client saw; the jest spec (apps/serving/src/serving-service.int-spec.ts)
compares the values with onnxruntime run directly.
"""
import json
import sys

import numpy as np
import tritonclient.http as httpclient

url, fp32_model, multi_model = sys.argv[1], sys.argv[2], sys.argv[3]
client = httpclient.InferenceServerClient(url=url)
out = {
    "live": client.is_server_live(),
    "ready": client.is_server_ready(),
    "model_ready": client.is_model_ready(fp32_model),
    "metadata": client.get_model_metadata(fp32_model),
    "server": client.get_server_metadata(),
}

rows = np.array([[3.0, 1.2, 8.0], [0.0, 7.5, 23.0], [12.0, 4.4, 0.0]], dtype=np.float32)
x = httpclient.InferInput("input", list(rows.shape), "FP32")
x.set_data_from_numpy(rows, binary_data=False)
res = client.infer(fp32_model, [x], outputs=[httpclient.InferRequestedOutput("probability", binary_data=False)], request_id="tc-1")
out["fp32"] = {"probability": res.as_numpy("probability").reshape(-1).tolist(), "shape": list(res.as_numpy("probability").shape), "id": res.get_response().get("id"), "model_version": res.get_response().get("model_version")}

ints = np.array([[1, -2], [40000000000, 7]], dtype=np.int64)
words = np.array([b"taxi", b"tip"], dtype=np.object_)
a = httpclient.InferInput("ints", list(ints.shape), "INT64")
a.set_data_from_numpy(ints, binary_data=False)
b = httpclient.InferInput("words", list(words.shape), "BYTES")
b.set_data_from_numpy(words, binary_data=False)
res2 = client.infer(multi_model, [a, b], outputs=[httpclient.InferRequestedOutput("doubled", binary_data=False), httpclient.InferRequestedOutput("same_words", binary_data=False)])
out["int64"] = {"doubled": res2.as_numpy("doubled").tolist(), "dtype": str(res2.as_numpy("doubled").dtype)}
out["bytes"] = {"same_words": [w.decode() if isinstance(w, bytes) else str(w) for w in res2.as_numpy("same_words").reshape(-1).tolist()]}
print(json.dumps(out))
