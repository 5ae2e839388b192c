#pragma once

// The "type" strings of modules.json that name the modules Pairtune runs, in every spelling that a
// sentence-transformers release from 2.0 to 6.x writes or loads (docs/model-folders.md lists them with
// the release that introduced each).

#include "model/modelfolder.h"

#include <string>

namespace pairtune {

// Resolves a modules.json "type" to the module it names. Throws pairtune::Error (naming `where`) for
// a class outside sentence-transformers (custom code: Python runs it only with trust_remote_code=True,
// Pairtune never) and for any other sentence-transformers module, saying which ones are supported.
// Logs a warning for the sentence-transformers 0.x names (models.BERT, models.XLMRoBERTa), whose
// folders hold the same files as a Transformer module.
ModuleKind resolveModuleType(const std::string &type, const std::string &where);

} // namespace pairtune
