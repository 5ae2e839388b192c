#include "text/sentencepiecetrainer.h"

#include "core/error.h"
#include "io/fileutil.h"
#include "text/sentencepieceshim.h"

#include <filesystem>

namespace pairtune {

void trainSentencePiece(
    const std::string &textFile, const std::string &modelOut, int vocabSize, const std::string &modelType)
{
    if (!std::filesystem::is_regular_file(textFile))
        throw Error(
            locate(textFile, 0, 0, "the text file to train a sentencepiece vocabulary on does not exist"),
            Error::Kind::Io);
    SpmTrainOptions options;
    options.inputFile = textFile;
    options.vocabSize = vocabSize;
    options.modelType = modelType;
    const std::string model = SentencePieceShim::instance().train(options);
    writeFileAtomic(modelOut, model);
}

} // namespace pairtune
