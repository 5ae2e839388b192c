#include "model/moduletypes.h"

#include "core/error.h"
#include "core/log.h"

#include <map>

namespace pairtune {
namespace {

constexpr const char *kSupported
    = "Pairtune reads Transformer (BERT / XLM-RoBERTa), Pooling, Dense and Normalize modules";

// Every spelling Python's import_from_string resolves to one of the four classes. The class is
// found as an attribute of the longest importable prefix, so "pkg.Module" and "pkg.Module.Class"
// both work where the file is named after the class (sentence_transformers.models.* up to 5.3),
// and 5.4+ re-exports the classes from their packages.
const std::map<std::string, ModuleKind> &knownTypes()
{
    static const std::map<std::string, ModuleKind> types = [] {
        std::map<std::string, ModuleKind> t;
        auto add = [&](const std::string &name, ModuleKind kind) { t.emplace(name, kind); };
        // 2.0-5.3 write "sentence_transformers.models.X"; 6.x maps it to the new module
        // (util/deprecated_import.py, DEPRECATED_MODULE_PATHS).
        const std::pair<const char *, ModuleKind> classes[]
            = { { "Transformer", ModuleKind::Transformer }, { "Pooling", ModuleKind::Pooling },
                  { "Dense", ModuleKind::Dense }, { "Normalize", ModuleKind::Normalize } };
        for (const auto &[name, kind] : classes) {
            const std::string cls = name;
            add("sentence_transformers.models." + cls, kind);
            add("sentence_transformers.models." + cls + "." + cls, kind);
            // 5.4+: sentence_transformer.modules re-exports all four.
            add("sentence_transformers.sentence_transformer.modules." + cls, kind);
        }
        // 5.4+ write the defining module and the class.
        add("sentence_transformers.base.modules.transformer.Transformer", ModuleKind::Transformer);
        add("sentence_transformers.base.modules.Transformer", ModuleKind::Transformer);
        add("sentence_transformers.sentence_transformer.modules.pooling.Pooling", ModuleKind::Pooling);
        add("sentence_transformers.base.modules.dense.Dense", ModuleKind::Dense);
        add("sentence_transformers.base.modules.Dense", ModuleKind::Dense);
        // Normalize lived in sentence_transformer.modules.normalize in 5.4-5.7 and moved to
        // base.modules.normalize in 6.0 (which keeps the old path as an alias).
        add("sentence_transformers.sentence_transformer.modules.normalize.Normalize", ModuleKind::Normalize);
        add("sentence_transformers.base.modules.normalize.Normalize", ModuleKind::Normalize);
        add("sentence_transformers.base.modules.Normalize", ModuleKind::Normalize);
        return t;
    }();
    return types;
}

// sentence-transformers 0.x wrote one module class per architecture, saved as "0_BERT" etc. with
// sentence_bert_config.json / sentence_xlm-roberta_config.json next to a transformers model: the
// files a Transformer module reads (which is why Transformer.load still looks for those names).
const std::map<std::string, std::string> &legacyTransformerTypes()
{
    static const std::map<std::string, std::string> types = {
        { "sentence_transformers.models.BERT", "BERT" },
        { "sentence_transformers.models.BERT.BERT", "BERT" },
        { "sentence_transformers.models.XLMRoBERTa", "XLMRoBERTa" },
        { "sentence_transformers.models.XLMRoBERTa.XLMRoBERTa", "XLMRoBERTa" },
    };
    return types;
}

} // namespace

ModuleKind resolveModuleType(const std::string &type, const std::string &where)
{
    if (const auto it = knownTypes().find(type); it != knownTypes().end())
        return it->second;
    if (const auto it = legacyTransformerTypes().find(type); it != legacyTransformerTypes().end()) {
        logWarning(where + ": module type \"" + type + "\" is sentence-transformers 0.x's " + it->second
            + " module, which sentence-transformers 2.0 and later no longer load; Pairtune reads its "
              "files as a Transformer module, and saves it with today's module names");
        return ModuleKind::Transformer;
    }
    if (type.rfind("sentence_transformers.", 0) != 0)
        throw Error(locate(where, 0, 0,
            "module type \"" + type
                + "\" is not supported: it is custom code, not a sentence-transformers module, which "
                  "Python runs only with trust_remote_code=True, and Pairtune never runs code from a "
                  "model folder. "
                + kSupported + "."));
    throw Error(locate(where, 0, 0,
        "module type \"" + type + "\" is not supported; " + kSupported
            + " (e.g. sentence_transformers.models.Pooling or "
              "sentence_transformers.sentence_transformer.modules.pooling.Pooling)."));
}

} // namespace pairtune
