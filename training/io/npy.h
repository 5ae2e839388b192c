#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pairtune {

// Writes a rows x cols float32 matrix as NPY version 1.0 ('<f4', C order), the format numpy.load
// reads; the header is padded so the data starts at a multiple of 64 bytes. Atomic (see writeFileAtomic).
void writeNpyFloat32(const std::string &path, std::size_t rows, std::size_t cols, const float *data);

// Reads a float32 NPY file written by writeNpyFloat32 or numpy ('<f4', C order, 1-D or 2-D; a 1-D
// array reads as rows x 1). Throws Error naming the file for anything else.
std::vector<float> readNpyFloat32(const std::string &path, std::size_t &rows, std::size_t &cols);

} // namespace pairtune
