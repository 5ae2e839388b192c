// Numbers in .xlsx cells as Excel (en-US) displays them under the built-in and common custom format
// codes. Expected texts are what Excel shows; serial 45356 is 2024-03-05 (1900 date system).
#include "data/spreadsheetnumberformat.h"

#include <QtTest>

using namespace pairtune;

class TestSpreadsheetNumberFormat : public QObject
{
    Q_OBJECT

private slots:
    void builtins_data();
    void builtins();
    void customCodes_data();
    void customCodes();
    void dateSystems();
};

void TestSpreadsheetNumberFormat::builtins_data()
{
    QTest::addColumn<unsigned>("id");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("shown");
    const double day = 45356, afternoon = 14.5 / 24, seconds = 7.0 / 86400;
    QTest::newRow("0 general") << 0u << 0.1 + 0.2 << "0.3";
    QTest::newRow("0 general integer") << 0u << -5.0 << "-5";
    QTest::newRow("0 general large") << 0u << 123456789012.0 << "123456789012";
    QTest::newRow("0 general huge") << 0u << 1e21 << "1E+21";
    QTest::newRow("0 general tiny") << 0u << 1.5e-12 << "1.5E-12";
    QTest::newRow("1 integer half up") << 1u << 2.5 << "3";
    QTest::newRow("1 integer negative") << 1u << -2.5 << "-3";
    QTest::newRow("2 two decimals") << 2u << 1234.5678 << "1234.57";
    QTest::newRow("2 decimal tie") << 2u << 1.005 << "1.01";
    QTest::newRow("2 small") << 2u << 0.004 << "0.00";
    QTest::newRow("3 thousands") << 3u << 1234567.4 << "1,234,567";
    QTest::newRow("4 thousands decimals") << 4u << -1234.5 << "-1,234.50";
    QTest::newRow("9 percent") << 9u << 0.256 << "26%";
    QTest::newRow("10 percent decimals") << 10u << 0.256 << "25.60%";
    QTest::newRow("11 scientific") << 11u << 12345.0 << "1.23E+04";
    QTest::newRow("11 scientific small") << 11u << 0.00012345 << "1.23E-04";
    QTest::newRow("14 short date") << 14u << day << "3/5/2024";
    QTest::newRow("15 d-mmm-yy") << 15u << day << "5-Mar-24";
    QTest::newRow("16 d-mmm") << 16u << day << "5-Mar";
    QTest::newRow("17 mmm-yy") << 17u << day << "Mar-24";
    QTest::newRow("18 h:mm AM/PM") << 18u << afternoon << "2:30 PM";
    QTest::newRow("18 midnight") << 18u << 0.0 << "12:00 AM";
    QTest::newRow("19 h:mm:ss AM/PM") << 19u << afternoon + seconds << "2:30:07 PM";
    QTest::newRow("20 h:mm") << 20u << afternoon << "14:30";
    QTest::newRow("21 h:mm:ss") << 21u << afternoon + seconds << "14:30:07";
    QTest::newRow("22 date time") << 22u << day + afternoon << "3/5/2024 14:30";
    QTest::newRow("45 mm:ss") << 45u << 65.0 / 86400 << "01:05";
    QTest::newRow("46 elapsed hours") << 46u << 1.5 << "36:00:00";
    QTest::newRow("49 text") << 49u << 12.0 << "12";
}

void TestSpreadsheetNumberFormat::builtins()
{
    QFETCH(unsigned, id);
    QFETCH(double, value);
    QFETCH(QString, shown);
    QCOMPARE(QString::fromStdString(formatSheetNumber(value, builtinNumberFormat(id))), shown);
}

void TestSpreadsheetNumberFormat::customCodes_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("shown");
    QTest::newRow("iso date escaped") << "yyyy\\-mm\\-dd" << 45356.0 << "2024-03-05";
    QTest::newRow("long date") << "dddd, mmmm d, yyyy" << 45356.0 << "Tuesday, March 5, 2024";
    QTest::newRow("quoted literal") << "d\" of \"mmmm" << 45356.0 << "5 of March";
    QTest::newRow("locale tag") << "[$-409]mmm d" << 45356.0 << "Mar 5";
    QTest::newRow("minutes not months") << "hh:mm" << 0.75 << "18:00";
    QTest::newRow("fractional seconds") << "hh:mm:ss.00" << 0.5 + 1.25 / 86400 << "12:00:01.25";
    QTest::newRow("rounds into the next day") << "hh:mm:ss" << 0.99999999 << "00:00:00";
    QTest::newRow("a/p") << "h a/p" << 0.25 << "6 a";
    QTest::newRow("negative section") << "0.00;(0.00)" << -2.5 << "(2.50)";
    QTest::newRow("zero section") << "0;-0;\"zero\"" << 0.0 << "zero";
    QTest::newRow("colour") << "[Red]0.0" << 3.14159 << "3.1";
    QTest::newRow("currency") << "[$\xE2\x82\xAC-407] #,##0.00" << 1234.5 << "\xE2\x82\xAC 1,234.50";
    QTest::newRow("optional digits") << "#.##" << 5.0 << "5.";
    QTest::newRow("leading zero dropped") << "#.00" << 0.5 << ".50";
    QTest::newRow("padding placeholder") << "0.0?" << 1.5 << "1.5 ";
    QTest::newRow("escaped and spacer") << "0\\ \"kg\"_)" << 3.0 << "3 kg ";
}

void TestSpreadsheetNumberFormat::customCodes()
{
    QFETCH(QString, code);
    QFETCH(double, value);
    QFETCH(QString, shown);
    QCOMPARE(QString::fromStdString(formatSheetNumber(value, code.toStdString())), shown);
}

// Excel's 1900 system counts the non-existent 1900-02-29 (day 60); the 1904 system starts at 0.
void TestSpreadsheetNumberFormat::dateSystems()
{
    const std::string iso = "yyyy-mm-dd";
    QCOMPARE(QString::fromStdString(formatSheetNumber(1, iso)), QString("1900-01-01"));
    QCOMPARE(QString::fromStdString(formatSheetNumber(59, iso)), QString("1900-02-28"));
    QCOMPARE(QString::fromStdString(formatSheetNumber(60, iso)), QString("1900-02-29"));
    QCOMPARE(QString::fromStdString(formatSheetNumber(61, iso)), QString("1900-03-01"));
    QCOMPARE(QString::fromStdString(formatSheetNumber(0, iso, true)), QString("1904-01-01"));
    QCOMPARE(QString::fromStdString(formatSheetNumber(43894, iso, true)), QString("2024-03-05"));
    QCOMPARE(QString::fromStdString(formatSheetNumber(43894, "dddd", true)), QString("Tuesday"));
}

QTEST_GUILESS_MAIN(TestSpreadsheetNumberFormat)
#include "tst_spreadsheetnumberformat.moc"
