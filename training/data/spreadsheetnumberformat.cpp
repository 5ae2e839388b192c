#include "data/spreadsheetnumberformat.h"

#include "data/spreadsheetformatcode.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <vector>

namespace pairtune {

namespace {

using Token = FormatToken;

// printf without the C locale's decimal comma (the studio runs under the user's locale).
std::string printed(double value, std::chars_format format, int precision)
{
    char buffer[512];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, format, precision);
    return error == std::errc() ? std::string(buffer, end) : std::string("#NUM!");
}

// |value| in fixed notation rounded half away from zero at `decimals`, on its 15 significant digits
// as spreadsheets do: 2.5 shows as 3 and 1.005 as 1.01 with two decimals, where binary rounding
// (printf) gives 2 and 1.00.
std::string roundedFixed(double value, int decimals)
{
    std::string text = printed(std::fabs(value), std::chars_format::scientific, 14);
    const std::size_t e = text.find('e');
    if (e == std::string::npos)
        return text;
    std::string digits = text.substr(0, 1) + text.substr(2, e - 2); // 15 digits d.dddd -> ddddd
    const int exponent = std::stoi(text.substr(e + 1));
    // Digits before the point: exponent + 1; keep exponent + 1 + decimals of them.
    const int keep = exponent + 1 + decimals;
    if (keep < 0)
        return printed(0.0, std::chars_format::fixed, decimals);
    int pointAt = exponent + 1;
    if (keep < int(digits.size())) {
        const bool up = digits[std::size_t(keep)] >= '5';
        digits.resize(std::size_t(keep));
        if (up) {
            int i = keep - 1;
            for (; i >= 0 && digits[std::size_t(i)] == '9'; --i)
                digits[std::size_t(i)] = '0';
            if (i >= 0)
                ++digits[std::size_t(i)];
            else
                digits.insert(digits.begin(), '1'), ++pointAt;
        }
    }
    if (pointAt <= 0)
        digits.insert(0, std::size_t(1 - pointAt), '0'), pointAt = 1;
    if (int(digits.size()) < pointAt + decimals)
        digits.append(std::size_t(pointAt + decimals - int(digits.size())), '0');
    return digits.substr(0, std::size_t(pointAt))
        + (decimals > 0 ? "." + digits.substr(std::size_t(pointAt), std::size_t(decimals)) : "");
}

bool isDateFormat(const std::vector<Token> &tokens)
{
    for (const Token &token : tokens) {
        if (token.kind == Token::Date || token.kind == Token::Elapsed || token.kind == Token::AmPm)
            return true;
    }
    return false;
}

// Fixed notation with up to 15 significant digits, trailing zeros dropped; scientific outside the
// range a cell shows in full (as Excel and LibreOffice display General).
std::string general(double value)
{
    if (value == 0)
        return "0";
    if (!std::isfinite(value))
        return "#NUM!";
    char buffer[32];
    const double magnitude = std::fabs(value);
    if (magnitude >= 1e15 || magnitude < 1e-9) {
        const std::string text = printed(value, std::chars_format::scientific, 14);
        const std::size_t e = text.find('e');
        std::string mantissa = text.substr(0, e);
        while (mantissa.back() == '0')
            mantissa.pop_back();
        if (mantissa.back() == '.')
            mantissa.pop_back();
        const int exponent = std::stoi(text.substr(e + 1));
        std::snprintf(buffer, sizeof buffer, "E%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
        return mantissa + buffer;
    }
    const int integerDigits = int(std::floor(std::log10(magnitude))) + 1;
    std::string text = printed(value, std::chars_format::fixed, std::max(0, 15 - integerDigits));
    if (text.find('.') != std::string::npos) {
        while (text.back() == '0')
            text.pop_back();
        if (text.back() == '.')
            text.pop_back();
    }
    return text == "-0" ? "0" : text;
}

std::string twoDigits(long long value)
{
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "%02lld", value);
    return buffer;
}

std::string formatDate(double value, const std::vector<Token> &tokens, bool date1904)
{
    // Fractional seconds: the "0"s after a dot that follows seconds.
    int fractionDigits = 0;
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        if (tokens[i].kind == Token::Dot && i > 0 && tokens[i - 1].text[0] == 's')
            for (std::size_t j = i + 1; j < tokens.size() && tokens[j].text == "0"; ++j)
                ++fractionDigits;
    }
    const long long scale = std::array<long long, 4> { 1, 10, 100, 1000 }[std::min(fractionDigits, 3)];
    const long long ticks = std::llround(value * 86400.0 * double(scale));
    const long long seconds = ticks / scale, fraction = ticks % scale, serialDay = seconds / 86400;
    // Days since 1970-01-01: Excel counts 1900-01-01 as day 1 and keeps Lotus' 1900-02-29 as day 60.
    long long days = date1904 ? serialDay - 24107 : serialDay >= 61 ? serialDay - 25569 : serialDay - 25568;
    days += 719468; // civil-from-days (H. Hinnant), epoch 0000-03-01
    const long long era = (days >= 0 ? days : days - 146096) / 146097, dayOfEra = days - era * 146097;
    const long long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    const long long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const long long mp = (5 * dayOfYear + 2) / 153;
    long long day = dayOfYear - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    long long year = yearOfEra + era * 400 + (month <= 2);
    if (!date1904 && serialDay == 60)
        year = 1900, month = 2, day = 29;
    const long long weekday = ((serialDay + (date1904 ? 5 : 6)) % 7 + 7) % 7; // 0 = Sunday
    static const char *const months[] = { "January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December" };
    static const char *const weekdays[]
        = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" };
    bool twelveHour = false;
    for (const Token &token : tokens)
        twelveHour = twelveHour || token.kind == Token::AmPm;
    const long long hour = seconds / 3600 % 24, minute = seconds / 60 % 60, second = seconds % 60;

    std::string out;
    bool afterHour = false;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const Token &token = tokens[i];
        const std::string &t = token.text;
        if (token.kind == Token::Elapsed) {
            const long long elapsed = t == "h" ? seconds / 3600 : t == "m" ? seconds / 60 : seconds;
            out += std::to_string(elapsed);
            afterHour = t == "h";
            continue;
        }
        if (token.kind == Token::AmPm) {
            const bool pm = hour >= 12;
            const bool upper = std::isupper(static_cast<unsigned char>(t[0]));
            out += t.size() == 3 ? std::string(1, upper ? (pm ? 'P' : 'A') : (pm ? 'p' : 'a'))
                                 : (upper ? (pm ? "PM" : "AM") : (pm ? "pm" : "am"));
            continue;
        }
        if (token.kind == Token::Dot && fractionDigits > 0 && i > 0 && tokens[i - 1].text[0] == 's') {
            const std::string digits = std::to_string(scale + fraction).substr(1);
            out += "." + digits;
            i += std::size_t(fractionDigits);
            continue;
        }
        if (token.kind != Token::Date) {
            out += token.kind == Token::Digit ? "" : t;
            continue;
        }
        bool minutes = false;
        if (t[0] == 'm' && t.size() <= 2) { // minutes after an hour or before seconds, else a month
            std::size_t next = i + 1;
            while (next < tokens.size() && tokens[next].kind != Token::Date
                && tokens[next].kind != Token::Elapsed)
                ++next;
            minutes = afterHour || (next < tokens.size() && tokens[next].text[0] == 's');
        }
        afterHour = t[0] == 'h';
        if (t[0] == 'y')
            out += t.size() <= 2 ? twoDigits(year % 100) : std::to_string(year);
        else if (minutes)
            out += t.size() == 1 ? std::to_string(minute) : twoDigits(minute);
        else if (t[0] == 'm')
            out += t.size() == 1 ? std::to_string(month)
                : t.size() == 2  ? twoDigits(month)
                : t.size() == 3  ? std::string(months[month - 1], 3)
                : t.size() == 5  ? std::string(months[month - 1], 1)
                                 : std::string(months[month - 1]);
        else if (t[0] == 'd')
            out += t.size() == 1 ? std::to_string(day)
                : t.size() == 2  ? twoDigits(day)
                : t.size() == 3  ? std::string(weekdays[weekday], 3)
                                 : std::string(weekdays[weekday]);
        else if (t[0] == 'h') {
            const long long shown = twelveHour ? (hour % 12 == 0 ? 12 : hour % 12) : hour;
            out += t.size() == 1 ? std::to_string(shown) : twoDigits(shown);
        } else if (t[0] == 's')
            out += t.size() == 1 ? std::to_string(second) : twoDigits(second);
    }
    return out;
}

std::string groupThousands(const std::string &digits)
{
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

// Placeholders '0' always show a digit, '#' only a significant one, '?' a space instead.
std::string formatFixed(double value, const std::string &integerPattern, const std::string &fractionPattern,
    bool thousands, bool dot)
{
    const std::string text = roundedFixed(value, int(fractionPattern.size()));
    const std::size_t point = text.find('.');
    std::string integer = text.substr(0, point);
    std::string fraction = point == std::string::npos ? "" : text.substr(point + 1);
    const std::size_t zeros = std::count(integerPattern.begin(), integerPattern.end(), '0');
    if (integer == "0" && zeros == 0)
        integer.clear();
    while (integer.size() < zeros)
        integer.insert(integer.begin(), '0');
    if (thousands)
        integer = groupThousands(integer);
    while (!fraction.empty() && fraction.back() == '0' && fractionPattern[fraction.size() - 1] != '0') {
        const bool space = fractionPattern[fraction.size() - 1] == '?';
        fraction.pop_back();
        if (space) {
            fraction += ' ';
            break;
        }
    }
    return integer + (dot ? "." + fraction : "");
}

std::string formatScientific(
    double value, std::size_t fractionDigits, const std::string &exponentSign, std::size_t exponentDigits)
{
    const std::string text = printed(value, std::chars_format::scientific, int(fractionDigits));
    const std::size_t e = text.find('e');
    const int exponent = std::stoi(text.substr(e + 1));
    std::string digits = std::to_string(std::abs(exponent));
    while (digits.size() < exponentDigits)
        digits.insert(digits.begin(), '0');
    const std::string sign = exponent < 0 ? "-" : exponentSign == "+" ? "+" : "";
    return text.substr(0, e) + "E" + sign + digits;
}

std::string formatNumber(double value, const std::vector<Token> &tokens)
{
    std::string integerPattern, fractionPattern, exponentSign;
    std::size_t exponentDigits = 0;
    bool dot = false, thousands = false, exponent = false;
    int trailingCommas = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const Token &token = tokens[i];
        if (token.kind == Token::Fraction)
            return general(value); // "# ?/?" fractions are not worth an approximation algorithm here
        if (token.kind == Token::Percent)
            value *= 100;
        else if (token.kind == Token::Exponent)
            exponent = true, exponentSign = token.text;
        else if (token.kind == Token::Dot && !exponent)
            dot = true;
        else if (token.kind == Token::Digit && exponent)
            ++exponentDigits;
        else if (token.kind == Token::Digit)
            (dot ? fractionPattern : integerPattern) += token.text;
        else if (token.kind == Token::Comma && !dot && !exponent) {
            const bool digitFollows = i + 1 < tokens.size() && tokens[i + 1].kind == Token::Digit;
            thousands = thousands || (digitFollows && !integerPattern.empty());
            trailingCommas = digitFollows ? 0 : trailingCommas + 1;
        }
    }
    value /= std::pow(1000.0, trailingCommas);
    const std::string number = exponent
        ? formatScientific(value, fractionPattern.size(), exponentSign, exponentDigits)
        : formatFixed(value, integerPattern, fractionPattern, thousands, dot);
    std::string out;
    bool placed = false;
    for (const Token &token : tokens) {
        if (token.kind == Token::Literal || token.kind == Token::Percent)
            out += token.text;
        else if (token.kind == Token::General || token.kind == Token::Text)
            out += general(value); // "@" (text) shows a number as General
        else if (!placed && (token.kind == Token::Digit || token.kind == Token::Dot))
            out += number, placed = true;
    }
    return out;
}

} // namespace

std::string builtinNumberFormat(unsigned id)
{
    switch (id) {
    case 0:
        return "General";
    case 1:
        return "0";
    case 2:
        return "0.00";
    case 3:
        return "#,##0";
    case 4:
        return "#,##0.00";
    case 9:
        return "0%";
    case 10:
        return "0.00%";
    case 11:
        return "0.00E+00";
    case 12:
        return "# ?/?";
    case 13:
        return "# ?"
               "?/?"
               "?"; // split so that "??/" is no trigraph
    case 14:
        return "m/d/yyyy"; // the locale's short date; Excel en-US shows m/d/yyyy
    case 15:
        return "d-mmm-yy";
    case 16:
        return "d-mmm";
    case 17:
        return "mmm-yy";
    case 18:
        return "h:mm AM/PM";
    case 19:
        return "h:mm:ss AM/PM";
    case 20:
        return "h:mm";
    case 21:
        return "h:mm:ss";
    case 22:
        return "m/d/yyyy h:mm";
    case 37:
        return "#,##0 ;(#,##0)";
    case 38:
        return "#,##0 ;[Red](#,##0)";
    case 39:
        return "#,##0.00;(#,##0.00)";
    case 40:
        return "#,##0.00;[Red](#,##0.00)";
    case 45:
        return "mm:ss";
    case 46:
        return "[h]:mm:ss";
    case 47:
        return "mmss.0";
    case 48:
        return "##0.0E+0";
    case 49:
        return "@";
    default:
        return "";
    }
}

std::string formatSheetNumber(double value, const std::string &formatCode, bool date1904)
{
    if (formatCode.empty() || !std::isfinite(value))
        return general(value);
    const std::vector<std::string> sections = splitFormatSections(formatCode);
    std::size_t pick = 0;
    bool signShown = sections.size() == 1;
    if (value < 0 && sections.size() >= 2)
        pick = 1;
    else if (value == 0 && sections.size() >= 3)
        pick = 2;
    const std::vector<Token> tokens = tokenizeFormatSection(sections[pick]);
    const double magnitude = pick == 1 || (value < 0 && !signShown) ? std::fabs(value) : value;
    if (isDateFormat(tokens)) {
        if (value < 0 || value >= 2958466) // before 1900 or after 9999: no date to show
            return general(value);
        return formatDate(value, tokens, date1904);
    }
    const std::string text = formatNumber(std::fabs(magnitude), tokens);
    const bool allZero = text.find_first_of("123456789") == std::string::npos;
    return (magnitude < 0 && !allZero ? "-" : "") + text;
}

} // namespace pairtune
