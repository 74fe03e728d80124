"""The report as a notebook shows it: each fragment of the page inside a container carrying the
page's class and language, with the page's own stylesheet scoped to that container.

JupyterLab puts an HTML output straight into its own document, so a `<style>` in it applies to
the whole of Lab. `stylesheet()` therefore takes report.css without what belongs to the sheet
of paper (`@page`, `html`, `body`, the screen's grey desk) and ties every other rule to the
container (`.report.emreport-preview`, one class more than Lab's `.jp-RenderedHTMLCommon p`),
then adds preview.css, which undoes what Lab's own output styles would still change (striped
and hovered table rows, left-aligned paragraphs, heading anchors). The container is as wide as
the page's text block, so lines break where they break on the printed page.

Fonts are the faces the PDF printer uses, found the same way: by name, through fontconfig,
where set-up installed them (`make lab` listens on 127.0.0.1, so the browser runs on the same
machine). Nothing is embedded: a data: URI of the 仿宋 face alone would add megabytes to every
output. A browser on another machine falls back along the same stacks as report.html (仿宋,
FangSong, STFangsong, Noto Serif CJK SC).

`unwrap` gives back the fragment exactly as it was, so report.html, which the page template
builds from the same outputs, does not change.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
SCOPE = "emreport-preview"
_ROOT = ".report"
_OPEN = f'<div class="report {SCOPE}" lang="zh-CN"><style>'
_CLOSE = "</div>"
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _rules(css: str) -> list[tuple[str, str]]:
    """The top-level statements of a stylesheet as (prelude, body), comments removed."""
    css = _COMMENT.sub("", css)
    out, depth, start, prelude = [], 0, 0, ""
    for i, ch in enumerate(css):
        if ch == "{":
            if depth == 0:
                prelude, start = css[:i].rsplit("}", 1)[-1].strip(), i + 1
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                out.append((prelude, css[start:i]))
    return out


def _scoped(selector: str) -> str | None:
    """`.report p` -> `.report.emreport-preview p`; None for a rule outside the page's root."""
    selector = " ".join(selector.split())
    if selector == _ROOT or selector.startswith(_ROOT + " "):
        return f"{_ROOT}.{SCOPE}{selector[len(_ROOT) :]}"
    return None


def scope(css: str) -> str:
    """The page's rules tied to the container; at-rules (@page, @media) and rules for html and
    body left out."""
    out = []
    for prelude, body in _rules(css):
        if prelude.startswith("@"):
            continue
        selectors = [_scoped(s) for s in prelude.split(",")]
        if all(selectors):
            out.append(",".join(selectors) + "{" + " ".join(body.split()) + "}")  # type: ignore[arg-type]
    return "\n".join(out)


@cache
def stylesheet() -> str:
    page = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    lab = (TEMPLATES / "preview.css").read_text(encoding="utf-8")
    return scope(page) + "\n" + scope(lab)


def wrap(fragment: str) -> str:
    """A fragment of the page as the notebook shows it."""
    return f"{_OPEN}{stylesheet()}</style>{fragment}{_CLOSE}"


def unwrap(html: str) -> str:
    """The fragment inside `wrap`'s container; any other HTML as it is."""
    if html.startswith(_OPEN) and html.endswith(_CLOSE):
        end = html.find("</style>", len(_OPEN))
        if end >= 0:
            return html[end + len("</style>") : -len(_CLOSE)]
    return html
