// What onnx_check.mjs and gguf_check.mjs share: their command line, the texts, pairtune-cli's token ids
// and embeddings (the reference both runtimes are compared with), and the comparison numbers.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// --name value pairs; a name given twice collects its values in order.
export function parseArgs(argv, required) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    const name = argv[i].slice(2);
    args[name] = args[name] === undefined ? argv[i + 1] : [].concat(args[name], argv[i + 1]);
  }
  for (const name of required)
    if (args[name] === undefined) throw new Error(`--${name} is required`);
  return args;
}

export function listOf(value) {
  return value === undefined ? [] : [].concat(value);
}

// Texts from .jsonl files ({"text": ...} per line, tests/data/hf_tokenizers/tricky-strings.jsonl) and
// plain files (one per line). A line feed would split a text in two for the CLI, so none may have one.
export function readTexts(files) {
  const texts = [];
  for (const file of files) {
    const lines = readFileSync(file, "utf8").split("\n");
    if (lines.at(-1) === "") lines.pop();
    for (const line of lines) {
      const text = file.endsWith(".jsonl") ? JSON.parse(line).text : line;
      if (text.includes("\n")) throw new Error(`${file}: a text with a line feed: ${JSON.stringify(text)}`);
      texts.push(text);
    }
  }
  return texts;
}

export function runCli(cli, args) {
  try {
    return execFileSync(cli, args, { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    throw new Error(`${cli} ${args.join(" ")} failed (${error.status}): ${error.stderr}`);
  }
}

// pairtune-cli tokenize --types: {"input_ids": [...], "token_type_ids": [...]} per text.
export function tokenize(cli, model, texts, work) {
  const input = join(work, "tokenize-input.txt");
  writeFileSync(input, texts.map((t) => t + "\n").join(""));
  const out = join(work, "tokens.jsonl");
  runCli(cli, ["tokenize", "--model", model, "--input", input, "--output", out, "--types"]);
  const rows = readFileSync(out, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
  if (rows.length !== texts.length) throw new Error(`tokenize wrote ${rows.length} rows for ${texts.length} texts`);
  return rows;
}

// pairtune-cli embed: the vectors sentence-transformers' encode() gives (rows of Float32Array).
export function embed(cli, model, texts, work) {
  const input = join(work, "embed-input.txt");
  writeFileSync(input, texts.map((t) => t + "\n").join(""));
  const out = join(work, "embeddings.npy");
  runCli(cli, ["embed", "--model", model, "--input", input, "--output", out]);
  const rows = readNpyFloat32(out);
  if (rows.length !== texts.length) throw new Error(`embed wrote ${rows.length} rows for ${texts.length} texts`);
  return rows;
}

// A 2-D little-endian float32 .npy (format versions 1-3).
export function readNpyFloat32(file) {
  const bytes = readFileSync(file);
  if (bytes.toString("latin1", 0, 6) !== "\x93NUMPY") throw new Error(`${file}: not a .npy file`);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = bytes.toString("latin1", major === 1 ? 10 : 12, start);
  if (!/'descr':\s*'<f4'/.test(header) || /'fortran_order':\s*True/.test(header))
    throw new Error(`${file}: not C-ordered float32: ${header}`);
  const shape = header.match(/'shape':\s*\((\d+),\s*(\d+)\)/);
  if (!shape) throw new Error(`${file}: not 2-D: ${header}`);
  const [rows, cols] = [Number(shape[1]), Number(shape[2])];
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + rows * cols * 4));
  return Array.from({ length: rows }, (_, r) => data.subarray(r * cols, (r + 1) * cols));
}

export function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; ++i) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

export function maxAbsDifference(a, b) {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; ++i) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return Number.isNaN(worst) ? Infinity : worst;
}

// A text that `pairtune-cli tokenize` turns into exactly `length` tokens (specials included), from
// repeats of a word (one tokenize call over every count up to `length`); null when the model cuts texts
// shorter (max_seq_length) or no count hits it.
export function textOfLength(cli, model, length, work) {
  const candidates = Array.from({ length }, (_, i) => Array(i + 1).fill("a").join(" "));
  const rows = tokenize(cli, model, candidates, work);
  const hit = rows.findIndex((row) => row.input_ids.length === length);
  return hit < 0 ? null : candidates[hit];
}

export function ensureDir(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

// The worst few texts of a comparison, for a failure message.
export function worstTexts(texts, values, count, higherIsWorse) {
  return values.map((v, i) => ({ value: v, text: texts[i] }))
    .sort((x, y) => (higherIsWorse ? y.value - x.value : x.value - y.value))
    .slice(0, count)
    .map((w) => `${w.value.toExponential(3)} ${JSON.stringify(w.text.slice(0, 60))}`);
}
