"""Rebuild the certificate fonts in this folder (run by hand, not at run time).

The certificate uses Liberation Serif 2.x (metric-compatible with Times New Roman,
SIL Open Font License 1.1, Debian package ``fonts-liberation2``), cut down with
fontTools to the Latin and Vietnamese glyphs the certificate needs: about a tenth of
the full font, so registering it once per process is quick.

"Liberation" is a Reserved Font Name under the OFL, and a subset is a Modified
Version, so the subsets are renamed "VHCV Serif" (OFL condition 3).

    apt-get install -y fonts-liberation2
    .venv/bin/pip install -r requirements-dev.txt   # fonttools
    .venv/bin/python app/certificates/fonts/subset.py

Equivalent command line, per style (then rename the family in the ``name`` table):

    pyftsubset /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf \\
        --unicodes=U+0020-007E,U+00A0-017F,U+01A0-01B0,U+0300-0323,U+1EA0-1EF9,\\
U+2010-2027,U+20AB --layout-features='' --no-hinting --desubroutinize \\
        --output-file=VHCVSerif-Regular.ttf
"""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("/usr/share/fonts/truetype/liberation2")
COPYRIGHT = Path("/usr/share/doc/fonts-liberation2/copyright")
HERE = Path(__file__).resolve().parent
STYLES = ("Regular", "Bold", "Italic", "BoldItalic")
FAMILY = "VHCV Serif"

UNICODES = [
    *range(0x0020, 0x007F),  # Basic Latin
    *range(0x00A0, 0x0180),  # Latin-1 Supplement, Latin Extended-A (Ă Đ Ĩ Ũ …)
    *range(0x01A0, 0x01B1),  # Ơ ơ Ư ư (Latin Extended-B)
    *range(0x0300, 0x0324),  # combining accents used in Vietnamese
    *range(0x1EA0, 0x1EFA),  # Latin Extended Additional: Ạ … ỹ
    *range(0x2010, 0x2028),  # dashes, quotes, bullet, ellipsis
    0x20AB,  # ₫
]


def build(style: str) -> Path:
    source = SOURCE / f"LiberationSerif-{style}.ttf"
    target = HERE / f"VHCVSerif-{style}.ttf"
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    pretty = {"BoldItalic": "Bold Italic"}.get(style, style)
    names = {
        1: FAMILY,
        3: f"{FAMILY.replace(' ', '')}-{style}; subset of Liberation Serif 2",
        4: f"{FAMILY} {pretty}",
        6: f"{FAMILY.replace(' ', '')}-{style}",
        16: FAMILY,
        17: pretty,
    }
    name_table = font["name"]
    for record in list(name_table.names):
        if record.nameID in names:
            name_table.setName(
                names[record.nameID],
                record.nameID,
                record.platformID,
                record.platEncID,
                record.langID,
            )
    font.save(target)
    return target


def write_licence() -> None:
    """OFL.txt: the copyright notice and licence, from the Debian copyright file."""
    text = COPYRIGHT.read_text(encoding="utf-8")
    block = text.split("\nFiles: debian/*")[0]
    lines = []
    for line in block.splitlines()[4:]:
        line = line[1:] if line.startswith(" ") else line
        lines.append("" if line == "." else line)
    header = (
        "VHCVSerif-*.ttf are subsets of Liberation Serif 2.1.5 (renamed: 'Liberation'"
        "\nis a Reserved Font Name). Built by subset.py in this folder.\n\n"
    )
    (HERE / "OFL.txt").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for style in STYLES:
        path = build(style)
        print(path.name, path.stat().st_size)
    write_licence()
