#pragma once

// The names people see for the recipe's settings, keyed by their config.json names: the Settings form
// labels its rows with them and the run comparison names its differences with them, so a difference
// reads "Batch size", as on the form, not "training.batch_size".

#include <QString>

#include <string_view>

namespace pairtune::ui {

// The form's row label, with its mnemonic and colon ("&Batch size:"); empty for an unknown key.
QString settingFormLabel(std::string_view configKey);

// The same for reading ("Batch size"). Takes a flattened key as the run comparison writes it
// ("training.batch_size", "data_paths[1]"); an unknown key comes back unchanged.
QString settingLabel(std::string_view flattenedKey);

} // namespace pairtune::ui
