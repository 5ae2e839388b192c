// SHA-256 against the FIPS 180-4 example vectors and incremental updates.
#include "core/error.h"
#include "data/sha256.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace pairtune;

class TestSha256 : public QObject
{
    Q_OBJECT

private slots:
    void knownVectors_data();
    void knownVectors();
    void incrementalMatchesOneShot();
    void file();
};

void TestSha256::knownVectors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("digest");
    QTest::newRow("empty") << QByteArray()
                           << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    QTest::newRow("abc") << QByteArray("abc")
                         << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    QTest::newRow("448 bits") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                              << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    QTest::newRow("896 bits") << QByteArray("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                                            "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
                              << "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
    QTest::newRow("million a") << QByteArray(1000000, 'a')
                               << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
}

void TestSha256::knownVectors()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, digest);
    QCOMPARE(QString::fromStdString(Sha256::hex(std::string_view(input.constData(), input.size()))), digest);
}

void TestSha256::incrementalMatchesOneShot()
{
    QByteArray data;
    for (int i = 0; i < 5000; ++i)
        data.append(char(i * 7 + i / 13));
    // Chunk sizes around the 64-byte block and the 56-byte padding boundary.
    for (int chunk : { 1, 55, 56, 63, 64, 65, 127, 1000 }) {
        Sha256 hash;
        for (int pos = 0; pos < data.size(); pos += chunk)
            hash.update(std::string_view(data.constData() + pos, std::min<int>(chunk, data.size() - pos)));
        QCOMPARE(QString::fromStdString(hash.finishHex()),
            QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()));
    }
    for (int length : { 55, 56, 57, 63, 64, 119, 120 }) {
        const QByteArray prefix = data.left(length);
        QCOMPARE(QString::fromStdString(Sha256::hex(std::string_view(prefix.constData(), prefix.size()))),
            QString::fromLatin1(QCryptographicHash::hash(prefix, QCryptographicHash::Sha256).toHex()));
    }
}

void TestSha256::file()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("data.bin");
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QByteArray(200000, 'z') + "tail");
    out.close();
    QFile in(path);
    QVERIFY(in.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromStdString(sha256OfFile(path.toStdString())),
        QString::fromLatin1(QCryptographicHash::hash(in.readAll(), QCryptographicHash::Sha256).toHex()));
    QVERIFY_THROWS_EXCEPTION(Error, sha256OfFile(dir.filePath("missing").toStdString()));
}

QTEST_GUILESS_MAIN(TestSha256)
#include "tst_sha256.moc"
