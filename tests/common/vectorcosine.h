#pragma once

// The cosine of two float vectors, accumulated in double: the independent check tests hold the engine's
// similarities against (the engine computes them in float, through torch or the blocked search).

#include <cmath>
#include <cstddef>

namespace pairtune {

inline double vectorCosine(const float *a, const float *b, std::size_t dim)
{
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < dim; ++i) {
        ab += double(a[i]) * b[i];
        aa += double(a[i]) * a[i];
        bb += double(b[i]) * b[i];
    }
    return ab / std::sqrt(aa * bb);
}

} // namespace pairtune
