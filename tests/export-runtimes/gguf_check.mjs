// Runs an exported GGUF file in llama.cpp (node-llama-cpp's embedding context, prebuilt CPU binary) and
// compares its vectors with `pairtune-cli embed` by cosine (llama.cpp does not normalize; the cosine
// does not care), per text (docs/exports.md):
//   own tokenizer  the text tokenized by llama.cpp as llama-server does (special tokens parsed, its
//                  BOS/CLS and EOS/SEP added), cut like sentence-transformers at max_seq_length (llama.cpp
//                  itself does not cut): every text whose ids equal `pairtune-cli tokenize`'s must reach
//                  the bound; the others are listed with their ids and cosine;
//   pairtune ids   the ids `pairtune-cli tokenize` writes, fed to llama.cpp: every text must reach the
//                  bound (the model itself, whatever the tokenizers do).
// Known difference: RoBERTa and XLM-R number positions past padding (transformers'
// create_position_ids_from_input_ids skips every pad id), llama.cpp numbers every token 0..n-1; a text
// that spells out the pad token (XLM-R's "<pad>") therefore cannot agree and is listed under
// pad_token_inside instead of being held to the bound.
// --sentences files hold ordinary text whose ids must agree once stripped; --texts files (the tricky strings) may
// disagree and are listed. Bounds by type: MIN_COSINE below, or --min-cosine.
// Prints one JSON object (also to --json FILE); exits 1 when a bound is broken.
//   node gguf_check.mjs --cli pairtune-cli --model DIR --gguf FILE --work SCRATCH
//        [--texts FILE ...] [--sentences FILE ...] [--label NAME] [--min-cosine X] [--json OUT]
import { getLlama } from "node-llama-cpp";
import { writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { cosine, embed, ensureDir, listOf, parseArgs, readJson, readTexts, tokenize, worstTexts } from "./common.mjs";

// f32 from the issue; f16 and q8_0 measured on the fixtures of tests/exports (docs/exports.md).
const MIN_COSINE = { f32: 0.9999, f16: 0.9999, q8_0: 0.999 };

const args = parseArgs(process.argv.slice(2), ["cli", "model", "gguf", "work"]);
const work = ensureDir(args.work);
const type = basename(args.gguf).match(/-(f32|f16|q8_0)\.gguf$/)?.[1];
const minCosine = Number(args["min-cosine"] ?? MIN_COSINE[type]);
if (!(minCosine > 0)) throw new Error(`${args.gguf}: no bound for this type; pass --min-cosine`);

const tricky = readTexts(listOf(args.texts));
const sentences = readTexts(listOf(args.sentences));
const texts = [...tricky, ...sentences];
const mustAgree = texts.map((_, i) => i >= tricky.length);
const maxSeqLength = readJson(join(args.model, "sentence_bert_config.json")).max_seq_length;
const config = readJson(join(args.model, "config.json"));
const padId = ["roberta", "xlm-roberta"].includes(config.model_type) ? config.pad_token_id ?? 1 : null;
const pairtuneIds = tokenize(args.cli, args.model, texts, work).map((t) => t.input_ids);
const reference = embed(args.cli, args.model, texts, work);

const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" });
const model = await llama.loadModel({ modelPath: args.gguf, gpuLayers: 0 });
// One more than the model's positions: node-llama-cpp wants every input shorter than the context, and an
// embedding model sees a whole text in one batch.
const contextSize = model.trainContextSize + 1;
const context = await model.createEmbeddingContext({ contextSize, batchSize: contextSize, threads: 2 });

const result = {
  label: args.label ?? args.gguf,
  gguf: basename(args.gguf),
  type,
  min_cosine_bound: minCosine,
  vocabulary: model.vocabularyType,
  train_context: model.trainContextSize,
  texts: texts.length,
  tokenizer_disagreements: [],
  pad_token_inside: [],
  failures: [],
};

const ownCosines = [];
const idCosines = [];
for (let i = 0; i < texts.length; ++i) {
  // An ordinary sentence is stripped first, as sentence-transformers strips every text and llama.cpp
  // does not (with byte-level BPE the surrounding spaces become tokens); the tricky strings go in as they are.
  const ids = cut(llamaTokenize(mustAgree[i] ? texts[i].trim() : texts[i]));
  const agree = ids.length === pairtuneIds[i].length && ids.every((id, k) => id === pairtuneIds[i][k]);
  const own = cosine((await context.getEmbeddingFor(ids)).vector, reference[i]);
  const withOurs = agree ? own : cosine((await context.getEmbeddingFor([...pairtuneIds[i]])).vector, reference[i]);
  if (padId !== null && pairtuneIds[i].includes(padId)) {
    result.pad_token_inside.push({ text: texts[i], cosine: withOurs, own_tokenizer_cosine: own });
    ownCosines.push(NaN);
    idCosines.push(NaN);
    continue;
  }
  ownCosines.push(own);
  idCosines.push(withOurs);
  if (!agree) {
    result.tokenizer_disagreements.push({ text: texts[i], pairtune: pairtuneIds[i], llama_cpp: ids, cosine: own });
    if (mustAgree[i]) result.failures.push(`ordinary sentence tokenized differently: ${JSON.stringify(texts[i])}`);
  } else if (!(own >= minCosine)) {
    result.failures.push(`cosine ${own} < ${minCosine} with llama.cpp's own ids: ${JSON.stringify(texts[i])}`);
  }
}
const agreeing = ownCosines.filter((c, i) => !Number.isNaN(c) && !result.tokenizer_disagreements.some((d) => d.text === texts[i]));
result.min_cosine_own_tokenizer_agreeing = Math.min(...agreeing);
result.min_cosine_pairtune_ids = Math.min(...idCosines.filter((c) => !Number.isNaN(c)));
if (!(result.min_cosine_pairtune_ids >= minCosine))
  result.failures.push(`cosine below ${minCosine} with pairtune's ids; worst: ` +
    worstTexts(texts, idCosines.map((c) => (Number.isNaN(c) ? 1 : c)), 3, false).join(" | "));
await context.dispose();
await model.dispose();
await llama.dispose();

result.pass = result.failures.length === 0;
const json = JSON.stringify(result, null, 2);
if (args.json) writeFileSync(args.json, json + "\n");
console.log(json);
for (const d of result.tokenizer_disagreements)
  console.error(`gguf_check ${result.label}: llama.cpp tokenizes differently (cosine ${d.cosine.toFixed(6)}): ` +
    `${JSON.stringify(d.text.slice(0, 80))}\n  pairtune  ${d.pairtune.join(" ")}\n  llama.cpp ${d.llama_cpp.join(" ")}`);
if (!result.pass) {
  console.error(`gguf_check ${result.label}: FAILED\n  ${result.failures.join("\n  ")}`);
  process.exit(1);
}

// llama.cpp's llama_tokenize(add_special = true, parse_special = true), the way llama-server tokenizes:
// WordPiece vocabularies get CLS ... SEP, the others BOS/EOS where the GGUF's add_bos/add_eos ask for them.
function llamaTokenize(text) {
  const body = model.tokenize(text, true);
  const tokens = model.tokens;
  if (model.vocabularyType === "wpm") return [tokens.bos, ...body, tokens.sep];
  return [...(tokens.shouldPrependBosToken ? [tokens.bos] : []), ...body,
    ...(tokens.shouldAppendEosToken ? [tokens.eos] : [])];
}

// sentence-transformers keeps the first max_seq_length tokens, the closing special token last.
function cut(ids) {
  return ids.length <= maxSeqLength ? ids : [...ids.slice(0, maxSeqLength - 1), ids.at(-1)];
}
