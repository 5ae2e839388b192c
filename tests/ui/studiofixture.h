#pragma once

// Shared helpers of the studio's GUI suites: isolated settings, generated pair files and a tiny
// generated model (made with pairtune-cli create, so the suites need no model files in the repo).

#include <QString>
#include <QStringList>

namespace studiotest {

// Test mode for QStandardPaths (settings and documents go to a throw-away place) and an empty
// settings file, so a suite never reads or writes the user's own preferences.
void isolateSettings();

// n pairs about distinct topics, as a TSV file with an "anchor\tpositive" header. Texts repeat words
// between anchor and positive so even a tiny model can learn the pairing.
QStringList pairLines(int n);
bool writePairFile(const QString &path, int n, const QStringList &extraLines = {});
// The held-out part of lines under a default TrainingConfig's split (fraction and seed), with the
// header, as a run's eval-pairs.tsv holds it (what Try & Export's search reads).
bool writeHeldOutPairs(const QString &path, const QStringList &lines);

// Creates a tiny BERT model folder (1 layer, hidden 32) with the real bert-base-uncased vocabulary.
// Returns an error message, empty on success.
QString createTinyModel(const QString &folder);
// The same with other sizes (the screenshot tour uses a slightly larger model).
QString createModel(
    const QString &folder, int layers, int hidden, int heads, int intermediate, int maxSeqLength);

} // namespace studiotest
