#!/usr/bin/python3
"""Writes retrieval_reference.json: a random score matrix, relevant sets and the metrics computed the
way sentence-transformers' InformationRetrievalEvaluator.compute_metrics does (docs/formats.md §6.2),
written independently here in plain Python (sorted top hits, then per-k loops). Scores are distinct,
so tie order plays no part. Run: /usr/bin/python3 make_retrieval_reference.py > retrieval_reference.json"""
import json
import math
import random

rng = random.Random(20240611)
queries, corpus = 8, 40
relevant = []
for q in range(queries):
    count = [0, 1, 1, 2, 3, 5, 12, 1][q]  # query 0 has none and is skipped
    relevant.append(sorted(rng.sample(range(corpus), count)))
# Relevant documents score higher on average, so the metrics land between 0 and 1.
scores = [[round(rng.uniform(-1, 1) + (0.9 if c in relevant[q] else 0.0), 6) for c in range(corpus)]
          for q in range(queries)]
for row in scores:  # every score in a row is distinct
    assert len(set(row)) == corpus

acc_k, pr_k, mrr_k, ndcg_k, map_k = [1, 3, 5, 10], [1, 3, 5, 10], [10], [10], [100]
max_k = max(acc_k + pr_k + mrr_k + ndcg_k + map_k)


def dcg(relevances, k):
    return sum(r / math.log2(i + 2) for i, r in enumerate(relevances[:k]))


sums = {}
counted = 0
for q in range(queries):
    rel = set(relevant[q])
    if not rel:
        continue
    counted += 1
    top = sorted(range(corpus), key=lambda c: scores[q][c], reverse=True)[:max_k]

    def add(key, value):
        sums[key] = sums.get(key, 0.0) + value

    for k in acc_k:
        add(f"accuracy@{k}", 1.0 if any(c in rel for c in top[:k]) else 0.0)
    for k in pr_k:
        correct = sum(1 for c in top[:k] if c in rel)
        add(f"precision@{k}", correct / k)
        add(f"recall@{k}", correct / len(rel))
    for k in mrr_k:
        value = 0.0
        for rank, c in enumerate(top[:k]):
            if c in rel:
                value = 1.0 / (rank + 1)
                break
        add(f"mrr@{k}", value)
    for k in ndcg_k:
        predicted = [1 if c in rel else 0 for c in top[:k]]
        add(f"ndcg@{k}", dcg(predicted, k) / dcg([1] * len(rel), k))
    for k in map_k:
        correct, precisions = 0, 0.0
        for rank, c in enumerate(top[:k]):
            if c in rel:
                correct += 1
                precisions += correct / (rank + 1)
        add(f"map@{k}", precisions / min(k, len(rel)))

print(json.dumps({"queries": queries, "corpus": corpus, "scores": scores, "relevant": relevant,
                  "expected": {k: v / counted for k, v in sorted(sums.items())}}, indent=1))
