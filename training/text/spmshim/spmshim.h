#pragma once

// The C interface of pairtune_spmshim, the one library in Pairtune that links sentencepiece.
// Debian's libsentencepiece carries its own protobuf 3.14 and LibTorch brings protobuf 3.21; both in
// one link crash the process before main (docs/pitfalls.md §2). So sentencepiece lives in this module,
// loaded with dlopen(RTLD_LOCAL | RTLD_DEEPBIND), and nothing but plain C types crosses the boundary:
// no exceptions, no std::string. Every string is (pointer, length) because pieces are byte strings.
// Buffers and error messages the shim allocates are released with pairtune_spm_free_buffer().
// This header is shared by the shim and by its loader (text/sentencepieceshim.cpp); the loader never
// links the shim, it only uses the function types below.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PAIRTUNE_SPMSHIM_ABI_VERSION 1

typedef struct pairtune_spm pairtune_spm;

// Called once per piece of an encoding, in order.
typedef void (*pairtune_spm_piece_callback)(void *context, const char *piece, size_t pieceSize, int id);

// The ABI version the shim was built with; the loader refuses a different one.
int pairtune_spm_abi_version(void);

// Frees a buffer or error message returned by the shim (NULL is fine).
void pairtune_spm_free_buffer(char *buffer);

// Loads a model from the bytes of a .model file. Returns NULL and sets *error on failure.
pairtune_spm *pairtune_spm_load(const char *modelBytes, size_t modelSize, char **error);
void pairtune_spm_free(pairtune_spm *model);

int pairtune_spm_piece_count(const pairtune_spm *model);
// The piece of an id (pointer valid while the model lives); NULL for an id out of range.
const char *pairtune_spm_id_to_piece(const pairtune_spm *model, int id, size_t *pieceSize);
float pairtune_spm_score(const pairtune_spm *model, int id);
// The id of a piece, or the unk id when the piece is not in the model.
int pairtune_spm_piece_to_id(const pairtune_spm *model, const char *piece, size_t pieceSize);

// Encodes UTF-8 text into pieces and ids (sentencepiece's Encode). Returns 0 on success, otherwise
// -1 with *error set; the callback must not throw.
int pairtune_spm_encode(const pairtune_spm *model, const char *text, size_t textSize,
    pairtune_spm_piece_callback callback, void *context, char **error);

// The serialized ModelProto (the bytes of a .model file). Returns NULL and sets *error on failure.
char *pairtune_spm_serialized_model(const pairtune_spm *model, size_t *size, char **error);

// Trains a model with sentencepiece's trainer. Options are sentencepiece's flag names and values
// ("input", "vocab_size", "model_type", "character_coverage", "normalization_rule_name", ...).
// Returns the serialized model (the bytes of a .model file); no file is written. Returns NULL and
// sets *error on failure.
char *pairtune_spm_train(const char *const *optionNames, const char *const *optionValues, size_t optionCount,
    size_t *modelSize, char **error);

#ifdef __cplusplus
}
#endif
