#pragma once

// Torch-free: float32 values encoded as the ggml tensor types the GGUF export writes.

#include "export/ggufwriter.h"

#include <cstddef>
#include <string>

namespace pairtune {

// Throws Error (InvalidInput) naming `tensor` and the first position when a value is NaN or infinite:
// a GGUF with such a weight gives only NaN embeddings (llama.cpp's loader says "tensor '...' has invalid
// data" only when asked to check, --check-tensors: ggml_validate_row_data). The export calls it for
// every tensor before it writes anything.
void requireFiniteValues(const float *values, std::size_t count, const std::string &tensor);

// Appends count values (a whole number of rows) as type: F32 verbatim, F16 rounded to nearest even,
// Q8_0 as blocks of 32 values each {f16 d = max|x| / 127, int8 q[32] = roundf(x / d)}, the reference
// quantisation of ggml (quantize_row_q8_0_ref) and gguf-py's quants.py, ties rounded away from zero.
// Q8_0 needs count % 32 == 0; a block's values come back as q * d, within d / 2 + the f16 rounding
// of d (|x| / 127 * 2^-11) of the original. Q8_0 refuses NaN and infinite values (Error) where the
// reference would cast them to int8 (undefined behaviour); a block too small for 1 / d to be a float
// (d then rounds to f16 0 anyway) is written as zeros.
void appendGgmlValues(std::string &out, const float *values, std::size_t count, GgmlType type);

} // namespace pairtune
