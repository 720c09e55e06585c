import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY_MODEL = os.path.join(ROOT, "tests", "data", "tiny_model")
EXAMPLES = os.path.join(ROOT, "examples", "feedback.jsonl")


def fankui_bin():
    """The CLI binary built by cargo (debug or release), or None."""
    for profile in ("release", "debug"):
        path = os.path.join(ROOT, "target", profile, "fankui")
        if os.path.exists(path):
            return path
    return shutil.which("fankui")


@pytest.fixture(scope="session")
def cli():
    path = fankui_bin()
    if path is None:
        subprocess.run(["cargo", "build", "--quiet"], cwd=ROOT, check=True)
        path = fankui_bin()
    return path


@pytest.fixture(scope="session")
def tiny():
    import fankui

    return fankui.Analyzer(model=TINY_MODEL)


@pytest.fixture(scope="session")
def default_analyzer():
    import fankui

    return fankui.Analyzer()
