#include "matrixproduct.h"

#include <ATen/ATen.h>

namespace pairtune::testing {

std::vector<float> productWithTransposed(const std::vector<float> &a, std::size_t first, std::size_t count,
    const std::vector<float> &b, std::size_t bRows, std::size_t dim)
{
    const auto rows = [dim](const float *data, std::size_t n) {
        return at::from_blob(const_cast<float *>(data),
            { static_cast<std::int64_t>(n), static_cast<std::int64_t>(dim) }, at::kFloat);
    };
    // The same call as the evaluator made on the whole matrices (mm with a transposed view).
    const at::Tensor product
        = at::mm(rows(a.data() + first * dim, count), rows(b.data(), bRows).t()).contiguous();
    return { product.data_ptr<float>(), product.data_ptr<float>() + product.numel() };
}

} // namespace pairtune::testing
