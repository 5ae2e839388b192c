#pragma once

// Torch-free: how a long export reports progress and learns that a person asked to stop. Writers call
// progress with a fraction in [0, 1] of their own work and a short phrase ("writing onnx/model.onnx"),
// and poll cancelled between tensors; a stop throws pairtune::Error with Kind::Cancelled.

#include <functional>
#include <string>

namespace pairtune {

struct ExportCallbacks
{
    std::function<void(double fraction, const std::string &what)> progress;
    std::function<bool()> cancelled;

    void report(double fraction, const std::string &what) const
    {
        if (progress)
            progress(fraction, what);
    }
    // Throws Error(Kind::Cancelled) when a stop was asked for.
    void throwIfCancelled() const;
};

} // namespace pairtune
