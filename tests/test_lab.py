"""JupyterLab as an analyst sees it, in a real browser.

`make lab`'s own launcher (scripts/lab.sh, with the project's jupyter_config/) starts Lab on
127.0.0.1, a free port and a token, in its own process group, with a temporary HOME and runtime
folder and a copy of the district notebook as its root, so nothing of the user's (settings,
workspaces, the committed notebook) is read or written. Debian's Chromium, driven by Playwright,
opens the notebook and runs every cell from the Chinese menu; the test then reads what the page
shows: no error output, a Chinese interface, and the report in the page's fonts, sizes and
indents. Set EMREPORT_LAB_SHOTS to a folder to keep the screenshots.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from emreport.output.pdf import CHROMIUM_ARGS, chromium_path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/district_report.ipynb"
PT = 96 / 72  # CSS pixels per point


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children() -> dict[int, int]:
    """pid -> parent pid of every process on the machine."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(stat.parent.name)] = int(fields[1])
    return out


def _descendants(pid: int) -> set[int]:
    parents = _children()
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p}
        todo += list(kids - found)
        found |= kids
    return found


def _in_group(pgid: int) -> set[int]:
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                out.add(int(stat.parent.name))
        except (OSError, IndexError):
            continue
    return out


def _alive(pids: set[int]) -> set[int]:
    return {p for p in pids if Path(f"/proc/{p}").exists()}


class Lab:
    """JupyterLab started by scripts/lab.sh; `stop` ends it and every process it started."""

    def __init__(self, root: Path, home: Path, log: Path):
        self.port, self.token = _free_port(), secrets.token_hex(16)
        env = dict(os.environ, HOME=str(home), JUPYTER_RUNTIME_DIR=str(home / "runtime"))
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTERLAB_SETTINGS_DIR"):
            env.pop(name, None)
        self.log = log
        self.proc = subprocess.Popen(
            [
                "bash",
                str(ROOT / "scripts" / "lab.sh"),
                f"--port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={root}",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        self.seen: set[int] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")[-3000:]
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise AssertionError("JupyterLab did not start:\n" + self.log.read_text()[-3000:])

    def note_processes(self) -> None:
        """Remember Lab's processes (kernels run in sessions of their own)."""
        self.seen |= _descendants(self.proc.pid) | _in_group(self.proc.pid)

    def stop(self) -> set[int]:
        """SIGTERM (Lab shuts its kernels down), SIGKILL for whatever is left; the pids still
        alive after that, which should be none."""
        self.note_processes()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # Lab shuts its kernels down, then exits
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        deadline = time.monotonic() + 10
        while _alive(self.seen) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = _alive(self.seen | _in_group(self.proc.pid))
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        return left


@pytest.fixture
def lab(tmp_path):
    root, home = tmp_path / "work", tmp_path / "home"
    (root / "notebooks").mkdir(parents=True)
    home.mkdir()
    shutil.copy(ROOT / NOTEBOOK, root / NOTEBOOK)
    server = Lab(root, home, tmp_path / "lab.log")
    try:
        server.wait_ready()
        yield server
    finally:
        left = server.stop()
        assert not left, f"processes left running after Lab stopped: {sorted(left)}"


def _platform_fonts(cdp, selector: str) -> list[str]:
    """The faces Chromium actually drew the element's text with."""
    doc = cdp.send("DOM.getDocument", {"depth": 0})
    node = cdp.send("DOM.querySelector", {"nodeId": doc["root"]["nodeId"], "selector": selector})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    return [f["familyName"] for f in sorted(fonts, key=lambda f: -f["glyphCount"])]


def test_lab_shows_the_page_in_chinese(lab, tmp_path):
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("EMREPORT_LAB_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.goto(f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=30_000)
            # the kernel up first: "run all" before it is asks which kernel to start
            page.locator(".jp-StatusBar-TextItem", has_text="| 空闲").wait_for(timeout=30_000)

            # the interface is Chinese: the menus by their labels, run from them
            labels = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
            assert "文件" in labels and "运行" in labels, labels
            page.locator(".lm-MenuBar-itemLabel", has_text="运行").click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile("^运行所有单元格$")).click()
            page.wait_for_function(
                """() => {
                    const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                    return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent));
                }""",
                timeout=40_000,
            )
            lab.note_processes()  # the kernel is running now

            # no error output of any kind
            errors = page.locator(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
            )
            assert errors.count() == 0, errors.all_inner_texts()
            outputs = " ".join(page.locator(".jp-OutputArea-output").all_inner_texts())
            assert "Traceback" not in outputs and "Error" not in outputs
            assert page.locator(".jp-toast-container .Toastify__toast").count() == 0

            # the report in the page's style
            style = page.evaluate(
                """() => {
                    const css = (sel) => {
                        const e = document.querySelector(sel), s = getComputedStyle(e);
                        const r = e.getBoundingClientRect(), box = e.parentElement.getBoundingClientRect();
                        return {font: s.fontFamily, size: parseFloat(s.fontSize),
                                indent: parseFloat(s.textIndent), align: s.textAlign,
                                lang: e.closest('[lang]').lang, weight: s.fontWeight,
                                left: r.left - box.left, right: box.right - r.right,
                                background: s.backgroundColor};
                    };
                    return {
                        body: css('.report.emreport-preview > p:not(.signature):not(.doc-date)'),
                        title: css('.report.emreport-preview h1.doc-title'),
                        row: css('.report.emreport-preview table.data tbody tr:nth-child(even)'),
                        cell: css('.report.emreport-preview table.data td.num'),
                    };
                }"""
            )
            body, title = style["body"], style["title"]
            assert body["font"].split(",")[0].strip('" ') == "FandolFang", body  # the 仿宋 face
            assert body["size"] == pytest.approx(16 * PT, abs=0.1), body  # 16pt, 3号
            assert body["indent"] == pytest.approx(2 * body["size"], abs=1.5), body  # 2 characters
            assert body["align"] == "justify" and body["lang"] == "zh-CN", body
            assert title["align"] == "center" and title["size"] == pytest.approx(22 * PT, abs=0.1)
            assert style["row"]["background"] == "rgba(0, 0, 0, 0)", style["row"]  # no stripes
            assert style["cell"]["size"] == pytest.approx(12 * PT, abs=0.1), style["cell"]

            cdp = page.context.new_cdp_session(page)
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            used = _platform_fonts(cdp, ".report.emreport-preview > p:not(.signature)")
            assert used[0].startswith("FandolFang"), used  # the PDF's 仿宋 face, no fallback

            for name, selector in (
                ("lab-title", "h1.doc-title"),
                ("lab-section", "h2"),
                ("lab-table", "table.data"),
            ):
                page.locator(f".report.emreport-preview {selector}").first.evaluate(
                    "e => e.scrollIntoView({block: 'start'})"
                )
                page.wait_for_timeout(300)
                page.screenshot(path=str(shots / f"{name}.png"))
        except Exception:
            page.screenshot(path=str(shots / "lab-failed.png"))  # what the page showed then
            raise
        finally:
            browser.close()
