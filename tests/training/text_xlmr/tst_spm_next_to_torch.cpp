// docs/pitfalls.md §2 guard: Debian's sentencepiece carries protobuf 3.14, LibTorch loads protobuf 3.21;
// in one link the process dies before main. This executable links LibTorch (no torch header: the
// libraries are on the link line with --no-as-needed), so reaching main already proves the link is
// clean; then it loads sentencepiece through the shim, trains and encodes next to the loaded torch.

#include "core/error.h"
#include "text/sentencepieceshim.h"
#include "text/sentencepiecetrainer.h"
#include "text/tokenizerfactories.h"
#include "xlmrtestcorpus.h"

#include <QTemporaryDir>
#include <QTest>

#include <dlfcn.h>

class TestSpmNextToTorch : public QObject
{
    Q_OBJECT

private slots:
    void torchIsReallyLoaded()
    {
        void *torch = dlopen("libtorch_cpu.so", RTLD_NOW | RTLD_NOLOAD);
        QVERIFY2(torch, "libtorch_cpu.so is not loaded: the test no longer guards the protobuf clash");
        dlclose(torch);
        void *protobuf = dlopen("libprotobuf.so.32", RTLD_NOW | RTLD_NOLOAD);
        QVERIFY2(protobuf, "LibTorch's protobuf is not loaded");
        dlclose(protobuf);
    }

    void sentencepieceTrainsAndEncodesInTheSameProcess()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string corpus = dir.filePath("corpus.txt").toStdString();
        const std::string model = dir.filePath("m.model").toStdString();
        QVERIFY(xlmrtest::writeCorpus(corpus, xlmrtest::corpusSentences(400)));
        pairtune::trainSentencePiece(corpus, model, 300);
        const auto tokenizer = pairtune::makeSentencePieceTokenizerFromModelFile(model);
        const auto encoding = tokenizer->encode("the quick brown fox", 0);
        QVERIFY(encoding.ids.size() >= 4);
        QCOMPARE(encoding.ids.front(), std::int64_t(0));
        QCOMPARE(encoding.ids.back(), std::int64_t(2));
        for (std::size_t i = 1; i + 1 < encoding.ids.size(); ++i)
            QVERIFY(
                encoding.ids[i] > 3 && encoding.ids[i] < static_cast<std::int64_t>(tokenizer->vocabSize()));
        // Both protobufs are now in the process: sentencepiece's (inside libsentencepiece) through
        // the shim, LibTorch's from the link.
        void *shim = dlopen(pairtune::SentencePieceShim::instance().path().c_str(), RTLD_NOW | RTLD_NOLOAD);
        QVERIFY(shim);
        dlclose(shim);
        void *sentencepiece = dlopen("libsentencepiece.so.0", RTLD_NOW | RTLD_NOLOAD);
        QVERIFY2(sentencepiece, "libsentencepiece is not loaded: the shim did not bring it");
        dlclose(sentencepiece);
    }
};

QTEST_GUILESS_MAIN(TestSpmNextToTorch)
#include "tst_spm_next_to_torch.moc"
