"""matplotlib for the analyst's own charts: a Chinese face and a plain minus sign, and a chart
turned into the SVG an own figure embeds.

The project draws its own charts without matplotlib and must not import it (a kernel pays half
a second for it): `install` configures matplotlib at once if the analyst has already imported
it, and otherwise puts a finder at the head of `sys.meta_path` that waits for the analyst's
`import matplotlib` (or `import matplotlib.pyplot`, which imports it first) and configures
rcParams as soon as the package has loaded, before any text is made (a text keeps the font
family it was made with). Of the ways to get there, this is the one that neither imports
matplotlib early nor writes a `matplotlibrc` into the analyst's configuration (`MATPLOTLIBRC`
would also replace a file of their own); the finder acts on that one name and then leaves.

The faces: the report's own 黑体 (FandolHei, installed with emreport), then the CJK faces a
machine commonly has; only those matplotlib can find are named, so it never logs a
"font family not found". matplotlib falls back from one to the next glyph by glyph.
"""

from __future__ import annotations

import importlib.abc
import io
import sys
import warnings
from pathlib import Path

FACES = (
    "FandolHei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)
# where scripts/setup.sh installs the converted Fandol faces: added by path when matplotlib's
# font cache was built before they were installed
FONT_DIRS = (Path("/usr/local/share/fonts/emreport-fandol"),)


def configure(mpl) -> list[str]:
    """Give matplotlib the CJK faces it can find and an ASCII minus sign; the faces named."""
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    if "FandolHei" not in have:
        for folder in FONT_DIRS:
            for path in sorted(folder.glob("FandolHei-*.ttf")):
                font_manager.fontManager.addfont(str(path))
        have = {f.name for f in font_manager.fontManager.ttflist}
    faces = [f for f in FACES if f in have]
    rest = [f for f in mpl.rcParams["font.sans-serif"] if f not in faces]
    mpl.rcParams["font.sans-serif"] = faces + rest
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["axes.unicode_minus"] = False
    return faces


def _configure_quietly(mpl) -> None:
    try:
        configure(mpl)
    except Exception as e:  # noqa: BLE001 - the analyst's import must go on
        warnings.warn(f"emreport 未能为 matplotlib 设置中文字体：{e}", stacklevel=3)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: it lets the other finders find matplotlib and configures the
    package once it has been executed."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "matplotlib":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module):
            run(module)
            uninstall()
            _configure_quietly(module)

        loader.exec_module = exec_module
        return spec


_HOOK = _AfterImport()


def install() -> None:
    """Configure matplotlib now if it is loaded, else when it is first imported."""
    mpl = sys.modules.get("matplotlib")
    if mpl is not None and hasattr(mpl, "rcParams"):
        _configure_quietly(mpl)
    elif _HOOK not in sys.meta_path:
        sys.meta_path.insert(0, _HOOK)


def uninstall() -> None:
    if _HOOK in sys.meta_path:
        sys.meta_path.remove(_HOOK)


def is_figure(obj: object) -> bool:
    """A matplotlib Figure (or Axes, or anything with a savefig), without importing it."""
    return callable(getattr(obj, "savefig", None)) or callable(
        getattr(getattr(obj, "figure", None), "savefig", None)
    )


def svg_of(obj, caption: str) -> bytes:
    """A matplotlib figure as SVG with its text drawn as outlines, so the page needs no font
    and shows no box; a glyph no face has is an error (it would print as a box). The figure is
    closed, so the notebook does not show it again as a picture the page leaves out."""
    from emreport.compose.own import OwnError

    fig = obj if callable(getattr(obj, "savefig", None)) else obj.figure
    mpl = sys.modules["matplotlib"]
    buf = io.BytesIO()
    with warnings.catch_warnings(record=True) as seen, mpl.rc_context({"svg.fonttype": "path"}):
        warnings.simplefilter("always")
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    missing = [w for w in seen if "Glyph" in str(w.message) and "missing" in str(w.message)]
    for w in seen:
        if w not in missing:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)
    if missing:
        chars = "".join(dict.fromkeys(_glyph(str(w.message)) for w in missing))
        raise OwnError(
            f"图“{caption}”里有字体中没有的字（{chars}），印出来会是方框：请换掉这些字，"
            "或先 from emreport import report 再 import matplotlib"
        )
    return buf.getvalue()


def _glyph(message: str) -> str:
    """The character of matplotlib's 'Glyph 38544 (\\N{...}) missing from font(s) …'."""
    try:
        return chr(int(message.split()[1]))
    except (IndexError, ValueError):
        return "?"
