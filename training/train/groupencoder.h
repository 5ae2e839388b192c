#pragma once

// Embedding texts across a data-parallel run's processes (docs/distributed.md, issue 19): every rank
// embeds a contiguous share of the texts (dist/distributedcontext.h batchSlice) and rank 0 receives all
// rows in the texts' order (ProcessGroup::gatherRowsToFirst, c10d gather). A text's embedding does not
// depend on the others in its batch (the encoder computes only real tokens), so rank 0 holds the single
// process's embeddings up to float rounding. The evaluations during a run and its start and end passes
// (the verdict's ranks, the general check, the similarity threshold) all embed through it.
// Torch-free interface.

#include "train/evaluator.h"

#include <cstddef>
#include <string>

namespace pairtune {

class ProcessGroup;
class SentenceModel;

// Texts under model, batchSize per forward pass. group null: model.encodeWithPrompt. Otherwise calling
// it is a collective: every rank must call it with the same texts and prompt at the same point; rank 0
// gets every row, the other ranks no rows (dim set). what: named in the error when a peer has failed
// ("the verdict's embeddings"). model and group must outlive the encoder.
TextEncoder groupEncoder(
    const SentenceModel &model, ProcessGroup *group, std::size_t batchSize, std::string what);

} // namespace pairtune
