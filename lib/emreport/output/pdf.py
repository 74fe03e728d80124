"""Who prints report.pdf (`engine`: Typst by default, output/typst.py, set from the Document;
or `EMREPORT_PDF=chromium`), and the page printers: headless Chromium, or WeasyPrint
in-process for the measured comparison (benchmarks/pdf.py).

Both printers take the self-contained HTML of one report (stylesheet and images inline), return
the PDF bytes, and are context managers, so a batch opens one printer for all its reports:

    with default_printer() as printer:
        pdf = printer.print_pdf(html)

Neither reaches the network: a page that asks for anything but a `data:` URL fails with
ExternalResourceError. Reading a PDF back (text, fonts, lines, pages) is pdfread.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from emreport import atomic

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page, Playwright, Route

ENGINE_ENV = "EMREPORT_PDF"  # typst (the default) or chromium: who prints report.pdf
ENGINES = ("typst", "chromium")
DEFAULT_ENGINE = "typst"  # why: docs/decisions.md, measured by benchmarks/pdf.py
CHROMIUM_ENV = "EMREPORT_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
PRINT_TIMEOUT_MS = 60_000
TAB_PRINTS = 10  # a tab's process grows a little with every page; a fresh one after this many


class EngineError(ValueError):
    """EMREPORT_PDF names no engine this project prints with."""


def engine() -> str:
    """The engine that prints report.pdf: EMREPORT_PDF, else DEFAULT_ENGINE."""
    name = (os.environ.get(ENGINE_ENV) or DEFAULT_ENGINE).strip().lower()
    if name not in ENGINES:
        raise EngineError(
            f"环境变量 {ENGINE_ENV}={name}无效：应为 typst（默认，由报告模型直接排版）"
            "或 chromium（打印 report.html）"
        )
    return name


class ExternalResourceError(ValueError):
    """The page points outside itself; a report must carry its stylesheet and images inline."""

    def __init__(self, urls: Sequence[str]):
        self.urls = tuple(urls)
        super().__init__(
            "报告页面引用了外部资源，PDF 只接受内嵌的 data: 地址：" + "，".join(self.urls)
        )


class _Printer:
    """Context-manager plumbing, so callers use either printer the same way."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release unless the printer holds a process."""

    def alive(self) -> bool:
        """Whether the printer can still print (a browser can exit under it)."""
        return True


# --- WeasyPrint ---------------------------------------------------------------------------
@cache
def _data_only_fetcher() -> tuple[type, type]:
    """WeasyPrint's URL fetcher for `data:` URLs only, and the exception that refuses the rest
    before any socket or file opens. Built on first use: importing WeasyPrint costs half a
    second that the Chromium printer does not need to pay."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class Refused(FatalURLFetchingError):
        """A BaseException, so WeasyPrint stops the print instead of logging a missing image."""

        def __init__(self, url: str):
            super().__init__(url)
            self.url = url

    class DataOnlyFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",), fail_on_errors=True)

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            if not url.lower().startswith("data:"):
                raise Refused(url)
            return super().fetch(url, headers)

    return DataOnlyFetcher, Refused


class _KnownIgnored(logging.Filter):
    """report.css uses `word-break: keep-all` for Chromium; WeasyPrint's warning about it would
    otherwise appear once for every report."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "word-break: keep-all" not in record.getMessage()


def _quiet_known_warnings() -> None:
    """Install the filter on WeasyPrint's logger once."""
    logger = logging.getLogger("weasyprint")
    if not any(isinstance(f, _KnownIgnored) for f in logger.filters):
        logger.addFilter(_KnownIgnored())


class WeasyPrinter(_Printer):
    """WeasyPrint in this process, faster and with named CID fonts, but Chinese lines are not
    justified (it stretches spaces only); one font configuration serves every report."""

    def __init__(self) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self._fonts = FontConfiguration()
        fetcher, self._refused = _data_only_fetcher()
        self._fetcher = fetcher()
        _quiet_known_warnings()

    def print_pdf(self, html: str) -> bytes:
        """The PDF of one self-contained page; ExternalResourceError if it points elsewhere."""
        from weasyprint import HTML

        try:
            document = HTML(string=html, base_url=None, url_fetcher=self._fetcher)
            return document.write_pdf(font_config=self._fonts)
        except self._refused as refused:
            raise ExternalResourceError([refused.url]) from None


# --- Chromium -----------------------------------------------------------------------------
def chromium_path() -> str:
    """Debian's Chromium unless EMREPORT_CHROMIUM names another build."""
    return os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM


class ChromiumPrinter(_Printer):
    """Headless Chromium through Playwright: launched once on enter, every process closed on
    exit, a throwaway profile, no JavaScript, and every request but `data:` refused.

    `print_pdf` may be called from any thread, and up to `tabs` pages print at once (the
    browser lays each out in a process of its own). A tab prints report after report, each
    replacing the last: a tab of its own per report would cost a renderer process started
    afresh, a third of the printing time. Playwright's asynchronous API runs in a thread the
    printer owns. After TAB_PRINTS pages a tab is closed and a fresh one opened, which
    bounds the memory the browser holds over a long batch."""

    def __init__(self, executable: str | None = None, tabs: int = 1) -> None:
        self.executable = executable or chromium_path()
        self.tabs = max(1, tabs)
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._playwright: Playwright | None = None
        self._context: BrowserContext | None = None
        self._free: asyncio.Queue | None = None  # tabs not printing, with their refusals
        self._opened = 0
        self._blank: list[Page] = []  # the tab the browser opens with, used first
        self._gone = False  # the browser exited (or crashed) under the printer

    @property
    def user_data_dir(self) -> str | None:
        """The profile folder while running; it names the browser's processes."""
        return self._profile.name if self._profile else None

    def __enter__(self) -> Self:
        self.start()
        return self

    def start(self) -> None:
        """Launch the browser once; a failed launch releases whatever it had started."""
        if self._context is not None:
            return
        if not Path(self.executable).exists():
            raise FileNotFoundError(
                f"找不到 Chromium：{self.executable}（可用环境变量 {CHROMIUM_ENV} 指定）"
            )
        # named after this process: a later run removes it should this one be killed
        self._profile = tempfile.TemporaryDirectory(prefix=atomic.temp_prefix("chromium"))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="emreport-chromium"
        )
        self._thread.start()
        try:
            self._call(self._launch())
        except BaseException:
            self.close()
            raise

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    async def _launch(self) -> None:
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        self._context = await self._playwright.chromium.launch_persistent_context(
            self._profile.name,
            executable_path=self.executable,
            headless=True,
            args=list(CHROMIUM_ARGS),
            java_script_enabled=False,
            accept_downloads=False,
            service_workers="block",
            offline=True,
        )
        self._free = asyncio.Queue()
        self._blank = list(self._context.pages)
        self._gone = False
        self._context.on("close", lambda _context: setattr(self, "_gone", True))

    async def _tab(self) -> _Tab:
        """A tab that is not printing; opened (with every request routed through
        `_data_only`) while fewer than `tabs` are open, else the next one to come free."""
        while True:
            if self._free.empty() and self._opened < self.tabs:
                self._opened += 1
                return await self._open_tab()
            tab = await self._free.get()
            if not tab.page.is_closed():
                return tab
            self._opened -= 1  # retired after its last print, or failed: a new one replaces it

    async def _open_tab(self) -> _Tab:
        page = self._blank.pop() if self._blank else await self._context.new_page()
        page.set_default_timeout(PRINT_TIMEOUT_MS)
        tab = _Tab(page)
        await page.route("**/*", lambda route: _data_only(route, tab.refused))
        return tab

    async def _print(self, html: str) -> bytes:
        tab = await self._tab()
        printed = False
        try:
            tab.refused.clear()
            tab.prints += 1
            await tab.page.set_content(html, wait_until="load")
            if tab.refused:
                raise ExternalResourceError(list(tab.refused))
            pdf = await tab.page.pdf(
                prefer_css_page_size=True, print_background=True, tagged=True, outline=True
            )
            printed = True
            return pdf
        finally:
            # a tab that failed, or has printed its share, is closed; the next print opens a
            # fresh one in its place
            if (not printed or tab.prints >= TAB_PRINTS) and not tab.page.is_closed():
                with suppress(Exception):
                    await tab.page.close()
            if self._free is not None:  # None once the printer is closing
                self._free.put_nowait(tab)

    def alive(self) -> bool:
        """Whether the browser is still there to print (False once it has exited)."""
        return self._context is not None and not self._gone

    def submit(self, html: str) -> Future[bytes]:
        """Start printing one self-contained page; the future gives the PDF, or raises
        ExternalResourceError if the page asked for more."""
        if self._context is None:
            raise RuntimeError("Chromium 打印器尚未启动：请用 with ChromiumPrinter() as printer")
        return asyncio.run_coroutine_threadsafe(self._print(html), self._loop)

    def print_pdf(self, html: str) -> bytes:
        """The PDF of one self-contained page; ExternalResourceError if it asked for more."""
        return self.submit(html).result()

    async def _shutdown(self) -> None:
        context, playwright = self._context, self._playwright
        self._context = self._playwright = self._free = None
        self._blank = []
        try:
            if context is not None:
                await context.close()
        finally:
            if playwright is not None:
                await playwright.stop()

    def close(self) -> None:
        """Close the browser, stop Playwright's driver and the printer's thread, delete the
        profile: each even if the one before failed, so no process or folder outlives the
        printer."""
        loop, thread, profile = self._loop, self._thread, self._profile
        self._loop = self._thread = self._profile = None
        try:
            if loop is not None:
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result()
        finally:
            try:
                if loop is not None:
                    loop.call_soon_threadsafe(loop.stop)
                    thread.join()
                    loop.close()
            finally:
                self._opened = 0
                if profile is not None:
                    profile.cleanup()


@dataclass
class _Tab:
    """A printing tab: the page, the URLs it was refused while printing, pages printed."""

    page: Page
    refused: list[str] = field(default_factory=list)
    prints: int = 0


async def _data_only(route: Route, refused: list[str]) -> None:
    """Let inline data through; note and abort anything that would leave the page."""
    url = route.request.url
    if url.lower().startswith("data:"):
        await route.continue_()
    else:
        refused.append(url)
        await route.abort("blockedbyclient")


def default_printer(tabs: int = 1) -> ChromiumPrinter:
    """Chromium, because it justifies Chinese lines to both edges of the text block (撑满版心)
    and WeasyPrint does not: about a third of full lines would end short. WeasyPrinter is the
    in-process alternative. Use the result with `with`, which launches and closes the browser;
    `tabs` pages may print at once."""
    return ChromiumPrinter(tabs=tabs)
