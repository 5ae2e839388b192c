#pragma once

// Download progress in words ("12.3 MB of 90.9 MB · 4.1 MB/s · about 18 s left"). Pure functions, so
// the numbers are testable without a download. Sizes in SI units (MB = 10^6 bytes), as the Hub shows them.

#include <QString>

namespace pairtune::ui {

// "12.3 MB of 90.9 MB", or "12.3 MB" while the total is unknown (0).
QString bytesProgressText(qint64 done, qint64 total);
// "4.1 MB/s"; "" when nothing was measured yet.
QString transferRateText(double bytesPerSecond);
// Seconds until total at this rate, or -1 when unknown (no total or no rate yet).
double secondsLeft(qint64 done, qint64 total, double bytesPerSecond);
// All of it: bytes, rate and time left, joined by " · " (parts that are unknown are left out).
QString downloadProgressText(qint64 done, qint64 total, double bytesPerSecond);

} // namespace pairtune::ui
