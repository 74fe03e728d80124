"""The notebook's preview of the page: the page's stylesheet tied to the preview's container,
and the page built from the same outputs unchanged."""

import re

import nbformat

from emreport.output import page, preview
from emreport.output.bundle import OUTPUT_KEY

FRAGMENTS = [
    '<h1 class="doc-title">江城区应急管理局<br>2025年度工作总结</h1>',
    "<p>一是&lt;b&gt;。</p>",
]


def _selectors(css: str) -> list[str]:
    return [s.strip() for prelude, _ in preview._rules(css) for s in prelude.split(",")]


def test_every_rule_is_tied_to_the_container():
    css = preview.stylesheet()
    assert "@page" not in css and "@media" not in css
    for selector in _selectors(css):
        assert selector.startswith(".report.emreport-preview"), selector


def test_every_rule_of_the_page_is_carried():
    page_css = (preview.TEMPLATES / "report.css").read_text(encoding="utf-8")
    own = [s for s in _selectors(page_css) if s.startswith(".report")]
    scoped = _selectors(preview.stylesheet())
    assert [f".report.emreport-preview{s[len('.report') :]}" for s in own] == scoped[: len(own)]
    body = re.search(r"\.report\.emreport-preview p\{([^}]*)\}", preview.stylesheet()).group(1)
    assert "text-indent: 31.5pt" in body  # two characters, as on the page


def test_wrap_carries_class_and_language_and_unwraps_exactly():
    for fragment in FRAGMENTS:
        shown = preview.wrap(fragment)
        assert shown.startswith('<div class="report emreport-preview" lang="zh-CN"><style>')
        assert preview.unwrap(shown) == fragment
        assert preview.unwrap(fragment) == fragment  # a bare fragment (older notebooks) as is


def test_the_page_is_the_same_from_shown_or_bare_fragments():
    def notebook(wrap):
        nb = nbformat.v4.new_notebook()
        outputs = [
            nbformat.v4.new_output(
                "display_data",
                data={"text/html": wrap(f)},
                metadata={OUTPUT_KEY: {"part": str(i)}},
            )
            for i, f in enumerate(FRAGMENTS)
        ]
        nb.cells = [nbformat.v4.new_code_cell("report.show(r)", outputs=outputs)]
        return nb

    shown, bare = page.html_of(notebook(preview.wrap), "t"), page.html_of(notebook(str), "t")
    assert shown == bare and "emreport-preview" not in shown
    assert all(f in shown for f in FRAGMENTS)
