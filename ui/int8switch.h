#pragma once

#include <QCheckBox>

#include <string>

namespace pairtune::ui {

// "Faster search (int8)" (issue 17): asks for the studio's search to embed with the encoder's dense
// layers in int8 (LoadedModel's EncodePrecision::Int8). It says what int8 costs in quality and that it
// changes nothing exported, and is off and disabled, with the engine's reason, for a model the engine
// has no int8 path for (SentenceModel::int8Refusal).
class Int8Switch : public QCheckBox
{
    Q_OBJECT

public:
    explicit Int8Switch(QWidget *parent = nullptr);

    // refusal: why the engine has no int8 path for the loaded models, "" when it has one. Unchecking a
    // refused switch emits no toggled(): the search is float32 already.
    void setRefusal(const std::string &refusal);
};

} // namespace pairtune::ui
