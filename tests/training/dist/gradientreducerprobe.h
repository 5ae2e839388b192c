#pragma once

// Torch-free face of gradientreducerprobe.cpp for tst_gradientreducer (no torch header in a Qt
// translation unit): one rank of a 2-process Gloo group on 127.0.0.1 trains 2 steps of a small network
// with dist/gradientreducer.h and compares its gradients with the mean of both ranks' own.

#include <cstddef>
#include <string>

namespace pairtune::testprobe {

struct ReducerOutcome
{
    double maxDifference = 0.0; // relative to each tensor's largest value
    std::size_t buckets = 0;
    std::size_t startedDuringBackward = 0; // at the last step, before finish()
    bool unusedStayedUndefined = true; // the parameter no rank uses has no gradient after finish()
    std::string error; // a join or collective that failed
};

// rank 0 or 1 of 2; bucketBytes as GradientReducer's; passes: backward calls per step (grad cache's).
ReducerOutcome reduceAsRank(int rank, int port, std::size_t bucketBytes, int passes);

} // namespace pairtune::testprobe
