import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY_MODEL = os.path.join(ROOT, "tests", "data", "tiny_model")
EXAMPLES = os.path.join(ROOT, "examples", "feedback.jsonl")


@pytest.fixture(scope="session")
def cli():
    """The `fankui` CLI built from the same sources as the extension under test.

    `cargo build` (a no-op after `cargo test --all-targets`, as in scripts/test.sh) rather than
    whatever binary lies in target/: a stale binary would make "same output as the CLI" compare
    against old code. FANKUI_CLI names another binary to compare against instead.
    """
    explicit = os.environ.get("FANKUI_CLI")
    if explicit:
        return explicit
    subprocess.run(["cargo", "build", "--quiet", "--bin", "fankui"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "debug", "fankui")


@pytest.fixture(scope="session")
def tiny():
    import fankui

    return fankui.Analyzer(model=TINY_MODEL)


@pytest.fixture(scope="session")
def default_analyzer():
    import fankui

    return fankui.Analyzer()
