// The JSON readers of a model folder and a run folder on arbitrary bytes: io/jsonfile's parser (errors
// with line and column), then every config reader that takes parsed JSON: config.json
// (TransformerConfig, with validate()), 1_Pooling/config.json, N_Dense/config.json,
// config_sentence_transformers.json, and a run's training config (whose round trip must be exact).

#include "core/error.h"
#include "fuzzsupport.h"
#include "io/jsonfile.h"
#include "model/modelconfig.h"
#include "recipe/trainingconfig.h"

using namespace pairtune;

namespace {

template <typename F> void expectOnlyErrors(F &&f)
{
    try {
        f();
    } catch (const Error &) { }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::silenceLog();
    nlohmann::json json;
    try {
        json = parseJson(fuzz::asText(data, size), "config.json");
    } catch (const Error &) {
        return 0;
    }
    // What was parsed can be written back and parsed again.
    const std::string dumped = dumpJson(json, 2);
    expectOnlyErrors([&] { (void)parseJson(dumped, "dumped.json"); });

    expectOnlyErrors([&] {
        const TransformerConfig config = TransformerConfig::fromJson(json, "config.json");
        config.validate("config.json");
        (void)config.usablePositions();
        (void)config.toJson("float32").dump();
    });
    expectOnlyErrors([&] {
        const PoolingConfig pooling = PoolingConfig::fromJson(json, "1_Pooling/config.json");
        (void)pooling.modeName();
        (void)pooling.outputDimension();
        (void)pooling.toJson().dump();
    });
    expectOnlyErrors([&] {
        const DenseConfig dense = DenseConfig::fromJson(json, "2_Dense/config.json");
        (void)dense.isTanh();
        (void)dense.toJson().dump();
    });
    expectOnlyErrors([&] {
        const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(dumped);
        const SentenceTransformersConfig st
            = SentenceTransformersConfig::fromJson(ordered, "config_sentence_transformers.json");
        (void)st.toJson("1.13").dump();
    });
    expectOnlyErrors([&] {
        const TrainingConfig config = trainingConfigFromJson(json, "run/config.json");
        (void)validate(config);
        fuzz::check(
            trainingConfigFromJson(toJson(config), "again") == config, "training config round trip is exact");
    });
    // Pooling modes as a user types them on the command line.
    if (json.is_string())
        expectOnlyErrors([&] { (void)PoolingConfig::fromModes(json.get<std::string>(), 8).modeName(); });
    return 0;
}
