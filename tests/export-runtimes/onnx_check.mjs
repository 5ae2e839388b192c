// Runs an exported model folder's ONNX graphs in ONNX Runtime (onnxruntime-node) on the token ids that
// `pairtune-cli tokenize` writes and compares the vectors with `pairtune-cli embed` (docs/exports.md):
//   onnx/model.onnx              last_hidden_state, then Pooling, Dense and Normalize done here in float64
//                                from the folder's own module files, as sentence-transformers'
//                                backend="onnx" does with its torch modules
//   onnx/sentence_embedding.onnx the vectors straight out of the graph
// each with batches of 1 (no padding) and of 37 (right-padded with config.json's pad_token_id, the way
// the tokenizer pads), a text of exactly 3 tokens and one of 300 in the first batch of 37 when the
// model's max_seq_length allows 300. float32: max abs difference <= 1e-5 per vector element;
// the *_fp16.onnx variants (--fp16 required|optional): FP16_BOUNDS below.
// Prints one JSON object (also to --json FILE); exits 1 when a bound is broken, naming the worst texts.
//   node onnx_check.mjs --cli pairtune-cli --model DIR --work SCRATCH --texts FILE [--texts FILE ...]
//        [--label NAME] [--fp16 required|optional|no] [--json OUT]
import * as ort from "onnxruntime-node";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cosine, embed, ensureDir, listOf, maxAbsDifference, parseArgs, readJson, readTexts, textOfLength,
  tokenize, worstTexts } from "./common.mjs";

const FP32_MAX_ABS = 1e-5;
// float16 weights and activations: measured on the fixtures of tests/exports (docs/exports.md).
const FP16_BOUNDS = { maxAbs: 2e-3, minCosine: 0.9999 };
const BATCH_SIZES = [1, 37];

const args = parseArgs(process.argv.slice(2), ["cli", "model", "work"]);
const work = ensureDir(args.work);
const model = args.model;
const config = readJson(join(model, "config.json"));
const padId = config.pad_token_id ?? 0;
const maxSeqLength = readJson(join(model, "sentence_bert_config.json")).max_seq_length;

// A 3-token and a 300-token text first, so that the first batch of 37 pads from 3 to 300.
const lengthTexts = [3, 300].map((n) => textOfLength(args.cli, model, n, work)).filter((t) => t !== null);
const texts = [...lengthTexts, ...readTexts(listOf(args.texts))];
const tokens = tokenize(args.cli, model, texts, work);
const reference = embed(args.cli, model, texts, work);
const lengths = tokens.map((t) => t.input_ids.length);

const modules = readModules(model);
const result = {
  label: args.label ?? model,
  model_type: config.model_type,
  modules: modules.map((m) => m.kind),
  texts: texts.length,
  shortest: Math.min(...lengths),
  longest: Math.max(...lengths),
  max_seq_length: maxSeqLength,
  onnxruntime: ort.env.versions.node,
  graphs: [],
  failures: [],
};
if (!lengths.includes(3)) result.failures.push("no text of exactly 3 tokens");
if (maxSeqLength >= 300 && !lengths.includes(300)) result.failures.push("no text of exactly 300 tokens");

const fp16 = args.fp16 ?? "optional";
const graphs = [
  { file: "onnx/model.onnx", pooled: true, fp16: false },
  { file: "onnx/sentence_embedding.onnx", pooled: false, fp16: false },
];
if (fp16 !== "no")
  graphs.push({ file: "onnx/model_fp16.onnx", pooled: true, fp16: true },
    { file: "onnx/sentence_embedding_fp16.onnx", pooled: false, fp16: true });

for (const graph of graphs) {
  const path = join(model, graph.file);
  if (!existsSync(path)) {
    if (!graph.fp16 || fp16 === "required") result.failures.push(`${graph.file} is missing`);
    continue;
  }
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 2, interOpNumThreads: 1 });
  for (const batchSize of BATCH_SIZES) {
    const vectors = await embedWithSession(session, graph, batchSize);
    const maxAbs = vectors.map((v, i) => maxAbsDifference(v, reference[i]));
    const cosines = vectors.map((v, i) => cosine(v, reference[i]));
    const entry = {
      graph: graph.file,
      batch_size: batchSize,
      inputs: session.inputNames,
      max_abs_difference: Math.max(...maxAbs),
      min_cosine: Math.min(...cosines),
    };
    result.graphs.push(entry);
    const broken = graph.fp16
      ? !(entry.max_abs_difference <= FP16_BOUNDS.maxAbs && entry.min_cosine >= FP16_BOUNDS.minCosine)
      : !(entry.max_abs_difference <= FP32_MAX_ABS);
    if (broken)
      result.failures.push(`${graph.file} batch ${batchSize}: max abs difference ` +
        `${entry.max_abs_difference.toExponential(3)}, min cosine ${entry.min_cosine} over the bound ` +
        `(${graph.fp16 ? JSON.stringify(FP16_BOUNDS) : FP32_MAX_ABS}); worst: ` +
        worstTexts(texts, maxAbs, 3, true).join(" | "));
  }
  await session.release();
}

result.pass = result.failures.length === 0;
const json = JSON.stringify(result, null, 2);
if (args.json) writeFileSync(args.json, json + "\n");
console.log(json);
if (!result.pass) {
  console.error(`onnx_check ${result.label}: FAILED\n  ${result.failures.join("\n  ")}`);
  process.exit(1);
}

// Batches of `batchSize` texts in order, right-padded to the batch's longest.
async function embedWithSession(session, graph, batchSize) {
  const vectors = [];
  for (let start = 0; start < texts.length; start += batchSize) {
    const batch = tokens.slice(start, start + batchSize);
    const width = Math.max(...batch.map((t) => t.input_ids.length));
    const shape = [batch.length, width];
    const ids = new BigInt64Array(batch.length * width).fill(BigInt(padId));
    const mask = new BigInt64Array(batch.length * width);
    const types = new BigInt64Array(batch.length * width);
    batch.forEach((t, row) => t.input_ids.forEach((id, col) => {
      ids[row * width + col] = BigInt(id);
      mask[row * width + col] = 1n;
      types[row * width + col] = BigInt(t.token_type_ids?.[col] ?? 0);
    }));
    const all = {
      input_ids: new ort.Tensor("int64", ids, shape),
      attention_mask: new ort.Tensor("int64", mask, shape),
      token_type_ids: new ort.Tensor("int64", types, shape),
    };
    const feeds = {};
    for (const name of session.inputNames) {
      if (!all[name]) throw new Error(`${graph.file}: unexpected input ${name}`);
      feeds[name] = all[name];
    }
    const outputName = graph.pooled ? "last_hidden_state" : "sentence_embedding";
    if (!session.outputNames.includes(outputName))
      throw new Error(`${graph.file}: no output ${outputName} (has ${session.outputNames})`);
    const output = (await session.run(feeds))[outputName];
    const data = toFloat64(output);
    if (graph.pooled) {
      const [rows, length, hidden] = output.dims;
      if (rows !== batch.length || length !== width) throw new Error(`${graph.file}: output dims ${output.dims}`);
      for (let row = 0; row < rows; ++row) {
        const states = data.subarray(row * length * hidden, (row + 1) * length * hidden);
        vectors.push(applyModules(states, length, hidden, batch[row].input_ids.length));
      }
    } else {
      const [rows, dim] = output.dims;
      for (let row = 0; row < rows; ++row) vectors.push(data.subarray(row * dim, (row + 1) * dim));
    }
  }
  return vectors;
}

function toFloat64(tensor) {
  if (tensor.type === "float32") return Float64Array.from(tensor.data);
  if (tensor.type === "float16") return Float64Array.from(tensor.data, halfToFloat);
  throw new Error(`output of type ${tensor.type}`);
}

function halfToFloat(bits) {
  if (typeof bits === "number" && !Number.isInteger(bits)) return bits; // a Float16Array's value
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

// modules.json after the Transformer: Pooling, Dense, Normalize, read as sentence-transformers reads them
// (docs/formats.md §1.5-1.6).
function readModules(folder) {
  const list = readJson(join(folder, "modules.json")).slice(1);
  return list.map((m) => {
    const dir = join(folder, m.path);
    if (m.type.endsWith(".Pooling")) return { kind: "Pooling", config: readJson(join(dir, "config.json")) };
    if (m.type.endsWith(".Normalize")) return { kind: "Normalize" };
    if (m.type.endsWith(".Dense")) {
      const config = readJson(join(dir, "config.json"));
      const tensors = readSafetensors(join(dir, "model.safetensors"));
      return { kind: "Dense", config, weight: tensors["linear.weight"], bias: tensors["linear.bias"] };
    }
    throw new Error(`${folder}: module ${m.type} is not handled by this check`);
  });
}

function applyModules(states, length, hidden, realTokens) {
  let vector = null;
  for (const m of modules) {
    if (m.kind === "Pooling") vector = pool(m.config, states, length, hidden, realTokens);
    else if (m.kind === "Dense") vector = dense(m, vector);
    else {
      const norm = Math.max(Math.hypot(...vector), 1e-12);
      vector = vector.map((x) => x / norm);
    }
  }
  return vector;
}

// sentence-transformers' Pooling: the enabled modes concatenated in the order cls, max, mean,
// mean_sqrt_len, weightedmean, lasttoken; a missing pooling_mode_mean_tokens means true. Right padding:
// the real tokens are the first `realTokens`.
function pool(config, states, length, hidden, realTokens) {
  const at = (t, h) => states[t * hidden + h];
  const parts = [];
  const column = (f) => Array.from({ length: hidden }, (_, h) => f(h));
  const sum = (h, weight) => {
    let s = 0;
    for (let t = 0; t < realTokens; ++t) s += at(t, h) * weight(t);
    return s;
  };
  if (config.pooling_mode_cls_token) parts.push(column((h) => at(0, h)));
  if (config.pooling_mode_max_tokens)
    parts.push(column((h) => Math.max(...Array.from({ length: realTokens }, (_, t) => at(t, h)))));
  if (config.pooling_mode_mean_tokens ?? true) parts.push(column((h) => sum(h, () => 1) / realTokens));
  if (config.pooling_mode_mean_sqrt_len_tokens)
    parts.push(column((h) => sum(h, () => 1) / Math.sqrt(realTokens)));
  if (config.pooling_mode_weightedmean_tokens) {
    const total = (realTokens * (realTokens + 1)) / 2;
    parts.push(column((h) => sum(h, (t) => t + 1) / total));
  }
  if (config.pooling_mode_lasttoken) parts.push(column((h) => at(realTokens - 1, h)));
  return parts.flat();
}

function dense(m, input) {
  const { in_features: inputs, out_features: outputs } = m.config;
  if (input.length !== inputs) throw new Error(`Dense expects ${inputs} features, pooling gave ${input.length}`);
  const activation = {
    "torch.nn.modules.activation.Tanh": Math.tanh,
    "torch.nn.modules.linear.Identity": (x) => x,
    "torch.nn.modules.activation.ReLU": (x) => Math.max(0, x),
    "torch.nn.modules.activation.Sigmoid": (x) => 1 / (1 + Math.exp(-x)),
  }[m.config.activation_function ?? "torch.nn.modules.activation.Tanh"];
  if (!activation) throw new Error(`Dense activation ${m.config.activation_function} is not handled`);
  return Array.from({ length: outputs }, (_, o) => {
    let s = m.bias ? m.bias[o] : 0;
    for (let i = 0; i < inputs; ++i) s += m.weight[o * inputs + i] * input[i];
    return activation(s);
  });
}

// safetensors: u64 little-endian header length, JSON header, raw little-endian data (F32, F16, BF16).
function readSafetensors(file) {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.toString("utf8", 8, 8 + headerLength));
  const base = 8 + headerLength;
  const tensors = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [begin, end] = info.data_offsets;
    const raw = bytes.subarray(base + begin, base + end);
    const count = info.shape.reduce((a, b) => a * b, 1);
    const values = new Float64Array(count);
    for (let i = 0; i < count; ++i) {
      if (info.dtype === "F32") values[i] = raw.readFloatLE(i * 4);
      else if (info.dtype === "F16") values[i] = halfToFloat(raw.readUInt16LE(i * 2));
      else if (info.dtype === "BF16") values[i] = new Float32Array(new Uint32Array([raw.readUInt16LE(i * 2) << 16]).buffer)[0];
      else throw new Error(`${file}: ${name} has dtype ${info.dtype}`);
    }
    tensors[name] = values;
  }
  return tensors;
}
