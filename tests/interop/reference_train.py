#!/usr/bin/python3
"""Independent one-step training reference for Pairtune's tests/training/onestep suite.

Given a base sentence-transformers folder and what `pairtune-cli train --max-steps 1 --debug-dump DUMP`
wrote (DUMP/batch.json, DUMP/grads_raw.safetensors, DUMP/grads_clipped.safetensors and
RUN/checkpoints/step-1/{model,optimizer.safetensors}), this script redoes the step with its own
PyTorch computation and reports how far Pairtune's numbers are from it. Nothing is shared with the
C++ engine: the forward is reference.py's hand-written BERT/XLM-R (docs/formats.md §3), the losses are
written here from docs/formats.md §5.1, clipping is torch.nn.utils.clip_grad_norm_ and the optimizer is
torch.optim.AdamW with the sentence-transformers parameter groups (§5.2) and a LambdaLR warmup-linear
schedule, all run on this script's own float64 parameters.

Besides the end-to-end comparison (reference gradients -> reference AdamW step), the optimizer is
also checked on its own: torch.optim.AdamW is fed Pairtune's clipped gradients, so the updated
weights can be compared in float32 ulps, independently of the gradients' float32 rounding.

Usage:
  /usr/bin/python3 tests/interop/reference_train.py --model BASE --dump DUMP --run RUN --loss mnrl \
      --similarity dot --scale 1 --lr 2e-5 --weight-decay 0.01 --max-grad-norm 1 [--warmup-steps 0] \
      [--total-steps 1] [--compute float64|float32] --report REPORT.json
The report is one JSON object (see `build_report`); the script itself judges nothing, except that it
exits with 2 when the inputs are inconsistent (names or shapes that do not match).
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402  (the interop forward: tests/interop/reference.py)

# sentence-transformers' fit: substrings that put a parameter in the no-decay group (docs/formats.md §5.2).
NO_DECAY = ["bias", "LayerNorm.bias", "LayerNorm.weight"]


class InputError(Exception):
    pass


# ---------------------------------------------------------------------------------------------------------------
# The model as named float leaf tensors


class TrainableModel:
    """reference.SentenceModel whose weights are leaf tensors that require grad, under the names a
    saved folder uses (transformer keys without prefix, Dense keys as "<folder>.linear.weight")."""

    def __init__(self, folder, dtype):
        self.model = reference.SentenceModel(folder).to(dtype)
        self.dtype = dtype
        self.params = {}
        enc = self.model.encoder
        frozen = getattr(enc, "frozen", set())  # DistilBERT's sinusoidal table: requires_grad False
        for name in sorted(enc.w):
            leaf = enc.w[name].detach().clone().requires_grad_(name not in frozen)
            enc.w[name] = leaf
            self.params[name] = leaf
        modules = sorted(reference._read_json(os.path.join(folder, "modules.json")), key=lambda m: m["idx"])
        dense_paths = [m["path"] for m in modules if reference._module_kind(m["type"]) == "Dense"]
        denses = [step for step in self.model.after if isinstance(step, reference.Dense)]
        if len(dense_paths) != len(denses):
            raise InputError("modules.json and the loaded Dense modules disagree")
        for path, dense in zip(dense_paths, denses):
            dense.weight = dense.weight.detach().clone().requires_grad_(True)
            self.params[path + ".linear.weight"] = dense.weight
            if dense.bias is not None:
                dense.bias = dense.bias.detach().clone().requires_grad_(True)
                self.params[path + ".linear.bias"] = dense.bias
        self.pad_id = enc.pad_id

    def embed_column(self, ids_per_pair):
        """One column of the batch: padded to its own longest sequence, as a training step does."""
        return self.model.embed_batch([{"input_ids": ids} for ids in ids_per_pair])

    def apply_padding_idx(self):
        """transformers builds word_embeddings with padding_idx=pad_token_id: that row never gets a
        gradient (nn.Embedding skips it), even where the pad token occurs as a real token."""
        table = "embeddings.tok_embeddings.weight" if self.model.encoder.model_type == "modernbert" else \
            "embeddings.word_embeddings.weight"  # ModernBertEmbeddings' name; padding_idx=pad_token_id too
        grad = self.params[table].grad
        if grad is not None:
            grad[self.pad_id].zero_()
        # MPNet builds its position table with padding_idx too (MPNetEmbeddings, padding_idx 1).
        if self.model.encoder.model_type == "mpnet":
            grad = self.params["embeddings.position_embeddings.weight"].grad
            if grad is not None:
                grad[self.pad_id].zero_()


# ---------------------------------------------------------------------------------------------------------------
# Losses, written from docs/formats.md §5.1


def l2_normalize(x):
    return x / torch.clamp(x.norm(p=2, dim=1, keepdim=True), min=1e-12)


def similarity(kind, a, b):
    if kind == "cos":
        return l2_normalize(a) @ l2_normalize(b).T
    return a @ b.T


def loss_value(kind, sim_kind, scale, embeddings, labels):
    anchors, positives = embeddings[0], embeddings[1]
    batch = anchors.shape[0]
    target = torch.arange(batch)
    if kind in ("mnrl", "mnrl_symmetric"):
        candidates = torch.cat(embeddings[1:], dim=0)
        scores = similarity(sim_kind, anchors, candidates) * scale
        forward = torch.nn.functional.cross_entropy(scores, target)
        if kind == "mnrl":
            return forward
        backward = torch.nn.functional.cross_entropy(scores[:, :batch].T, target)
        return (forward + backward) / 2
    if kind == "cosine":
        cos = torch.nn.functional.cosine_similarity(anchors, positives, dim=1, eps=1e-8)
        return ((cos - labels) ** 2).mean()
    if kind == "cosent":
        s = (l2_normalize(anchors) * l2_normalize(positives)).sum(dim=1) * scale
        diff = s[:, None] - s[None, :]
        keep = (labels[:, None] < labels[None, :]).to(diff.dtype)
        diff = diff - (1 - keep) * 1e12
        return torch.logsumexp(torch.cat([torch.zeros(1, dtype=diff.dtype), diff.flatten()]), dim=0)
    raise InputError(f"unknown loss {kind}")


# ---------------------------------------------------------------------------------------------------------------
# Optimizer (torch.optim.AdamW, sentence-transformers groups) and schedule


def warmup_linear(warmup, total):
    def factor(step):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        return max(0.0, float(total - step) / float(max(1, total - warmup)))

    return factor


def adamw_step(named, grads, lr, weight_decay, warmup, total):
    """One AdamW step on copies of `named` whose .grad are `grads` (None = no gradient). Returns
    ({name: updated tensor}, {name: (exp_avg, exp_avg_sq)}, lr used)."""
    leaves = {}
    for name, value in named.items():
        leaf = value.detach().clone().requires_grad_(True)
        if grads.get(name) is not None:
            leaf.grad = grads[name].detach().clone().to(leaf.dtype)
        leaves[name] = leaf
    decay = [p for n, p in leaves.items() if not any(nd in n for nd in NO_DECAY)]
    no_decay = [p for n, p in leaves.items() if any(nd in n for nd in NO_DECAY)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_linear(warmup, total))
    used_lr = optimizer.param_groups[0]["lr"]
    optimizer.step()
    scheduler.step()
    moments = {}
    for name, leaf in leaves.items():
        state = optimizer.state.get(leaf)
        if state:
            moments[name] = (state["exp_avg"].detach(), state["exp_avg_sq"].detach())
    return {n: p.detach() for n, p in leaves.items()}, moments, used_lr


# ---------------------------------------------------------------------------------------------------------------
# Reading Pairtune's outputs


def read_flat(path, prefix=""):
    tensors, _ = reference.read_safetensors(path)
    return {prefix + name: torch.from_numpy(np.asarray(array, dtype=np.float64)) for name, (_, array) in tensors.items()}


def read_folder_weights(folder):
    """{name: float64 tensor} for every trainable tensor of a saved folder, named as TrainableModel does."""
    modules = sorted(reference._read_json(os.path.join(folder, "modules.json")), key=lambda m: m["idx"])
    out = {}
    for m in modules:
        kind = reference._module_kind(m["type"])
        if kind == "Transformer":
            out.update(read_flat(os.path.join(folder, m.get("path", ""), "model.safetensors")))
        elif kind == "Dense":
            out.update(read_flat(os.path.join(folder, m["path"], "model.safetensors"), m["path"] + "."))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Comparisons


def ulp32(x):
    """The float32 spacing at |x| (float64 tensor in, float64 tensor out)."""
    a = torch.from_numpy(np.abs(x.numpy()).astype(np.float32))
    return torch.from_numpy(np.spacing(a.numpy()).astype(np.float64))


def compare(ours, theirs, names, floor=1e-2):
    """max abs diff over all names and the tensor where it is; the worst per-tensor relative diff,
    max |diff| / max(max |reference in the tensor|, floor * max |reference anywhere|). The floor keeps
    tensors whose exact gradient is zero (attention key biases: softmax ignores a per-row constant) or
    tiny from turning rounding noise into huge ratios: their float32 rounding error scales with the
    gradients flowing through the layer, not with their own (vanishing) value."""
    for name in names:
        if tuple(ours[name].shape) != tuple(theirs[name].shape):
            raise InputError(f"{name}: shape {tuple(ours[name].shape)} vs {tuple(theirs[name].shape)}")
    peaks = {n: float(theirs[n].abs().max()) if theirs[n].numel() else 0.0 for n in names}
    scale = max(peaks.values(), default=0.0)
    worst_abs, worst_abs_name, worst_rel, worst_rel_name = 0.0, "", 0.0, ""
    for name in names:
        a, b = ours[name], theirs[name]
        diff = float((a - b).abs().max()) if a.numel() else 0.0
        if diff > worst_abs or not worst_abs_name:
            worst_abs, worst_abs_name = diff, name
        denominator = max(peaks[name], floor * scale)
        if denominator > 0 and diff / denominator >= worst_rel:
            worst_rel, worst_rel_name = diff / denominator, name
    return {"max_abs": worst_abs, "max_abs_at": worst_abs_name, "max_rel": worst_rel, "max_rel_at": worst_rel_name,
            "max_ref": scale}


def total_norm(grads):
    return float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads.values())))


def forward_backward(args, dtype, batch):
    """The model in `dtype`, the loss of the batch and its gradients ({name: float64 copy})."""
    model = TrainableModel(args.model, dtype)
    labels = torch.tensor(batch.get("scores", []), dtype=dtype)
    embeddings = [model.embed_column(column) for column in batch["columns"]]
    loss = loss_value(args.loss, args.similarity, args.scale, embeddings, labels)
    loss.backward()
    model.apply_padding_idx()
    grads = {n: p.grad.detach().double().clone() for n, p in model.params.items() if p.grad is not None}
    return model, loss, grads


def run(args):
    dtype = torch.float64 if args.compute == "float64" else torch.float32
    batch = reference._read_json(os.path.join(args.dump, "batch.json"))
    columns = batch["columns"]
    if len(columns) < 2 or any(len(c) != len(columns[0]) for c in columns):
        raise InputError("batch.json: needs at least two columns of equal length")
    model, loss, ref_raw = forward_backward(args, dtype, batch)
    # The same computation in float32: how far float32 itself lands from the reference, a yardstick for
    # batches whose gradients come from heavy cancellation (a fresh model's nearly identical CLS vectors).
    _, loss32, raw32 = forward_backward(args, torch.float32, batch)

    cli_raw = read_flat(os.path.join(args.dump, "grads_raw.safetensors"))
    cli_clipped = read_flat(os.path.join(args.dump, "grads_clipped.safetensors"))
    # Parameters that no path from the loss reaches (the pooler) have no gradient at all in PyTorch.
    missing = sorted(set(ref_raw) - set(cli_raw))
    extra = sorted(set(cli_raw) - set(ref_raw))
    if set(cli_clipped) != set(cli_raw):
        raise InputError("grads_clipped.safetensors and grads_raw.safetensors hold different names")
    names = sorted(set(ref_raw) & set(cli_raw))

    # clip_grad_norm_ on the reference's own gradients (max_grad_norm 0 = no clipping, as the CLI).
    ref_params = [model.params[n] for n in names]
    ref_norm = total_norm(ref_raw)
    coefficient = 1.0
    if args.max_grad_norm > 0:
        returned = float(torch.nn.utils.clip_grad_norm_(ref_params, args.max_grad_norm))
        coefficient = min(1.0, args.max_grad_norm / (returned + 1e-6))
    ref_clipped = {n: model.params[n].grad.detach().double().clone() for n in names}

    base = {n: p.detach().double() for n, p in model.params.items()}
    ref_after, ref_moments, lr_used = adamw_step(base, ref_clipped, args.lr, args.weight_decay, args.warmup_steps,
                                                 args.total_steps)
    # The optimizer alone: the same torch.optim.AdamW, fed Pairtune's clipped gradients, in float64.
    opt_after, opt_moments, _ = adamw_step(base, cli_clipped, args.lr, args.weight_decay, args.warmup_steps,
                                           args.total_steps)

    checkpoint = os.path.join(args.run, "checkpoints", "step-1")
    cli_after = read_folder_weights(os.path.join(checkpoint, "model"))
    base_file = read_folder_weights(args.model)
    if set(cli_after) != set(base_file):
        raise InputError("the step-1 checkpoint and the base folder hold different tensors: "
                         + ", ".join(sorted(set(cli_after) ^ set(base_file))))
    trainable = sorted(set(base_file) & set(model.params))
    cli_moments_file = read_flat(os.path.join(checkpoint, "optimizer.safetensors"))
    cli_moments = {}
    for name in names:
        if name + ".exp_avg" not in cli_moments_file:
            raise InputError(f"optimizer.safetensors: no moments for {name}")
        cli_moments[name] = (cli_moments_file[name + ".exp_avg"], cli_moments_file[name + ".exp_avg_sq"])

    # Parameters without a gradient must come out bit-identical (no update, not even weight decay).
    untouched = sorted(n for n in trainable if n not in ref_raw)
    untouched_changed = [n for n in untouched if not torch.equal(cli_after[n], base_file[n])]

    # Optimizer check in float32 ulps of the result, plus a relative slack of 1e-6 * lr for the float32
    # arithmetic of m/(sqrt(v)+eps) (whose magnitude is at most about lr).
    opt_ulps, opt_ulps_at, update_scale = 0.0, "", 0.0
    for name in names:
        expected = opt_after[name]
        err = (cli_after[name] - expected).abs() / (ulp32(expected) + 1e-6 * lr_used)
        value = float(err.max()) if err.numel() else 0.0
        update_scale = max(update_scale, float((expected - base[name]).abs().max()))
        if value > opt_ulps or not opt_ulps_at:
            opt_ulps, opt_ulps_at = value, name
    # Decay-only elements: zero gradient, so AdamW's step is exactly p * (1 - lr * wd).
    decay_rows = 0.0
    for name in names:
        zero = cli_clipped[name] == 0
        if bool(zero.any()):
            decay_rows = max(decay_rows, float((cli_after[name] - base[name])[zero].abs().max()))

    # End to end, AdamW's first step moves w by lr * g / (|g| + eps) (plus decay): near g = 0 it
    # amplifies a gradient difference d by up to eps / (|g| + eps)^2, i.e. up to lr * d / eps, whoever
    # computes it (attention key biases, whose exact gradient is 0, are pure rounding noise there).
    # So the part of the weight difference that the two sides' gradient difference explains,
    # lr * |r(g_cli) - r(g_ref)| with r(g) = g / (|g| + eps), is reported per element: elements where
    # it exceeds 1e-6 are "ill-conditioned" and compared with it added to the tolerance; every other
    # element is compared plainly. The gradients themselves are checked separately, and so is the
    # optimizer (fed Pairtune's gradients), so nothing is excused twice.
    adam_eps = 1e-8

    def direction(g):
        return g / (g.abs() + adam_eps)

    well, well_at, excess, excess_at, ill, count = 0.0, "", 0.0, "", 0, 0
    for name in trainable:
        diff = (cli_after[name] - ref_after[name]).abs()
        if name in cli_clipped:
            explained = lr_used * (direction(cli_clipped[name]) - direction(ref_clipped[name])).abs()
        else:
            explained = torch.zeros_like(diff)
        conditioned = explained <= 1e-6
        count += diff.numel()
        ill += int((~conditioned).sum())
        if bool(conditioned.any()):
            value = float(diff[conditioned].max())
            if value > well or not well_at:
                well, well_at = value, name
        value = float((diff - explained).max())
        if value > excess or not excess_at:
            excess, excess_at = value, name

    exp_avg = {n: m[0] for n, m in cli_moments.items()}
    exp_avg_sq = {n: m[1] for n, m in cli_moments.items()}
    report = {
        "compute": args.compute,
        "loss_cli": float(batch["loss"]),
        "loss_ref": float(loss),
        "loss_abs_diff": abs(float(batch["loss"]) - float(loss)),
        "batch_size": len(columns[0]),
        "columns": len(columns),
        "column_lengths": [max(len(ids) for ids in column) for column in columns],
        "grad_names": len(names),
        "grad_missing_in_cli": missing,
        "grad_extra_in_cli": extra,
        "grad_norm_ref": ref_norm,
        "grad_norm_cli": total_norm({n: cli_raw[n] for n in names}),
        "clip_coefficient_ref": coefficient,
        "clip_coefficient_cli": total_norm({n: cli_clipped[n] for n in names}) / max(total_norm({n: cli_raw[n] for n in names}), 1e-300),
        "grads_raw": compare(cli_raw, ref_raw, names),
        "grads_clipped": compare(cli_clipped, ref_clipped, names),
        "lr_used": lr_used,
        "weights": compare(cli_after, ref_after, trainable),
        "weights_well_conditioned_max_abs": well,
        "weights_well_conditioned_at": well_at,
        "weights_excess_over_bound": excess,
        "weights_excess_at": excess_at,
        "weights_ill_conditioned": ill,
        "weights_count": count,
        "weight_update_ref_max": max(float((ref_after[n] - base[n]).abs().max()) for n in names),
        "exp_avg": compare(exp_avg, {n: m[0] for n, m in ref_moments.items()}, names),
        "exp_avg_sq": compare(exp_avg_sq, {n: m[1] for n, m in ref_moments.items()}, names, floor=1e-4),
        "optimizer_max_err_ulps": opt_ulps,
        "optimizer_max_err_at": opt_ulps_at,
        "optimizer_exp_avg": compare(exp_avg, {n: m[0] for n, m in opt_moments.items()}, names),
        "optimizer_exp_avg_sq": compare(exp_avg_sq, {n: m[1] for n, m in opt_moments.items()}, names, floor=1e-4),
        "optimizer_update_max": update_scale,
        "decay_only_update_max": decay_rows,
        "untouched": untouched,
        "untouched_changed": untouched_changed,
        "float32_loss_abs_diff": abs(float(loss32) - float(loss)),
        "float32_grads_raw": compare(raw32, ref_raw, sorted(ref_raw)),
        "base_matches_reference_load": compare(base_file, base, trainable)["max_abs"],
    }
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="the base folder given to train --base")
    parser.add_argument("--dump", required=True, help="the folder given to train --debug-dump")
    parser.add_argument("--run", required=True, help="the run folder given to train --out")
    parser.add_argument("--loss", choices=["mnrl", "mnrl_symmetric", "cosine", "cosent"], default="mnrl")
    parser.add_argument("--similarity", choices=["dot", "cos"], default="dot")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--max-grad-norm", type=float, default=1.0)
    parser.add_argument("--warmup-steps", type=int, default=0)
    parser.add_argument("--total-steps", type=int, default=1)
    parser.add_argument("--compute", choices=["float64", "float32"], default="float64")
    parser.add_argument("--report", help="write the JSON report here (default: stdout)")
    args = parser.parse_args(argv)
    try:
        report = run(args)
    except (InputError, reference.FormatError) as e:
        print(f"reference_train: error: {e}", file=sys.stderr)
        return 2
    text = json.dumps(report, indent=1)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
