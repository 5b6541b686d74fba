"""RESULTS.md: one benchmark group rewrites its own section and keeps every other line."""

from __future__ import annotations

from benchmarks.__main__ import merge_section

OLD = "# Benchmark results\n\n| a | 1 |\n\n## Mine\n\nold row\n\n## Page speed\n\n| p | 2 |\n"


def test_a_section_is_replaced_in_place_and_the_other_sections_are_kept(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text(OLD)
    merge_section(path, "Mine", "## Mine\n\nnew row\n")
    assert path.read_text() == (
        "# Benchmark results\n\n| a | 1 |\n\n## Mine\n\nnew row\n\n## Page speed\n\n| p | 2 |\n"
    )


def test_a_missing_section_is_appended_and_a_missing_file_created(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n| a | 1 |\n")
    merge_section(path, "Mine", "## Mine\n\nrow\n")
    assert path.read_text() == "# Benchmark results\n\n| a | 1 |\n\n## Mine\n\nrow\n"
    fresh = tmp_path / "new.md"
    merge_section(fresh, "Mine", "## Mine\n\nrow\n")
    assert fresh.read_text() == "## Mine\n\nrow\n"
