#!/usr/bin/env bash
# Regenerates the workbooks in this folder with LibreOffice (Debian's libreoffice-calc-nogui). The
# tests use the committed files; this script only documents and repeats how they were made.
#   fixtures.xlsx/.ods  from fixtures.fods (hand-written: several sheets, number and date formats,
#                       rich text, formulas, merged cells, an empty and a non-numeric score)
#   wordnet-demo-pairs.xlsx/.ods  from the sample pairs in resources/data (tab-separated, UTF-8)
#   legacy.xls          fixtures.fods saved in the Excel 97-2003 format
#   the damaged files   make_broken.py
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work" # LibreOffice writes its profile there
soffice --headless --convert-to xlsx --outdir "$work" fixtures.fods
soffice --headless --convert-to ods --outdir "$work" fixtures.fods
soffice --headless --convert-to xls --outdir "$work" fixtures.fods
cp ../../../resources/data/wordnet-demo-pairs.tsv "$work/"
# CSV filter options: tab separator (9), '"' quotes (34), UTF-8 (76), from line 1
soffice --headless --infilter="CSV:9,34,76,1" --convert-to xlsx --outdir "$work" "$work/wordnet-demo-pairs.tsv"
soffice --headless --infilter="CSV:9,34,76,1" --convert-to ods --outdir "$work" "$work/wordnet-demo-pairs.tsv"
cp "$work/fixtures.xlsx" "$work/fixtures.ods" "$work/wordnet-demo-pairs.xlsx" "$work/wordnet-demo-pairs.ods" .
cp "$work/fixtures.xls" legacy.xls
python3 make_broken.py
