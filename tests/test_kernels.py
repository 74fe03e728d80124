"""The fork server of warm kernels leaves nothing behind, however it ends; its kernels run
cells as a notebook's (engine.py, shell.py)."""

from __future__ import annotations

import os
import shutil
import signal
import time

import nbformat
import pytest

from emreport.data.store import Store
from emreport.run import engine, kernels


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _start_kernel(server):
    return engine.Kernel(server, os.getcwd(), dict(os.environ)).pid


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _alive(pid)


def test_closing_the_server_kills_its_kernels():
    server = kernels.KernelServer()
    pid = _start_kernel(server)
    assert _alive(pid) and pid != server.proc.pid
    server.close()
    assert _gone_within(pid, 5)
    assert not server.socket_dir.exists()


def test_a_killed_server_takes_its_kernels_with_it():
    server = kernels.KernelServer()
    pid = _start_kernel(server)
    time.sleep(1)  # the kernel is up and polling its parent
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait()
    assert _gone_within(pid, 10)
    server.close()


def test_the_server_runs_no_thread_but_its_own():
    server = kernels.KernelServer()
    try:
        assert os.listdir(f"/proc/{server.proc.pid}/task") == [str(server.proc.pid)]
    finally:
        server.close()


def _cell(source: str):
    return nbformat.v4.new_code_cell(source)


def test_a_kernel_runs_cells_and_sends_what_they_show():
    server = kernels.KernelServer()
    try:
        kernel = engine.Kernel(server, os.getcwd(), dict(os.environ))
        cells = [
            _cell(
                "x = 41\nprint('一', end='')\nprint('二')\nimport sys; print('警告', file=sys.stderr)"
            ),
            _cell(
                "from IPython.display import display, HTML, update_display\n"
                "display(HTML('<b>旧</b>'), display_id='d1', metadata={'k': 1})\n"
                "x + 1"
            ),
            _cell(
                "update_display(HTML('<b>新</b>'), display_id='d1', metadata={'k': 2})\n"
                "from IPython.display import clear_output\nprint('去掉')\nclear_output()\n"
                "display({'image/png': b'\\x89PNG'}, raw=True)"
            ),
            _cell("1/0"),
            _cell("get_ipython().__class__.__name__"),
        ]
        replies = [kernel.run(c, i, 10) for i, c in enumerate(cells)]
        kernel.close()
    finally:
        server.close()
    assert [r["status"] for r in replies] == ["ok", "ok", "ok", "error", "ok"]
    assert [c.execution_count for c in cells] == [1, 2, 3, 4, 5]
    assert cells[0].outputs == [
        {"output_type": "stream", "name": "stdout", "text": "一二\n"},
        {"output_type": "stream", "name": "stderr", "text": "警告\n"},
    ]
    shown, result = cells[1].outputs
    assert shown["data"]["text/html"] == "<b>新</b>"  # updated by the next cell
    assert shown["metadata"] == {"k": 2}
    assert result == {
        "output_type": "execute_result",
        "data": {"text/plain": "42"},
        "metadata": {},
        "execution_count": 2,
    }
    assert cells[2].outputs == [  # the print was cleared; bytes arrive base64-encoded
        {"output_type": "display_data", "data": {"image/png": "iVBORw=="}, "metadata": {}}
    ]
    error = cells[3].outputs[0]
    assert (error["output_type"], error["ename"], error["evalue"]) == (
        "error",
        "ZeroDivisionError",
        "division by zero",
    )
    assert replies[3]["ename"] == "ZeroDivisionError"
    assert cells[4].outputs[0]["data"]["text/plain"] == "'BatchShell'"


def test_cells_sent_at_once_run_in_order_and_an_error_stops_the_rest(tmp_path):
    """The batch queues every cell before reading any output (engine.ShellEngine): the kernel
    runs them in order, a failing cell sent with `stop` ends the run (the cells after it do
    not run at all), one sent without it (tagged raises-exception) does not."""
    mark = tmp_path / "ran"
    server = kernels.KernelServer()
    try:
        kernel = engine.Kernel(server, os.getcwd(), dict(os.environ))
        cells = [
            _cell("n = 1"),
            _cell("n += 1\nraise ValueError('可以出错')"),
            _cell("print(n)\nraise KeyError('停')"),
            _cell(f"open({str(mark)!r}, 'w').close()"),
        ]
        for i, (cell, stop) in enumerate(zip(cells, [True, False, True, True], strict=True)):
            kernel.send(cell, i, stop=stop)
        replies = [kernel.read(c, i, 10) for i, c in enumerate(cells[:3])]
        kernel.close()
        assert _gone_within(kernel.pid, 5)
    finally:
        server.close()
    assert [r["status"] for r in replies] == ["ok", "error", "error"]
    assert replies[2]["ename"] == "KeyError"
    assert cells[2].outputs[0]["text"] == "2\n"  # ran after the allowed error, in order
    assert not mark.exists()  # queued after the error that ends the notebook: never run


def test_a_cell_past_its_timeout_kills_its_kernel():
    server = kernels.KernelServer()
    try:
        kernel = engine.Kernel(server, os.getcwd(), dict(os.environ))
        cell = _cell("print('开始')\nimport time\ntime.sleep(60)")
        with pytest.raises(engine.CellTimeout) as e:
            kernel.run(cell, 3, 1)
        assert e.value.cell == 3
        assert cell.outputs[0]["text"] == "开始\n"  # what it showed before it hung
        assert _gone_within(kernel.pid, 5)
        kernel.close()
    finally:
        server.close()


def test_a_kernel_that_dies_says_how():
    server = kernels.KernelServer()
    try:
        kernel = engine.Kernel(server, os.getcwd(), dict(os.environ))
        with pytest.raises(engine.KernelDied) as e:
            kernel.run(_cell("import os; os._exit(3)"), 0, 10)
        assert (e.value.cell, e.value.code) == (0, 3)
    finally:
        server.close()


def test_the_server_reads_the_store_ahead_for_its_kernels_and_never_a_replaced_file(
    store_copy, tmp_path
):
    path = store_copy
    server = kernels.KernelServer()
    try:
        assert server.preread(str(path))
        assert os.listdir(f"/proc/{server.proc.pid}/task") == [str(server.proc.pid)]
        look = _cell(
            "from emreport.data import store as s\n"
            f"st = s.Store({str(path)!r})\n"
            "print(sorted(st._small), len(st.registry()), 'halves' in st._whole, bool(s._HELD))\n"
            "print(st.con.execute('SELECT count(*) FROM hazards').fetchone()[0])\n"
            "import os\n"
            "print(len(os.listdir('/proc/self/task')))\n"
            "st.close()\n"
            "import duckdb\n"
            f"print(duckdb.connect({str(path)!r}, read_only=True).execute('SELECT 1').fetchone())"
        )
        kernel = engine.Kernel(server, os.getcwd(), dict(os.environ))
        kernel.run(look, 0, 30)
        kernel.close()
        ahead = look.outputs[0]["text"].splitlines()
        assert "'training'" in ahead[0] and ahead[0].endswith("True False")  # read by the server
        # the server holds the store open: the kernel's Store takes that connection over, no
        # thread of DuckDB's runs in the kernel either, and once the Store is closed a cell can
        # open the file itself
        with Store(path) as st:
            assert ahead[1] == str(st.con.execute("SELECT count(*) FROM hazards").fetchone()[0])
        assert ahead[2] == "1"
        assert ahead[3] == "(1,)"
        # an ingest replaces the file: the kernels read the new one, not the server's copy
        shutil.copy(path, tmp_path / "new.duckdb")
        os.replace(tmp_path / "new.duckdb", path)
        again = _cell(look.source)
        kernel = engine.Kernel(server, os.getcwd(), dict(os.environ))
        kernel.run(again, 0, 30)
        kernel.close()
        assert again.outputs[0]["text"].startswith("[] ")
        assert again.outputs[0]["text"].splitlines()[0].endswith("False False")  # opened afresh
    finally:
        server.close()


def test_the_engine_keeps_nbclients_rules_with_every_cell_queued(tmp_path):
    """Through papermill, as a batch runs a notebook: empty and `skip-execution` cells are
    not run, a `raises-exception` cell's error goes on, the first other error ends the run and
    is the one papermill raises; nothing after it runs."""
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors
    from papermill.iorw import load_notebook_node

    from emreport.run import notebook

    mark = tmp_path / "ran"
    cells = [
        _cell("x = 1"),
        _cell("  \n"),
        _cell("x = 100"),
        _cell("1/0"),
        _cell("print(x)\nraise KeyError('停在这里')"),
        _cell(f"open({str(mark)!r}, 'w').close()"),
    ]
    cells[2].metadata["tags"] = ["skip-execution"]
    cells[3].metadata["tags"] = ["raises-exception"]
    path = tmp_path / "队列.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    nb = prepare_notebook_metadata(load_notebook_node(str(path)), str(path), None)
    server = kernels.KernelServer()
    try:
        nb = papermill_engines.execute_notebook_with_engine(
            notebook._engine(),
            nb,
            kernel_name="python3",
            output_path=None,
            progress_bar=False,
            log_output=False,
            server=server,
            kernel_cwd=str(tmp_path),
            execution_timeout=30,
        )
    finally:
        server.close()
    assert [c.get("execution_count") for c in nb.cells] == [1, None, None, 2, 3, None]
    assert nb.cells[3].outputs[0]["ename"] == "ZeroDivisionError"
    assert nb.cells[4].outputs[0]["text"] == "1\n"  # the skipped cell did not run
    assert not mark.exists()
    with pytest.raises(PapermillExecutionError) as e:
        raise_for_execution_errors(nb, None)
    assert (e.value.cell_index, e.value.ename) == (4, "KeyError")


def test_the_fingerprint_hashes_small_tables_by_lookup_as_it_would_hash_the_cut(store_copy):
    """The kernel server hashes each total and stock table's rows once (Store.preread); a
    report's fingerprint looks its rows up. Same bytes as hashing the cut itself, and an edit
    of one of its rows still changes it."""
    import duckdb
    import pandas as pd

    from emreport.data import store as stores
    from emreport.data.periods import Period
    from emreport.data.schema import TABLES

    with Store(store_copy) as st:
        st.preread()
        seen = {}
        for code in ("990102", "990100"):
            for text in ("2025-H1", "2025"):
                unit, period = st.unit(code), Period.parse(text)
                for t in TABLES:
                    if t.kind in ("total", "stock"):
                        cut = st._cut_small(t, list(unit.members), period)
                        looked_up = st._cut_hashes(t.id, cut).tobytes()
                        hashed = pd.util.hash_pandas_object(cut, index=False).to_numpy()
                        assert looked_up == hashed.tobytes()
                seen[code, text] = st.fingerprint(unit, period)
    con = duckdb.connect(str(store_copy))
    con.execute(
        "UPDATE training SET total = total + 1 WHERE rowid = (SELECT min(rowid) FROM training "
        "WHERE district = '990102' AND half = '2025-H2')"
    )
    con.close()
    stores._WHOLE.clear()
    with Store(store_copy) as st:
        assert st.fingerprint(st.unit("990102"), Period.parse("2025")) != seen["990102", "2025"]
        assert (
            st.fingerprint(st.unit("990102"), Period.parse("2025-H1")) == seen["990102", "2025-H1"]
        )


def test_a_worker_defers_nbclient_and_papermills_own_engine_still_runs():
    """lanes._preload leaves nbclient (jupyter_client, ZeroMQ) unimported; papermill's own
    engine imports it when it is asked for a client."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from emreport.run import lanes\n"
        "lanes._preload()\n"
        "print('nbclient' in sys.modules, 'zmq' in sys.modules)\n"
        "import nbformat\n"
        "from papermill.engines import papermill_engines\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('print(6 * 7)')])\n"
        "nb.metadata.update(papermill={}, kernelspec={'name': 'python3', 'language': 'python',"
        " 'display_name': 'Python 3'})\n"
        "out = papermill_engines.execute_notebook_with_engine(None, nb, kernel_name='python3',"
        " progress_bar=False, log_output=False)\n"
        "print(out.cells[0].outputs[0]['text'].strip(), 'nbclient' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "42", "True"]
