// makeEncoder (encoderimpl.h): config.json's model_type chooses the implementation.

#include "core/error.h"
#include "model/bertencoderimpl.h"
#include "model/encoderfamily.h"
#include "model/encoderimpl.h"
#include "model/modernbertencoderimpl.h"
#include "model/mpnetencoderimpl.h"

namespace pairtune {

std::shared_ptr<Encoder> makeEncoder(const TransformerConfig &config)
{
    const std::string &type = config.modelType;
    if (type == "bert" || type == "xlm-roberta" || type == "roberta")
        return std::make_shared<BertEncoder>(config, BertLayout::bert());
    if (type == "distilbert")
        return std::make_shared<BertEncoder>(config, BertLayout::distilBert());
    if (type == "mpnet")
        return std::make_shared<MPNetEncoder>(config);
    if (type == "modernbert")
        return std::make_shared<ModernBertEncoder>(config);
    throw Error("model_type \"" + type + "\" has no encoder; Pairtune computes " + supportedModelTypes());
}

} // namespace pairtune
