"""The README documents every command, and its two set-up commands are the ones CI runs."""

import re
from pathlib import Path

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_appears_in_the_readme():
    missing = [name for name in cli.commands if f"botjobs {name}" not in README]
    assert not missing, f"not documented in README.md: {missing}"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.+?)\n```", README)
    assert blocks[1] in ci  # the second set-up command is the test command, verbatim
    assert "run --offline" in blocks[0]
