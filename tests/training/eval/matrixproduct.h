#pragma once

// One LibTorch matrix product for tests whose translation units include Qt (a TU includes Qt or torch,
// never both): the reference the blocked search is compared with.

#include <cstddef>
#include <vector>

namespace pairtune::testing {

// a (aRows x dim) times b (bRows x dim) transposed, row-major; rows [first, first + count) of a only.
std::vector<float> productWithTransposed(const std::vector<float> &a, std::size_t first, std::size_t count,
    const std::vector<float> &b, std::size_t bRows, std::size_t dim);

} // namespace pairtune::testing
