"""Rebuild app/static/fonts/VHCVMono-*.woff (run by hand, not at run time).

The editors' monospace font (module editor textarea, version diff) is Noto Sans
Mono (Debian package ``fonts-noto-mono``; SIL Open Font License 1.1), cut down with
fontTools to Latin and Vietnamese and served by the app itself, so every browser
shows Vietnamese tone marks in place, whatever fonts the machine has. DejaVu Sans
Mono, which the certificates' DejaVu-era stack suggested, lacks 46 of the 134
precomposed Vietnamese letters (ả, ẳ, ẩ, ể, ỏ, ủ, ỷ …), which is why the editor
showed them wrong. A subset is a Modified Version under the OFL, so it is renamed
"VHCV Mono" (no Reserved Font Name is used).

    apt-get install -y fonts-noto-mono
    .venv/bin/pip install -r requirements-dev.txt   # fonttools
    .venv/bin/python scripts/subset_mono_font.py
"""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("/usr/share/fonts/truetype/noto")
COPYRIGHT = Path("/usr/share/doc/fonts-noto-mono/copyright")
TARGET = Path(__file__).resolve().parent.parent / "app" / "static" / "fonts"
STYLES = {"Regular": "NotoSansMono-Regular.ttf", "Bold": "NotoSansMono-Bold.ttf"}
FAMILY = "VHCV Mono"
UNICODES = [
    *range(0x0020, 0x007F),  # Basic Latin
    *range(0x00A0, 0x0180),  # Latin-1 Supplement, Latin Extended-A (Ă Đ Ĩ Ũ …)
    *range(0x01A0, 0x01B1),  # Ơ ơ Ư ư (Latin Extended-B)
    *range(0x0300, 0x0324),  # combining accents used in Vietnamese (text in NFD)
    *range(0x1EA0, 0x1EFA),  # Latin Extended Additional: Ạ … ỹ
    *range(0x2010, 0x2028),  # dashes, quotes, bullet, ellipsis
    0x2212,  # minus sign
    0x20AB,  # ₫
]


def build(style: str, filename: str) -> Path:
    options = subset.Options()
    options.flavor = "woff"  # zlib; no extra package needed
    options.layout_features = ["ccmp", "mark", "mkmk"]  # stacked tone marks
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(SOURCE / filename)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    compact = FAMILY.replace(" ", "")
    names = {
        1: FAMILY,
        3: f"{compact}-{style}; subset of Noto Sans Mono",
        4: f"{FAMILY} {style}",
        6: f"{compact}-{style}",
        16: FAMILY,
        17: style,
    }
    for record in list(font["name"].names):
        if record.nameID in names:
            font["name"].setName(
                names[record.nameID],
                record.nameID,
                record.platformID,
                record.platEncID,
                record.langID,
            )
    target = TARGET / f"{compact}-{style}.woff"
    font.flavor = "woff"
    font.save(target)
    return target


def write_licence() -> None:
    """OFL.txt: the copyright notice and the licence, from Debian's copyright file."""
    text = COPYRIGHT.read_text(encoding="utf-8")
    notice = text.split("License-Grant:")[0].split("Copyright:")[1]
    licence = text.split("\nLicense: OFL-1.1\n", 2)[2].split("\nLicense: GPL")[0]
    lines = []
    for line in licence.splitlines():
        line = line[1:] if line.startswith(" ") else line
        lines.append("" if line == "." else line)
    header = (
        "VHCVMono-*.woff are subsets of Noto Sans Mono (renamed), built by\n"
        "scripts/subset_mono_font.py.\n\nCopyright "
        + " ".join(notice.split())
        + "\n\nThis Font Software is licensed under the SIL Open Font License,"
        " Version 1.1.\n\n"
    )
    (TARGET / "OFL.txt").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    TARGET.mkdir(parents=True, exist_ok=True)
    for style, filename in STYLES.items():
        path = build(style, filename)
        print(path.name, path.stat().st_size)
    write_licence()
