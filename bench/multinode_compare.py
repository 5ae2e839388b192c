# multinode_compare.py A B [EMB_A.npy EMB_B.npy] (bench/multinode_netns.sh): two run folders (files,
# step losses, exported weights, how far training moved them from the built-in model) and two embedding
# matrices; prints one JSON line of the differences.
import json, os, struct, sys
import numpy as np

def files(root):
    out = []
    for d, _, names in os.walk(root):
        out += [os.path.relpath(os.path.join(d, n), root) for n in names]
    return sorted(out)

def losses(run):
    return [json.loads(l)["loss"] for l in open(os.path.join(run, "metrics.jsonl")) if '"type":"step"' in l.replace(" ", "")]

def tensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    kinds = {"F32": np.float32, "F16": np.float16}  # the built-in model is stored in float16
    return {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype=kinds[v["dtype"]])
            .astype(np.float32) for k, v in header.items() if v["dtype"] in kinds}

a, b = sys.argv[1], sys.argv[2]
builtin = tensors(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "models", "builtin",
                               "model.safetensors"))
la, lb = losses(a), losses(b)
ta, tb = tensors(a + "/model/model.safetensors"), tensors(b + "/model/model.safetensors")
result = {
    "same_files": files(a) == files(b),
    "only_in_a": sorted(set(files(a)) - set(files(b))), "only_in_b": sorted(set(files(b)) - set(files(a))),
    "steps": [len(la), len(lb)],
    "max_loss_diff": max(abs(x - y) for x, y in zip(la, lb)) if la and len(la) == len(lb) else None,
    "max_weight_diff": max(float(np.abs(ta[k] - tb[k]).max()) for k in ta) if ta.keys() == tb.keys() else None,
    "max_weight_moved": max(float(np.abs(ta[k] - builtin[k]).max()) for k in ta if k in builtin),
}
if len(sys.argv) > 4:
    ea, eb = np.load(sys.argv[3]), np.load(sys.argv[4])
    result["embeddings"] = list(ea.shape)
    result["max_embedding_diff"] = float(np.abs(ea - eb).max())
print(json.dumps(result))
