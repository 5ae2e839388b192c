// HubSettings::fromEnvironment and isValidRepoId against huggingface_hub's own rules (constants.py,
// utils/_auth.py, and the valid/invalid repo ids of its tests/test_utils_validators.py).

#include "hub/hubclient.h"

#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <cstdlib>
#include <map>

using namespace pairtune::hub;

namespace {

const char *const kVariables[] = { "HF_ENDPOINT", "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE",
    "XDG_CACHE_HOME", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE", "HF_HUB_DOWNLOAD_TIMEOUT", "HOME" };

// Sets exactly the given Hub variables (the others unset) for one scope, then puts everything back.
class Environment
{
public:
    explicit Environment(std::initializer_list<std::pair<std::string, std::string>> values)
    {
        for (const char *name : kVariables) {
            if (const char *old = std::getenv(name))
                m_saved[name] = old;
            if (std::string(name) != "HOME")
                ::unsetenv(name);
        }
        for (const auto &[name, value] : values)
            ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~Environment()
    {
        for (const char *name : kVariables) {
            const auto it = m_saved.find(name);
            if (it == m_saved.end())
                ::unsetenv(name);
            else
                ::setenv(name, it->second.c_str(), 1);
        }
    }

private:
    std::map<std::string, std::string> m_saved;
};

void writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

} // namespace

class TestHubSettings : public QObject
{
    Q_OBJECT

private slots:
    void repoIds_data();
    void repoIds();
    void defaultsFollowHomeAndXdg();
    void cacheVariablesInOrder();
    void tokenFromVariableThenFile();
    void offlineAndTimeout();
};

void TestHubSettings::repoIds_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");
    // huggingface_hub's TestRepoIdValidator
    for (const char *id : { "123", "foo", "foo/bar", "Foo-BAR_foo.bar123" })
        QTest::newRow(id) << QString::fromLatin1(id) << true;
    for (const char *id : { "datasets/foo/bar", ".repo_id", "repo_id.", "foo--bar", "foo..bar", "foo.git" })
        QTest::newRow(id) << QString::fromLatin1(id) << false;
    QTest::newRow("100 chars") << QString(100, QLatin1Char('a')) << false;
    // the regex's edges: 96 characters for the name, word characters at both ends of each part
    QTest::newRow("96 chars") << QString(96, QLatin1Char('a')) << true;
    QTest::newRow("97 chars") << QString(97, QLatin1Char('a')) << false;
    QTest::newRow("long owner") << (QString(120, QLatin1Char('o')) + QStringLiteral("/name")) << true;
    QTest::newRow("sentence-transformers")
        << QStringLiteral("sentence-transformers/all-MiniLM-L6-v2") << true;
    QTest::newRow("underscore ends") << QStringLiteral("_a_/_b_") << true;
    QTest::newRow("dash start") << QStringLiteral("-a") << false;
    QTest::newRow("dash end owner") << QStringLiteral("a-/b") << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("empty owner") << QStringLiteral("/b") << false;
    QTest::newRow("empty name") << QStringLiteral("a/") << false;
    QTest::newRow("space") << QStringLiteral("foo/bar baz") << false;
    QTest::newRow("parent") << QStringLiteral("../etc") << false;
    QTest::newRow("backslash") << QStringLiteral("a\\b") << false;
    QTest::newRow("owner.git") << QStringLiteral("foo.git/bar") << true;
}

void TestHubSettings::repoIds()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);
    QCOMPARE(isValidRepoId(id.toStdString()), valid);
}

void TestHubSettings::defaultsFollowHomeAndXdg()
{
    QTemporaryDir home;
    {
        Environment env({ { "HOME", home.path().toStdString() } });
        const HubSettings s = HubSettings::fromEnvironment();
        QCOMPARE(s.endpoint, std::string("https://huggingface.co"));
        QCOMPARE(s.cacheDir, home.path().toStdString() + "/.cache/huggingface/hub");
        QVERIFY(!s.token);
        QVERIFY(!s.offline);
        QCOMPARE(s.timeoutSeconds, 10.0);
    }
    {
        Environment env({ { "HOME", home.path().toStdString() }, { "XDG_CACHE_HOME", "/xdg" },
            { "HF_ENDPOINT", "http://mirror.example:8080//" } });
        const HubSettings s = HubSettings::fromEnvironment();
        QCOMPARE(s.cacheDir, std::string("/xdg/huggingface/hub"));
        QCOMPARE(s.endpoint, std::string("http://mirror.example:8080"));
    }
}

void TestHubSettings::cacheVariablesInOrder()
{
    QTemporaryDir home;
    const std::string h = home.path().toStdString();
    {
        Environment env({ { "HOME", h }, { "HF_HOME", "~/hf" }, { "XDG_CACHE_HOME", "/xdg" } });
        QCOMPARE(HubSettings::fromEnvironment().cacheDir, h + "/hf/hub"); // HF_HOME wins, ~ expanded
    }
    {
        Environment env({ { "HOME", h }, { "HF_HOME", "/hf" }, { "HUGGINGFACE_HUB_CACHE", "/legacy" } });
        QCOMPARE(HubSettings::fromEnvironment().cacheDir, std::string("/legacy"));
    }
    {
        Environment env({ { "HOME", h }, { "HF_HOME", "/hf" }, { "HUGGINGFACE_HUB_CACHE", "/legacy" },
            { "HF_HUB_CACHE", "$HOME/${HF_HOME}/c" } });
        QCOMPARE(HubSettings::fromEnvironment().cacheDir, h + "//hf/c"); // expandvars as os.path does
    }
}

void TestHubSettings::tokenFromVariableThenFile()
{
    QTemporaryDir home;
    const std::string hfHome = home.path().toStdString() + "/hf";
    QVERIFY(QDir().mkpath(home.path() + QStringLiteral("/hf")));
    writeText(home.path() + QStringLiteral("/hf/token"), "hf_fromfile\n");
    writeText(home.path() + QStringLiteral("/other"), "  hf_other\r\n");
    {
        Environment env(
            { { "HOME", home.path().toStdString() }, { "HF_HOME", hfHome }, { "HF_TOKEN", " hf_env\n" } });
        QCOMPARE(HubSettings::fromEnvironment().token.value_or(""), std::string("hf_env"));
    }
    {
        Environment env({ { "HOME", home.path().toStdString() }, { "HF_HOME", hfHome },
            { "HUGGING_FACE_HUB_TOKEN", "hf_legacy" } });
        QCOMPARE(HubSettings::fromEnvironment().token.value_or(""), std::string("hf_legacy"));
    }
    {
        Environment env({ { "HOME", home.path().toStdString() }, { "HF_HOME", hfHome }, { "HF_TOKEN", "" } });
        QCOMPARE(HubSettings::fromEnvironment().token.value_or(""), std::string("hf_fromfile"));
    }
    {
        Environment env({ { "HOME", home.path().toStdString() }, { "HF_HOME", hfHome },
            { "HF_TOKEN_PATH", home.path().toStdString() + "/other" } });
        QCOMPARE(HubSettings::fromEnvironment().token.value_or(""), std::string("hf_other"));
    }
    {
        Environment env({ { "HOME", home.path().toStdString() }, { "HF_HOME", hfHome + "-none" } });
        QVERIFY(!HubSettings::fromEnvironment().token);
    }
}

void TestHubSettings::offlineAndTimeout()
{
    for (const char *yes : { "1", "true", "YES", "On" }) {
        Environment env({ { "HF_HUB_OFFLINE", yes } });
        QVERIFY2(HubSettings::fromEnvironment().offline, yes);
    }
    for (const char *no : { "0", "false", "", "offline" }) {
        Environment env({ { "HF_HUB_OFFLINE", no } });
        QVERIFY2(!HubSettings::fromEnvironment().offline, no);
    }
    {
        Environment env({ { "TRANSFORMERS_OFFLINE", "1" } });
        QVERIFY(HubSettings::fromEnvironment().offline);
    }
    {
        Environment env({ { "HF_HUB_DOWNLOAD_TIMEOUT", "42" } });
        QCOMPARE(HubSettings::fromEnvironment().timeoutSeconds, 42.0);
    }
}

QTEST_GUILESS_MAIN(TestHubSettings)
#include "tst_hubsettings.moc"
