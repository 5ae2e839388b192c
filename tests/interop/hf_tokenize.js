#!/usr/bin/env node
// Token ids from Hugging Face's own tokenizers library (the npm package `tokenizers`, the Node binding of
// the Rust library Python's transformers uses), for the texts of a file, in the format of
// `pairtune-cli tokenize`: one {"input_ids":[...]} line per input line.
//
//   node tests/interop/hf_tokenize.js --model DIR --input FILE [--output OUT.jsonl]
//
// It loads DIR/tokenizer.json with Tokenizer.fromFile and does what sentence-transformers' Transformer
// module does before and around the tokenizer call (written from sentence-transformers 6.0.1 and
// transformers 5.x, not from Pairtune's code):
//   - each text is str.strip()-ed with Python's whitespace set (not JavaScript's trim(), which differs on
//     U+001C..U+001F, U+0085 and U+FEFF), and lower-cased when sentence_bert_config.json says
//     do_lower_case;
//   - encode with special tokens, truncated "longest_first" at max_seq_length: sentence_bert_config.json's
//     max_seq_length, or else min(config.json max_position_embeddings, tokenizer_config.json
//     model_max_length) as sentence-transformers infers it; tokenizer_config.json's truncation_side
//     (default right) picks the end that is cut; no padding (the ids of one text, as Pairtune writes them).
// Lines are read as Pairtune's CLI reads them: split at \n, one trailing \r dropped, a UTF-8 byte order mark
// at the start of the file dropped; invalid UTF-8 is an error rather than a guess.
// The library is installed by scripts/install_hf_tokenizers.sh into tests/hf-tokenizers/node_modules.
'use strict';

const fs = require('fs');
const path = require('path');

const PYTHON_WHITESPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

function fail(message) {
  process.stderr.write(`hf_tokenize: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    if (!['--model', '--input', '--output'].includes(key) || i + 1 >= argv.length)
      fail(`usage: hf_tokenize.js --model DIR --input FILE [--output OUT.jsonl] (got "${key}")`);
    args[key.slice(2)] = argv[i + 1];
  }
  if (!args.model || !args.input) fail('--model and --input are required');
  return args;
}

function loadTokenizers() {
  const dir = path.join(__dirname, '..', 'hf-tokenizers', 'node_modules', 'tokenizers');
  try {
    return require(dir);
  } catch (e) {
    fail(`cannot load Hugging Face tokenizers from ${dir} (${e.message.split('\n')[0]}); ` +
      'install it with scripts/install_hf_tokenizers.sh');
  }
}

function readJsonIfPresent(file) {
  if (!fs.existsSync(file)) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`${file}: ${e.message}`);
  }
}

function pythonStrip(text) {
  const chars = Array.from(text);
  let begin = 0;
  let end = chars.length;
  while (begin < end && PYTHON_WHITESPACE.has(chars[begin].codePointAt(0))) ++begin;
  while (end > begin && PYTHON_WHITESPACE.has(chars[end - 1].codePointAt(0))) --end;
  return chars.slice(begin, end).join('');
}

function readLines(file) {
  let bytes = fs.readFileSync(file);
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const lines = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    const next = end < 0 ? bytes.length : end + 1;
    if (end < 0) end = bytes.length;
    if (end > start && bytes[end - 1] === 0x0d) --end;
    try {
      lines.push(decoder.decode(bytes.subarray(start, end)));
    } catch (e) {
      fail(`${file}: line ${lines.length + 1} is not valid UTF-8`);
    }
    start = next;
  }
  return lines;
}

// The file names sentence-transformers' Transformer.load tries, in its order.
const SBERT_CONFIG_NAMES = [
  'sentence_bert_config.json', 'sentence_roberta_config.json', 'sentence_distilbert_config.json',
  'sentence_camembert_config.json', 'sentence_albert_config.json', 'sentence_xlm-roberta_config.json',
  'sentence_xlnet_config.json',
];
// transformers' VERY_LARGE_INTEGER: a tokenizer_config.json without model_max_length means no limit.
const VERY_LARGE_INTEGER = 1e30;

// sentence-transformers' do_lower_case and max_seq_length (null: no truncation), as Transformer.__init__
// reads or infers them and transformers then applies them.
function transformerSettings(model) {
  const name = SBERT_CONFIG_NAMES.find((n) => fs.existsSync(path.join(model, n)));
  const st = name ? readJsonIfPresent(path.join(model, name)) : {};
  const lower = st.do_lower_case === true;
  const tokenizerConfig = readJsonIfPresent(path.join(model, 'tokenizer_config.json'));
  const modelMaxLength = Number.isFinite(tokenizerConfig.model_max_length)
    ? tokenizerConfig.model_max_length : VERY_LARGE_INTEGER;
  let maxLength = Number.isInteger(st.max_seq_length) ? st.max_seq_length : null;
  if (maxLength === null) {
    const config = readJsonIfPresent(path.join(model, 'config.json'));
    maxLength = Number.isFinite(config.max_position_embeddings)
      ? Math.min(config.max_position_embeddings, modelMaxLength) : modelMaxLength;
  }
  // With max_length at "no limit" transformers does not truncate at all.
  if (maxLength >= Number.MAX_SAFE_INTEGER) maxLength = null;
  const direction = tokenizerConfig.truncation_side === 'left' ? 'left' : 'right';
  return { lower, maxLength, direction };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { Tokenizer } = loadTokenizers();
  const tokenizerPath = path.join(args.model, 'tokenizer.json');
  let tokenizer;
  try {
    tokenizer = Tokenizer.fromFile(tokenizerPath);
  } catch (e) {
    fail(`${tokenizerPath}: ${e.message}`);
  }
  const { lower, maxLength, direction } = transformerSettings(args.model);
  // transformers replaces whatever truncation and padding tokenizer.json carries with the call's own.
  if (maxLength !== null) tokenizer.setTruncation(maxLength, { strategy: 'LongestFirst', stride: 0, direction });
  else tokenizer.disableTruncation();
  tokenizer.disablePadding();

  let out = '';
  for (const line of readLines(args.input)) {
    let text = pythonStrip(line);
    if (lower) text = text.toLowerCase();
    const encoding = await tokenizer.encode(text, null, { addSpecialTokens: true });
    out += JSON.stringify({ input_ids: Array.from(encoding.getIds()) }) + '\n';
  }
  if (args.output) fs.writeFileSync(args.output, out);
  else process.stdout.write(out);
}

main().catch((e) => fail(e.stack || String(e)));
