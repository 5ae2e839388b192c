#include "train/precision.h"

#include "model/runtime.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace pairtune {

bool cpuHasAmxBf16()
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || (edx & (1u << 22)) == 0)
        return false;
    // The tiles are usable only when the kernel enabled their state (XCR0 bits 17 and 18, Linux 5.16+);
    // otherwise oneDNN falls back to its AVX512-BF16 path.
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || (ecx & (1u << 27)) == 0) // OSXSAVE
        return false;
    unsigned xcr0Low = 0, xcr0High = 0;
    asm volatile("xgetbv" : "=a"(xcr0Low), "=d"(xcr0High) : "c"(0));
    const unsigned amxState = (1u << 17) | (1u << 18);
    return (xcr0Low & amxState) == amxState;
#else
    return false;
#endif
}

bool bf16ByDefault(const std::string &device)
{
    // AVX512-BF16 alone is native but not faster: bf16 products ran at about half float32's rate there
    // (docs/performance.md item 10), so Auto waits for AMX.
    return device == "cpu" && cpuHasAmxBf16();
}

bool usesBf16(const TrainingConfig &config)
{
    return config.bf16 == Bf16Mode::On || (config.bf16 == Bf16Mode::Auto && bf16ByDefault(config.device));
}

Bf16Mode resolvedBf16(const TrainingConfig &config)
{
    return usesBf16(config) ? Bf16Mode::On : Bf16Mode::Off;
}

std::string precisionDescription(const TrainingConfig &config)
{
    if (!usesBf16(config))
        return "matrix products in float32";
    if (config.device != "cpu")
        return "matrix products in bfloat16 (autocast)";
    return cpuHasAmxBf16()   ? "matrix products in bfloat16 (autocast, AMX-BF16)"
        : cpuHasNativeBf16() ? "matrix products in bfloat16 (autocast, AVX512-BF16)"
                             : "matrix products in bfloat16 (autocast, emulated: slow)";
}

} // namespace pairtune
