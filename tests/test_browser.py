"""JupyterLab as a learner uses it: a real (headless) Chromium opens notebook 00 and runs its first cells, and
answers a quiz question by clicking.

The test starts JupyterLab on a free localhost port (token authentication, news and update checks off,
settings and runtime files in a temporary folder), opens a copy of ``notebooks/00_setup.ipynb`` with its
outputs cleared, runs the first cells with Shift+Enter as a learner does, and checks that the outputs the
kernel produced appear on the page: the installed versions and this machine's cores. A second test opens a
notebook with one quiz cell, runs it, clicks a wrong answer and *Check*, then the right one, and reads the
feedback on the page. Each saves a screenshot and the text it read under ``build/browser/`` and shuts the
server down.

The browser is Debian's ``chromium`` driven through its ``chromedriver`` by Selenium; nothing is
downloaded. ``make test`` installs both when running as root (``make browser-deps``); without root and
without them the test skips and says how to install them.
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
import urllib.error
import urllib.request
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "00_setup.ipynb"
ARTIFACTS = ROOT / "build" / "browser"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1100",
)
# Cells from the top of notebook 00 up to the hardware cell: title, navigation, the install cell, parameters,
# imports, the versions, the hardware (with their markdown). Shift+Enter on each runs or renders it.
_CELLS = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
FIRST_CELLS = 1 + next(index for index, cell in enumerate(_CELLS) if "hardware_lines()" in "".join(cell["source"]))
FIRST_CODE_CELLS = sum(cell["cell_type"] == "code" for cell in _CELLS[:FIRST_CELLS])
STARTUP_SECONDS = 180  # a shared, busy CI machine can take this long to start the server and the kernel


def _browser_binaries() -> tuple[str, str]:
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium and chromedriver:
        return chromium, chromedriver
    installable = hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")
    fix = "apt-get install chromium chromium-driver (Debian packages; `make browser-deps` does it as root)"
    if not installable:
        pytest.skip(f"Chromium or chromedriver is missing and cannot be installed without root: {fix}.")
    pytest.fail(f"Chromium or chromedriver is missing although this machine could install them: {fix}.", pytrace=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _api(base_url: str, token: str, path: str, method: str = "GET") -> int:
    request = urllib.request.Request(f"{base_url}{path}", method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


class LabServer:
    """A JupyterLab server started for one test, on its own port, token and settings."""

    def __init__(self, root_dir: Path, workdir: Path) -> None:
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "jupyterlab.log"
        settings = workdir / "lab-settings"
        notification_settings = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notification_settings.parent.mkdir(parents=True)
        notification_settings.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={root_dir}",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={workdir / 'workspaces'}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        environment = dict(
            os.environ,
            JUPYTER_CONFIG_DIR=str(workdir / "config"),
            JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
            JUPYTER_PREFER_ENV_PATH="1",
        )
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=environment)

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"JupyterLab exited with {self.process.returncode}:\n{self.log()}", pytrace=False)
            try:
                if _api(self.base_url, self.token, "/api/status") == 200:
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        pytest.fail(f"JupyterLab did not answer within {STARTUP_SECONDS} s:\n{self.log()}", pytrace=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def shut_down(self) -> None:
        """Shut the server down through its API (it stops its kernels too); kill it if it does not exit."""
        try:
            if self.process.poll() is None:
                _api(self.base_url, self.token, "/api/shutdown", method="POST")
            self.process.wait(timeout=30)
        except (urllib.error.URLError, ConnectionError, TimeoutError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=30)
        finally:
            self._log.close()


def _serve(tmp_path: Path, notebook: nbformat.NotebookNode, name: str) -> Iterator[LabServer]:
    """JupyterLab serving ``notebook`` (as ``name``) from a folder of its own, until the test ends."""
    served = tmp_path / "notebooks"
    served.mkdir()
    nbformat.write(notebook, served / name)
    server = LabServer(served, tmp_path)
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.shut_down()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[LabServer]:
    """JupyterLab serving a copy of notebook 00 without its outputs (what appears comes from this run)."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    yield from _serve(tmp_path, notebook, NOTEBOOK.name)


QUIZ_NOTEBOOK = "quiz.ipynb"


@pytest.fixture
def quiz_lab(tmp_path: Path) -> Iterator[LabServer]:
    """JupyterLab serving a notebook with one quiz question, as the chapter notebooks ask them."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import hfcourse"),
        nbformat.v4.new_code_cell('hfcourse.quiz("ch1-2")'),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    yield from _serve(tmp_path, notebook, QUIZ_NOTEBOOK)


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Headless Debian Chromium through its chromedriver (Selenium never downloads a browser here)."""
    chromium, chromedriver = _browser_binaries()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is not installed: run `make install` (it is in requirements.lock).", pytrace=False)
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager, were it asked, must not download anything
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    service = Service(executable_path=chromedriver, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def _kernel_status(page) -> str:
    """The status bar's kernel item, e.g. "Python 3 (ipykernel) | Idle"."""
    from selenium.webdriver.common.by import By

    status_bar = page.find_element(By.CSS_SELECTOR, ".jp-StatusBar-Widget").text
    return next((line for line in status_bar.splitlines() if " | " in line), "")


def _outputs_text(page) -> str:
    from selenium.webdriver.common.by import By

    return "\n".join(element.text for element in page.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output"))


def _open_and_run_cells(browser, lab: LabServer, name: str, cells: int) -> str:
    """Open notebook ``name``, wait for its kernel, run its first ``cells`` cells with Shift+Enter as a learner
    does; return the kernel's name from the status bar."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, STARTUP_SECONDS)
    browser.get(f"{lab.base_url}/lab/tree/{name}?token={lab.token}")
    # The notebook is loaded (all its cells rendered) and its kernel started: the status bar says "Idle".
    wait.until(lambda page: len(page.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")) >= cells)
    wait.until(lambda page: _kernel_status(page).endswith("| Idle"))
    kernel = _kernel_status(browser)
    browser.find_element(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell").click()  # select the first cell
    ActionChains(browser).send_keys(Keys.ESCAPE).perform()  # command mode: Shift+Enter runs and moves on
    for _ in range(cells):
        ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    return kernel


def test_notebook_00_runs_in_jupyterlab_in_a_real_browser(browser, lab):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "00_setup.png"
    wait = WebDriverWait(browser, STARTUP_SECONDS)
    try:
        kernel = _open_and_run_cells(browser, lab, NOTEBOOK.name, FIRST_CELLS)
        wait.until(lambda page: "CPU cores:" in _outputs_text(page))
        page_text = _outputs_text(browser)
        prompts = [element.text for element in browser.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputPrompt")]
    finally:
        browser.save_screenshot(str(screenshot))
    (ARTIFACTS / "00_setup.txt").write_text(f"kernel: {kernel}\nprompts: {prompts}\n\n{page_text}\n")

    assert kernel.startswith("Python 3"), kernel
    for library in ("torch", "transformers", "datasets", "accelerate"):
        line = next((line for line in page_text.splitlines() if line.split()[:1] == [library]), None)
        assert line is not None and line.split()[1] == metadata.version(library), (library, page_text)
    cores = os.cpu_count()
    assert f"CPU cores:   {cores} (" in page_text or f"CPU cores: {cores} (" in page_text, page_text
    assert prompts[:FIRST_CODE_CELLS] == [f"[{n}]:" for n in range(1, FIRST_CODE_CELLS + 1)], prompts  # in order
    assert "Error" not in page_text and "Traceback" not in page_text, page_text
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}\nkernel: {kernel}\nread from the page:\n{page_text}")


def test_a_quiz_question_answers_a_click_in_jupyterlab(browser, quiz_lab):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "quiz.png"
    wait = WebDriverWait(browser, STARTUP_SECONDS)
    readings = []
    try:
        _open_and_run_cells(browser, quiz_lab, QUIZ_NOTEBOOK, 2)
        wait.until(lambda page: page.find_elements(By.CSS_SELECTOR, ".widget-radio-box label"))

        def answer(text: str) -> str:
            """Click the answer that contains ``text``, then Check; return the feedback shown."""
            label = next(
                label
                for label in browser.find_elements(By.CSS_SELECTOR, ".widget-radio-box label")
                if text in label.text
            )
            label.click()
            browser.find_element(By.XPATH, "//button[normalize-space()='Check']").click()
            wait.until(lambda page: _feedback(page) and _feedback(page) not in readings)
            readings.append(_feedback(browser))
            return readings[-1]

        def _feedback(page) -> str:
            shown = [
                element.text
                for element in page.find_elements(By.CSS_SELECTOR, ".widget-html")
                if "Right" in element.text or "Not quite" in element.text
            ]
            return shown[-1] if shown else ""

        wrong = answer("<mask>")
        right = answer("[MASK]")
    finally:
        browser.save_screenshot(str(screenshot))
    (ARTIFACTS / "quiz.txt").write_text("\n---\n".join(readings) + "\n")
    assert wrong.startswith("❌ Not quite") and "RoBERTa" in wrong, wrong
    assert right.startswith("✅ Right.") and "tokenizer.mask_token" in right, right
    print(f"screenshot: {screenshot}\nfeedback read from the page:\n" + "\n---\n".join(readings))


@pytest.mark.parametrize(
    ("uid", "outcome"), [(1000, pytest.skip.Exception), (0, pytest.fail.Exception)], ids=["user-skips", "root-fails"]
)
def test_missing_browser_skips_only_where_it_cannot_be_installed(monkeypatch, uid, outcome):
    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name: None if name in ("chromium", "chromedriver") else real_which(name)
    )
    monkeypatch.setattr(os, "geteuid", lambda: uid)
    if uid == 0 and real_which("apt-get") is None:
        outcome = pytest.skip.Exception  # root, but no apt-get to install Debian's packages with
    with pytest.raises(outcome, match="apt-get install chromium chromium-driver"):
        _browser_binaries()
