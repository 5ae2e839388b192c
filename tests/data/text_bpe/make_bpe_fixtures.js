#!/usr/bin/env node
// Writes the byte-level BPE fixtures of tests/data/text_bpe: real-format tokenizer.json files whose
// merges Hugging Face tokenizers itself learned (the npm package's BPE trainer, 0.23.2) from the first
// 300 kB of resources/data/wordnet-demo-pairs.tsv, cut to the first MERGES merges, in the layouts the
// models people fine-tune use:
//   roberta/      RoBERTa: <s> <pad> </s> <unk> first, no normalizer, ByteLevel without prefix space,
//                 RobertaProcessing, <mask> (lstrip) last, merges as "a b" strings (older files), and the
//                 slow files vocab.json + merges.txt of the same tokenizer in roberta/slow/;
//   modernbert/   ModernBERT: NFC normalizer, ByteLevel without prefix space, TemplateProcessing
//                 "[CLS] $A [SEP]", [UNK] [CLS] [SEP] [PAD] [MASK] after the vocabulary, merges as pairs;
//   prefix-space/ GPT-2 style with add_prefix_space, ignore_merges, a Sequence(Lowercase, NFKC) normalizer,
//                 an unk_token with fuse_unk and an alphabet of the seen bytes only (other bytes are unknown),
//                 a Sequence(ByteLevel, TemplateProcessing) post-processor.
// Run from the repository root after scripts/install_hf_tokenizers.sh:
//   node tests/data/text_bpe/make_bpe_fixtures.js
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..', '..');
const tokenizers = require(path.join(ROOT, 'tests', 'hf-tokenizers', 'node_modules', 'tokenizers'));
const MERGES = 1500;

function train() {
  const corpus = path.join(os.tmpdir(), `bpe-corpus-${process.pid}.txt`);
  const text = fs.readFileSync(path.join(ROOT, 'resources', 'data', 'wordnet-demo-pairs.tsv')).subarray(0, 300000);
  fs.writeFileSync(corpus, text);
  const tokenizer = new tokenizers.Tokenizer(tokenizers.BPE.empty());
  tokenizer.setPreTokenizer(tokenizers.byteLevelPreTokenizer(false, true));
  tokenizer.train([corpus]);
  const out = path.join(os.tmpdir(), `bpe-trained-${process.pid}.json`);
  tokenizer.save(out, false);
  const trained = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.unlinkSync(corpus);
  fs.unlinkSync(out);
  return trained.model.merges.slice(0, MERGES);
}

// The vocabulary: specials, the alphabet (all 256 byte characters, or only those the merges use), then
// each merge's result in merge order.
function vocabulary(merges, first, fullAlphabet) {
  const vocab = {};
  let next = 0;
  const add = (token) => {
    if (!(token in vocab)) vocab[token] = next++;
  };
  first.forEach(add);
  if (fullAlphabet) {
    tokenizers.byteLevelAlphabet().sort().forEach(add);
  } else {
    const seen = new Set();
    for (const [a, b] of merges) for (const part of [a, b]) for (const c of Array.from(part)) seen.add(c);
    Array.from(seen).sort().forEach(add);
  }
  for (const [a, b] of merges) add(a + b);
  return { vocab, next };
}

function added(id, content, { lstrip = false, normalized = false } = {}) {
  return { id, content, single_word: false, lstrip, rstrip: false, normalized, special: true };
}

function bpeModel(vocab, merges, extra) {
  return Object.assign({ type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null,
    end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false }, extra,
  { vocab, merges });
}

function byteLevel(addPrefixSpace) {
  return { type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: true };
}

function write(folder, files) {
  fs.mkdirSync(folder, { recursive: true });
  for (const [name, content] of Object.entries(files))
    fs.writeFileSync(path.join(folder, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
  // The reference must load what was written.
  if (files['tokenizer.json']) tokenizers.Tokenizer.fromFile(path.join(folder, 'tokenizer.json'));
}

function roberta(merges) {
  const { vocab, next } = vocabulary(merges, ['<s>', '<pad>', '</s>', '<unk>'], true);
  vocab['<mask>'] = next;
  const tokenizer = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [added(0, '<s>', { normalized: true }), added(1, '<pad>', { normalized: true }),
      added(2, '</s>', { normalized: true }), added(3, '<unk>', { normalized: true }),
      added(next, '<mask>', { lstrip: true })],
    normalizer: null,
    pre_tokenizer: byteLevel(false),
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true,
      add_prefix_space: false },
    decoder: byteLevel(true),
    model: bpeModel(vocab, merges.map(([a, b]) => `${a} ${b}`), { continuing_subword_prefix: '', end_of_word_suffix: '' }),
  };
  const config = { tokenizer_class: 'RobertaTokenizer', add_prefix_space: false, bos_token: '<s>', eos_token: '</s>',
    sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>',
    mask_token: { content: '<mask>', lstrip: true, normalized: false, rstrip: false, single_word: false, special: true },
    model_max_length: 512 };
  write(path.join(__dirname, 'roberta'), { 'tokenizer.json': tokenizer, 'tokenizer_config.json': config });
  write(path.join(__dirname, 'roberta', 'slow'), {
    'vocab.json': JSON.stringify(vocab),
    'merges.txt': '#version: 0.2\n' + merges.map(([a, b]) => `${a} ${b}\n`).join(''),
    'tokenizer_config.json': config,
  });
}

function modernbert(merges) {
  const { vocab, next } = vocabulary(merges, ['<|endoftext|>', '<|padding|>'], true);
  const specials = ['[UNK]', '[CLS]', '[SEP]', '[PAD]', '[MASK]'];
  const addedTokens = [added(0, '<|endoftext|>'), added(1, '<|padding|>')];
  specials.forEach((s, i) => addedTokens.push(added(next + i, s, { lstrip: s === '[MASK]' })));
  const tokenizer = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: addedTokens,
    normalizer: { type: 'NFC' },
    pre_tokenizer: byteLevel(false),
    post_processor: { type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [next + 1], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [next + 2], tokens: ['[SEP]'] },
      } },
    decoder: byteLevel(true),
    model: bpeModel(vocab, merges, {}),
  };
  const config = { tokenizer_class: 'PreTrainedTokenizerFast', clean_up_tokenization_spaces: true,
    cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', mask_token: '[MASK]', unk_token: '[UNK]',
    model_max_length: 8192 };
  write(path.join(__dirname, 'modernbert'), { 'tokenizer.json': tokenizer, 'tokenizer_config.json': config });
}

function prefixSpace(merges) {
  const { vocab, next } = vocabulary(merges, ['<unk>', '<pad>', '<|endoftext|>'], false);
  const tokenizer = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [added(0, '<unk>'), added(1, '<pad>'), added(2, '<|endoftext|>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Lowercase' }, { type: 'NFKC' }] },
    pre_tokenizer: byteLevel(true),
    post_processor: { type: 'Sequence', processors: [
      { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
      { type: 'TemplateProcessing',
        single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<|endoftext|>', type_id: 0 } }],
        pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } },
          { SpecialToken: { id: '<|endoftext|>', type_id: 1 } }],
        special_tokens: { '<|endoftext|>': { id: '<|endoftext|>', ids: [2], tokens: ['<|endoftext|>'] } } },
    ] },
    decoder: byteLevel(true),
    model: bpeModel(vocab, merges, { unk_token: '<unk>', fuse_unk: true, ignore_merges: true }),
  };
  if (next <= 3) throw new Error('empty vocabulary');
  write(path.join(__dirname, 'prefix-space'), { 'tokenizer.json': tokenizer,
    'tokenizer_config.json': { tokenizer_class: 'PreTrainedTokenizerFast', pad_token: '<pad>', model_max_length: 256 } });
}

const merges = train();
roberta(merges);
modernbert(merges);
prefixSpace(merges);
process.stdout.write(`wrote roberta, modernbert and prefix-space with ${merges.length} merges each\n`);
