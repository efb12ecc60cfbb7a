"""The notebooks as a user meets them: JupyterLab in headless Chromium, each notebook run with Run > Run All Cells.

A JupyterLab server on 127.0.0.1 serves copies of the notebooks (the committed ones stay output-free) with the
shared corpus as ``CORPUS``. Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright (no browser
download: ``executable_path``). For every notebook the test fails on an error or stderr output, on MathJax-typeset
text in an output, and on a table wider than its output area; it screenshots every screen of the notebook to a
folder it names (``browser screenshots:`` in the test summary; ``DRDATA_SCREENSHOTS`` moves it). A canary
notebook with a formula and a wide table proves the three checks see what they look for.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import REPO, shared_corpus_path

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

CHROMIUM = Path(os.environ.get("DRDATA_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
VIEWPORT = {"width": 1366, "height": 900}
NOTEBOOK_TIMEOUT = 1500  # seconds for Run All Cells of one notebook (labeling the shared corpus on 2 busy cores)
MAX_SCREENS = 60

SETTINGS = {
    # Every cell in the DOM, so the checks see all outputs (JupyterLab 4 virtualises cells by default).
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # No news or update checks: nothing leaves the machine.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"checkForUpdates": False,
                                                                         "fetchNews": "false"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}

# Outputs the checks must flag: a formula between two dollars, and a table wider than any screen.
CANARY = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [],
               "source": "from IPython.display import Markdown\nMarkdown('costs $x$ and $y$')"},
              {"cell_type": "code", "execution_count": None, "id": "c2", "metadata": {}, "outputs": [],
               "source": "import pandas as pd\npd.DataFrame([[f'value {i}' for i in range(40)]])"},
              {"cell_type": "code", "execution_count": None, "id": "c3", "metadata": {}, "outputs": [],
               "source": "import sys\nprint('to stderr', file=sys.stderr)"}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}

CHECKS_JS = """() => {
  const out = {stderr: [], math: [], wide: [], tables: 0};
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  panel.querySelectorAll('.jp-OutputArea-output').forEach(o => {
    const mime = o.getAttribute('data-mime-type') || '';
    if (mime.includes('stderr') || mime.includes('error')) out.stderr.push(o.innerText.slice(0, 600));
  });
  panel.querySelectorAll('.jp-OutputArea-output mjx-container, .jp-OutputArea-output .MathJax').forEach(m => {
    const cell = m.closest('.jp-OutputArea-output');
    out.math.push((cell ? cell.innerText : m.innerText).slice(0, 200));
  });
  panel.querySelectorAll('.jp-OutputArea-output table').forEach(t => {
    if (!t.offsetParent) return;  // hidden (a filter of the task view)
    out.tables += 1;
    const area = t.closest('.jp-OutputArea-output');
    const w = t.getBoundingClientRect().width, aw = area.getBoundingClientRect().width;
    // Wider than the area, or cells spilling out of it (the area scrolls sideways).
    if (w > aw + 1 || area.scrollWidth > area.clientWidth + 1)
      out.wide.push({table: Math.round(w), area: Math.round(aw), scroll: area.scrollWidth,
                     text: t.innerText.slice(0, 120)});
  });
  return out;
}"""

DONE_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return false;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.innerText.trim());
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const idle = !status || status.getAttribute('data-status') === 'idle';
  return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p)) && idle;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (127.0.0.1 only)
        return r.read()


@pytest.fixture(scope="module")
def chromium():
    # Fail, not skip: a run without the browser must not look green (.ci/run installs it).
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} missing: apt-get install chromium (.ci/run does)")
    return CHROMIUM


@pytest.fixture(scope="module")
def screenshots() -> Path:
    folder = Path(os.environ.get("DRDATA_SCREENSHOTS") or REPO / "out" / "browser-screenshots")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory, chromium):
    """A JupyterLab server on 127.0.0.1 serving copies of the notebooks, with the shared corpus as CORPUS."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "notebooks"
    root.mkdir()
    for name in NOTEBOOKS:
        shutil.copy(REPO / "notebooks" / name, root / name)
    (root / "00_canary.ipynb").write_text(json.dumps(CANARY))
    settings = base / "settings"
    for rel, value in SETTINGS.items():
        path = settings / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRDATA_NOTEBOOK_")}
    env.update(DRDATA_NOTEBOOK_CORPUS=str(shared_corpus_path()), DRDATA_LABEL_RUNS=str(base / "label-runs"),
               DRDATA_NOTEBOOK_EXPORT=str(base / "export"), DRDATA_NOTEBOOK_EXPORT_CONFIGS="sft,preference,labels",
               JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
               JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_RUNTIME_DIR=str(base / "runtime"))
    port, token = _free_port(), secrets.token_hex(16)
    log = open(base / "jupyterlab.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                             f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
                             # CI containers run as root; no extension manager looking things up on PyPI.
                             "--ServerApp.allow_root=True", "--LabApp.extension_manager=readonly"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited: {(base / 'jupyterlab.log').read_text()[-2000:]}")
            try:
                _get(f"{url}/api/status?token={token}")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer on 127.0.0.1 within 2 minutes")
        yield {"url": url, "token": token, "root": root, "log": base / "jupyterlab.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
        ctx = p.chromium.launch_persistent_context(str(profile), executable_path=str(chromium), headless=True,
                                                   args=FLAGS, viewport=VIEWPORT)
        try:
            yield ctx
        finally:
            ctx.close()


def _shutdown_kernels(lab) -> None:
    req = urllib.request.Request(f"{lab['url']}/api/kernels?token={lab['token']}")
    for k in json.loads(_get(req.full_url)):
        urllib.request.urlopen(urllib.request.Request(  # noqa: S310
            f"{lab['url']}/api/kernels/{k['id']}?token={lab['token']}", method="DELETE"), timeout=10)


STARTED_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  return !!panel && [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .some(p => /^\\[(\\*|\\d+)\\]:$/.test(p.innerText.trim()));
}"""


def _accept_kernel_dialog(page, wait_ms: int = 3000) -> bool:
    """JupyterLab asks which kernel to start when a notebook opens before the kernel specs have loaded (a race
    on a busy machine); accept the kernel it proposes, as a user does, and wait until that kernel is idle."""
    # The dialog's accept button ("Select"); JupyterLab marks it .jp-mod-accept.
    select = page.locator(".jp-Dialog .jp-Dialog-footer .jp-mod-accept:visible").first
    try:
        select.wait_for(state="visible", timeout=max(wait_ms, 1))
    except PlaywrightTimeout:
        return False
    select.click()
    page.locator(".jp-Dialog:visible").first.wait_for(state="detached", timeout=30_000)
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator"
                           "[data-status='idle']", timeout=120_000)
    return True


def _open_and_run(page, lab, name: str, folder: Path) -> float:
    page.goto(f"{lab['url']}/lab/tree/{name}?reset&token={lab['token']}")
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=120_000)
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator"
                           "[data-status='idle']", timeout=120_000)
    stem = name.removesuffix(".ipynb")
    for attempt in range(3):
        _accept_kernel_dialog(page)
        # Run > Run All Cells, as a user does; a click that lands while the page is still settling is lost,
        # so it is tried again when no cell starts.
        try:
            page.get_by_role("menuitem", name="Run", exact=True).click(timeout=15_000)
            start = time.perf_counter()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click(timeout=15_000)
            page.wait_for_function(STARTED_JS, timeout=30_000, polling=250)
            break
        except PlaywrightTimeout:
            page.screenshot(path=str(folder / f"{stem}-not-started-{attempt + 1}.png"))
            if not _accept_kernel_dialog(page, wait_ms=0):
                page.keyboard.press("Escape")  # close the menu the lost click left open
    else:
        pytest.fail(f"{name}: Run All Cells started no cell (see {folder}/{stem}-not-started-*.png)")
    try:
        page.wait_for_function(DONE_JS, timeout=NOTEBOOK_TIMEOUT * 1000, polling=1000)
    except PlaywrightTimeout:
        page.screenshot(path=str(folder / f"{stem}-timeout.png"))
        raise
    elapsed = time.perf_counter() - start
    page.wait_for_timeout(2500)  # MathJax typesets after the outputs arrive
    return elapsed


def _screens(page, folder: Path, stem: str) -> int:
    """Screenshot the notebook one screen at a time, top to bottom; returns the number of screens."""
    scroller = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"
    page.evaluate(f"document.querySelector('{scroller}').scrollTop = 0")
    n = 0
    while n < MAX_SCREENS:
        page.wait_for_timeout(150)
        page.screenshot(path=str(folder / f"{stem}-{n + 1:02d}.png"))
        n += 1
        moved = page.evaluate(f"""() => {{
            const s = document.querySelector('{scroller}');
            const before = s.scrollTop;
            s.scrollTop = before + s.clientHeight * 0.9;
            return s.scrollTop > before;
        }}""")
        if not moved:
            break
    return n


def test_checks_see_maths_wide_tables_and_stderr(jupyterlab, browser, screenshots):
    page = browser.new_page()
    try:
        _open_and_run(page, jupyterlab, "00_canary.ipynb", screenshots)
        found = page.evaluate(CHECKS_JS)
        _screens(page, screenshots, "00_canary")
    finally:
        page.close()
        _shutdown_kernels(jupyterlab)
    assert found["math"], "MathJax check sees no typeset formula in the canary"
    assert found["wide"], "the wide-table check misses a 40-column table"
    assert any("to stderr" in s for s in found["stderr"])


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_cleanly_in_jupyterlab(name, jupyterlab, browser, screenshots, record_property):
    page = browser.new_page()
    stem = name.removesuffix(".ipynb")
    try:
        elapsed = _open_and_run(page, jupyterlab, name, screenshots)
        found = page.evaluate(CHECKS_JS)
        screens = _screens(page, screenshots, stem)
        if stem == "05_explore_tasks":
            _use_the_explorer(page, screenshots)
    finally:
        page.close()
        _shutdown_kernels(jupyterlab)
    record_property("screenshots", str(screenshots))
    record_property("notebook_run", f"{name}: {elapsed:.0f} s, {screens} screens, {found['tables']} tables")
    assert not found["stderr"], f"{name}: error or stderr output: {found['stderr'][:3]}"
    assert not found["math"], f"{name}: MathJax typeset text in an output: {found['math'][:3]}"
    assert not found["wide"], f"{name}: tables wider than their output area: {found['wide'][:3]}"
    assert found["tables"] > 0


def _use_the_explorer(page, folder: Path) -> None:
    """Click a category in the first task view; pick a category in the widget browser."""
    view = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .drdata-task").first
    radio = view.locator("input[type=radio][value='missing_environment_suffix']")
    if radio.count():
        radio.check()
        page.wait_for_timeout(300)
        shown = view.evaluate("""v => [...v.querySelectorAll('tr.drt-f')].filter(e => e.offsetParent !== null)
                                       .map(e => e.className)""")
        assert shown and all("c-missing_environment_suffix" in c for c in shown), shown[:5]
        view.scroll_into_view_if_needed()
        page.screenshot(path=str(folder / "05_explore_tasks-filter.png"))
    select = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .widget-dropdown select").first
    select.select_option(label="Incomplete Tagging")
    page.wait_for_timeout(4000)
    select.scroll_into_view_if_needed()
    page.screenshot(path=str(folder / "05_explore_tasks-browser.png"))
    out = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .widget-html .drdata-task")
    assert out.count() >= 1
