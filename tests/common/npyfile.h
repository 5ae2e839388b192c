#pragma once

// Reading the 2-D float32 .npy files that numpy.save and `pairtune-cli embed` write, for the suites that
// compare embeddings. Header-only, QtCore.

#include <QtCore/QByteArray>
#include <QtCore/QFile>
#include <QtCore/QRegularExpression>
#include <QtCore/QString>

#include <cstring>
#include <vector>

namespace pairtune::testnpy {

// A 2-D little-endian float32 .npy (versions 1-3); error is set when the file is anything else.
struct Npy
{
    qsizetype rows = 0;
    qsizetype cols = 0;
    std::vector<float> values;
    QString error;

    float at(qsizetype row, qsizetype col) const { return values[std::size_t(row * cols + col)]; }
};

inline Npy readNpy(const QString &path)
{
    Npy npy;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        npy.error = path + QStringLiteral(": cannot open");
        return npy;
    }
    const QByteArray data = file.readAll();
    if (data.size() < 10 || !data.startsWith("\x93NUMPY")) {
        npy.error = path + QStringLiteral(": not a .npy file");
        return npy;
    }
    const int major = static_cast<unsigned char>(data[6]);
    const auto byte = [&](int i) { return static_cast<quint32>(static_cast<unsigned char>(data[i])); };
    const qsizetype headerLength
        = major == 1 ? (byte(8) | byte(9) << 8) : (byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24);
    const qsizetype headerStart = major == 1 ? 10 : 12;
    const QString header = QString::fromLatin1(data.mid(headerStart, headerLength));
    if (!header.contains(QLatin1String("'descr': '<f4'"))
        || !header.contains(QLatin1String("'fortran_order': False"))) {
        npy.error = path + QStringLiteral(": expected C-order little-endian float32, header ") + header;
        return npy;
    }
    const QRegularExpressionMatch shape
        = QRegularExpression(QStringLiteral("'shape': \\((\\d+), (\\d+)\\)")).match(header);
    if (!shape.hasMatch()) {
        npy.error = path + QStringLiteral(": expected a 2-D array, header ") + header;
        return npy;
    }
    npy.rows = shape.captured(1).toLongLong();
    npy.cols = shape.captured(2).toLongLong();
    const qsizetype offset = headerStart + headerLength;
    if (data.size() - offset != npy.rows * npy.cols * qsizetype(sizeof(float))) {
        npy.error = path + QStringLiteral(": data size does not match the shape");
        return npy;
    }
    npy.values.resize(std::size_t(npy.rows * npy.cols));
    std::memcpy(npy.values.data(), data.constData() + offset, npy.values.size() * sizeof(float));
    return npy;
}

} // namespace pairtune::testnpy
