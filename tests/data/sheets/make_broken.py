#!/usr/bin/env python3
"""Writes the damaged workbooks the tests and the fuzz seeds use, from fixtures.xlsx/.ods (made by
LibreOffice, see make_fixtures.sh). Python's zipfile only; run from this folder."""
import zipfile

def copy_with(source, target, replace):
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = replace.get(item.filename, zin.read(item.filename))
            if data is not None:
                zout.writestr(item.filename, data, compress_type=zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED)

# A zip that is no workbook.
with zipfile.ZipFile("no-workbook.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("notes.txt", "anchor\tpositive\n")

# The first sheet cut off in the middle of a tag.
with zipfile.ZipFile("fixtures.xlsx") as z:
    sheet = z.read("xl/worksheets/sheet1.xml")
copy_with("fixtures.xlsx", "malformed.xlsx", {"xl/worksheets/sheet1.xml": sheet[: len(sheet) // 2]})

# The first sheet padded with 64 MiB of spaces inside the XML: valid, tiny when compressed (a zip bomb).
padding = b" " * (64 << 20)
bomb = sheet.replace(b"<sheetData>", b"<sheetData>" + padding, 1)
copy_with("fixtures.xlsx", "bomb.xlsx", {"xl/worksheets/sheet1.xml": bomb})

# An .ods saved with a password: the manifest lists encryption data and content.xml is ciphertext.
manifest = (b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            b'<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="4096">'
            b'<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
            b'<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
            b'</manifest:encryption-data></manifest:file-entry></manifest:manifest>')
copy_with("fixtures.ods", "encrypted.ods", {"META-INF/manifest.xml": manifest, "content.xml": bytes(range(256)) * 16})

# The same bomb with its declared size patched down to 4 KiB in both zip headers: only counting the
# bytes as they inflate can stop it.
data = bytearray(open("bomb.xlsx", "rb").read())
name = b"xl/worksheets/sheet1.xml"
for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
    at = data.find(signature)
    while at >= 0:
        if data[at + name_offset: at + name_offset + len(name)] == name:
            data[at + size_offset: at + size_offset + 4] = (4096).to_bytes(4, "little")
        at = data.find(signature, at + 4)
open("bomb-lying.xlsx", "wb").write(bytes(data))
