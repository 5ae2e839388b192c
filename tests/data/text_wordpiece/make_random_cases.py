#!/usr/bin/python3
"""Writes random-fast-bert.jsonl: random texts and the ids that an independent Python reading of
the BERT fast-tokenizer rules (docs/formats.md §4.2) gives them with ../bert-base-uncased-vocab.txt.

Run from this folder (standard library only):  /usr/bin/python3 make_random_cases.py
Texts only use code points that Python's unicodedata knows, so that its tables and utf8proc's agree.
"""
import json
import random
import unicodedata

CASES = 1500
random.seed(7)

with open("../bert-base-uncased-vocab.txt", encoding="utf-8") as f:
    VOCAB = {line.rstrip("\n"): i for i, line in enumerate(f)}
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
UNK = VOCAB["[UNK]"]

# Rust's char::is_whitespace (White_Space): not the same set as Python's str.isspace.
RUST_WHITESPACE = {0x9, 0xA, 0xB, 0xC, 0xD, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000}
RUST_WHITESPACE |= set(range(0x2000, 0x200B))
CJK = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
       (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)]


def is_whitespace(c):
    return ord(c) in RUST_WHITESPACE


def is_control(c):
    return c not in "\t\n\r" and unicodedata.category(c) in ("Cc", "Cf", "Co")


def is_cjk(c):
    return any(lo <= ord(c) <= hi for lo, hi in CJK)


def is_punctuation(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def normalize(text):
    chars = []
    for c in text:
        if ord(c) == 0 or ord(c) == 0xFFFD or is_control(c):
            continue
        if is_whitespace(c):
            c = " "
        chars += [" ", c, " "] if is_cjk(c) else [c]
    text = unicodedata.normalize("NFD", "".join(chars))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return "".join(c.lower() for c in text)  # per character, like Rust: no final-sigma rule


def pre_tokenize(text):
    words, current = [], ""
    for c in text:
        if is_whitespace(c) or is_punctuation(c):
            if current:
                words.append(current)
            current = ""
            if not is_whitespace(c):
                words.append(c)
        else:
            current += c
    return words + ([current] if current else [])


def word_piece(word):
    if len(word) > 100:
        return [UNK]
    ids, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):
            piece = ("##" if start > 0 else "") + word[start:end]
            if piece in VOCAB:
                ids.append(VOCAB[piece])
                start = end
                break
        else:
            return [UNK]
    return ids


def encode(text):
    """Special tokens are found leftmost-longest in the raw text; the rest is normalized."""
    ids, plain, i = [], "", 0
    while i <= len(text):
        match = max((s for s in SPECIALS if text.startswith(s, i)), key=len, default=None)
        if match is None and i < len(text):
            plain += text[i]
            i += 1
            continue
        for word in pre_tokenize(normalize(plain)):
            ids += word_piece(word)
        plain = ""
        if match is None:
            break
        ids.append(VOCAB[match])
        i += len(match)
    return [VOCAB["[CLS]"]] + ids + [VOCAB["[SEP]"]]


POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    " \t\n\r\x0b\x0c\x85\xa0\u2028\u2029\u3000\u2003\u200b\ufeff\u00ad\x00\x07\ufffd\ue000",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~¿¡«»“”‘’—–…€£¥×÷∑≠≤√",
    "áéíóúàèìòùâêîôûäëïöüçñÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÄËÏÖÜÇÑÅåØøßẞİıŁłŒœ",
    "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώΆΈ",
    "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "中文日本語漢字你好世界東京大学豈﨑\U0002B820\U0002B920\U0002B81F\U00020000\u3400",
    "안녕하세요한국어こんにちはありがとうカタカナガギグ",
    "\u0301\u0308\u0327\u0323\u0300\u0306\u030a\u0338\u0345\u05b0\u0e31",
    ["\U0001F355", "\U0001F44D", "\U0001F3FD", "\u200d", "\U0001F468", "\u2764", "\ufe0f"],
    ["[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]", "[cls]", " hello ", " world", "ing", "un", "##"],
]
WEIGHTS = [30, 10, 10, 8, 5, 5, 5, 5, 4, 3, 5, 3]  # the last: any assigned code point


def random_code_point():
    while True:
        cp = random.randint(0x80, 0x2FFFF)
        if not 0xD800 <= cp <= 0xDFFF and unicodedata.category(chr(cp)) != "Cn":
            return chr(cp)


def random_text():
    parts = []
    for _ in range(random.randint(0, 40)):
        k = random.choices(range(len(WEIGHTS)), WEIGHTS)[0]
        parts.append(random_code_point() if k == len(POOLS) else random.choice(POOLS[k]))
    return "".join(parts)


with open("random-fast-bert.jsonl", "w", encoding="utf-8") as f:
    for _ in range(CASES):
        text = random_text()
        f.write(json.dumps({"text": text, "ids": encode(text)}) + "\n")
