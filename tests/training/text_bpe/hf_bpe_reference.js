#!/usr/bin/env node
// Hugging Face tokenizers (npm 0.23.2, tests/hf-tokenizers) as the reference of tst_bpe_tokenizer, one JSON
// answer per JSON input line:
//   pretokenize ADD_PREFIX_SPACE USE_REGEX FILE  the ByteLevel pre-tokenizer's pieces of each text
//                                                (a JSON string per line) -> ["Ġhello", ...]
//   model TOKENIZER_JSON FILE                    the BPE model alone on pre-tokenized words (a JSON list of
//                                                words per line; the file's normalizer and pre-tokenizer
//                                                are taken out) -> [ids]
//   encode TOKENIZER_JSON FILE                   ids of each text (a JSON string per line), with special
//                                                tokens, no truncation -> [ids]
'use strict';

const fs = require('fs');
const path = require('path');

const tokenizers = require(path.join(__dirname, '..', '..', 'hf-tokenizers', 'node_modules', 'tokenizers'));

function inputs(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line));
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  let out = '';
  if (mode === 'pretokenize') {
    const pre = tokenizers.byteLevelPreTokenizer(args[0] === 'true', args[1] === 'true');
    for (const text of inputs(args[2]))
      out += JSON.stringify(pre.preTokenizeString(text).map(([piece]) => piece)) + '\n';
  } else if (mode === 'model' || mode === 'encode') {
    const json = JSON.parse(fs.readFileSync(args[0], 'utf8'));
    if (mode === 'model') {
      json.normalizer = null;
      json.pre_tokenizer = null;
      json.added_tokens = [];
    }
    const tokenizer = tokenizers.Tokenizer.fromString(JSON.stringify(json));
    for (const input of inputs(args[1])) {
      // Without a pre-tokenizer the whole input is one word: each word is encoded on its own.
      const ids = [];
      for (const text of mode === 'model' ? input : [input]) {
        const encoding = await tokenizer.encode(text, null, { addSpecialTokens: mode === 'encode' });
        ids.push(...encoding.getIds());
      }
      out += JSON.stringify(ids) + '\n';
    }
  } else {
    throw new Error(`unknown mode "${mode}"`);
  }
  process.stdout.write(out);
}

main().catch((e) => {
  process.stderr.write(`hf_bpe_reference: ${e.stack || e}\n`);
  process.exit(2);
});
