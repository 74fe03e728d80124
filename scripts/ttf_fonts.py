"""Convert the Fandol faces to TrueType outlines, once, at set-up: `python scripts/ttf_fonts.py SRC DEST`.

Chromium embeds a TrueType font in the PDF as a named, subset CID font, but turns CFF outlines
(the .otf files TeX Live ships) into unnamed Type 3 glyphs, which print services distrust and
which make a report's PDF twice as large. The outlines are converted from cubic to quadratic
curves (within one font unit of 1000 to the em: nothing a reader can see); names, metrics and
character maps stay as they were, so pages lay out exactly as before. One thing is corrected:
the Bold faces say they weigh 400 (regular), so fontconfig could not tell them from the Regular
ones and handed out the Bold face for normal text; they are marked 700. Faces are converted in
parallel, each written beside its final name and renamed into place.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

FACES = (
    "FandolFang-Regular",
    "FandolSong-Regular",
    "FandolSong-Bold",
    "FandolHei-Regular",
    "FandolHei-Bold",
    "FandolKai-Regular",
)
MAX_ERROR = 1.0  # font units


def convert(src: Path, dest: Path) -> None:
    font = TTFont(src)
    if "CFF " not in font:
        raise SystemExit(f"{src} has no CFF outlines to convert")
    order = font.getGlyphOrder()
    shapes = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(shapes)
        shapes[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:  # vertical origins belong to CFF fonts
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():  # TrueType wants the left side bearing to be xMin
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxComponentDepth",
    ):
        setattr(maxp, field, 0)  # the counts are recalculated when the font is saved
    font["post"].formatType = 3.0  # glyph names are not needed
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\000\001\000\000"
    if src.stem.endswith("-Bold"):
        font["OS/2"].usWeightClass = 700
    tmp = dest.with_name(f".{dest.name}.tmp")
    font.save(tmp)
    os.replace(tmp, dest)


def main() -> None:
    src, dest = Path(sys.argv[1]), Path(sys.argv[2])
    dest.mkdir(parents=True, exist_ok=True)
    todo = [
        (src / f"{face}.otf", dest / f"{face}.ttf")
        for face in FACES
        if not (dest / f"{face}.ttf").exists()
    ]
    missing = [str(s) for s, _ in todo if not s.exists()]
    if missing:
        raise SystemExit(f"找不到字体：{'、'.join(missing)}")
    with ProcessPoolExecutor(max_workers=max(1, min(len(todo), os.cpu_count() or 1))) as pool:
        for future in [pool.submit(convert, s, d) for s, d in todo]:
            future.result()


if __name__ == "__main__":
    main()
