"""The README is part of the product: these fail when it falls behind the code."""

from __future__ import annotations

import re
from pathlib import Path

from ssi_bench.cli import build_parser
from ssi_bench.config import DEFAULT_DB, PROJECT_ROOT, SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)  # type: ignore[arg-type]


def test_every_cli_command_is_documented_in_the_readme():
    for command in _commands():
        assert re.search(rf"^\| `{command}\b", README, re.MULTILINE), command


def test_every_option_of_every_command_is_documented():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():  # type: ignore[union-attr]
        for action in p._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag not in ("--help", "--json"):
                    assert flag in README, f"{name} {flag}"


def test_readme_settings_table_matches_the_settings_declared_in_code():
    table = README.split("<!-- settings-table -->")[1].split("<!-- /settings-table -->")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(SETTINGS)
    for s, row in zip(SETTINGS, rows, strict=True):
        assert row.startswith(f"| `{s.env}` |"), row
        assert s.help in row, s.env
        if s.name == "db_path":
            assert str(DEFAULT_DB.relative_to(PROJECT_ROOT)) in row
        elif s.default is None:
            assert "| unset |" in row
        else:
            assert f"`{s.default}`" in row


def test_every_page_is_named_in_the_readme():
    root = Path(__file__).resolve().parent.parent
    for page in sorted((root / "pages").glob("*.py")):
        title = page.stem.split("_", 1)[1].replace("_", " ")
        assert f"**{title}**" in README or title in README, page.name


def test_the_ci_script_runs_exactly_the_readme_test_command():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "make test" in README
    assert re.search(r"^make test$", ci, re.MULTILINE)
