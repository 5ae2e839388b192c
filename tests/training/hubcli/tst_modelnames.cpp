// Which Hub repo a model name means, by sentence-transformers' rules (SentenceTransformer.__init__ in
// sentence_transformers/base/model.py and ORIGINAL_TRANSFORMER_MODELS in util/misc.py, 6.1.0.dev0), and
// that an existing folder always wins over a Hub id. No network: names that are refused or folders
// never reach the Hub client.

#include "core/error.h"
#include "train/basemodel.h"

#include <QtCore/QDir>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <optional>
#include <string>

using pairtune::hubRepoIdForName;

class TestModelNames : public QObject
{
    Q_OBJECT

private slots:
    void repoIds_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("repoId"); // empty: refused
        QTest::newRow("bare name") << "all-MiniLM-L6-v2"
                                   << "sentence-transformers/all-MiniLM-L6-v2";
        QTest::newRow("owner/name") << "BAAI/bge-small-en-v1.5"
                                    << "BAAI/bge-small-en-v1.5";
        QTest::newRow("original checkpoint") << "bert-base-uncased"
                                             << "bert-base-uncased";
        QTest::newRow("original, any case") << "XLM-RoBERTa-base"
                                            << "XLM-RoBERTa-base";
        QTest::newRow("not quite original") << "bert-base-uncased-v2"
                                            << "sentence-transformers/bert-base-uncased-v2";
        QTest::newRow("two slashes") << "a/b/c"
                                     << "";
        QTest::newRow("backslash") << "owner\\name"
                                   << "";
        QTest::newRow("space") << "my model"
                               << "";
        QTest::newRow("double dash") << "a--b"
                                     << "";
        QTest::newRow("empty") << ""
                               << "";
    }

    void repoIds()
    {
        QFETCH(QString, name);
        QFETCH(QString, repoId);
        const std::optional<std::string> actual = hubRepoIdForName(name.toStdString());
        QCOMPARE(actual.has_value(), !repoId.isEmpty());
        if (actual)
            QCOMPARE(QString::fromStdString(*actual), repoId);
    }

    // A folder named like a Hub id is used as the folder; refused names throw without any network.
    void foldersWinAndRefusalsName()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath("acme/model"));
        const std::string folder = dir.filePath("acme/model").toStdString();
        const pairtune::ResolvedModel local = pairtune::resolveModelSource(folder);
        QCOMPARE(local.folder, folder);
        QVERIFY(local.repoId.empty() && local.commit.empty());
        try {
            pairtune::resolveModel("a/b/c");
            QFAIL("a/b/c was accepted");
        } catch (const pairtune::Error &e) {
            QVERIFY2(QString(e.what()).startsWith("a/b/c: no such folder"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestModelNames)
#include "tst_modelnames.moc"
