"""Sector texts and LinkedIn industries on the pages: the Upload preview's sector section and
the Data page's mapping editor. Thin: every decision is :mod:`ssi_bench.sectors`'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from ssi_bench import industries
from ssi_bench.errors import SSIBenchError
from ssi_bench.sectors import NOT_AN_INDUSTRY
from ssi_bench.web.viewer import acting


def _industry_options() -> list[str]:
    """Every LinkedIn industry as "label (id)", by label: the mapping editor's choices."""
    return sorted(f"{i.label} ({i.id})" for i in industries.taxonomy().all() if not i.synthetic)


def _id_of(option: str) -> int:
    return int(option.rsplit("(", 1)[1].rstrip(")"))


def render_preview_sectors(preview: Any, key: str, bench: Any | None = None) -> None:
    """Per distinct sector of the file: the LinkedIn industry it will be stored as, or
    "not a LinkedIn industry — kept as written" with the three closest to pick from (the
    pick is remembered for this and later uploads when ``bench`` is given)."""
    if not preview.sectors:
        return
    st.caption("Sectors → LinkedIn industries")
    frame = pd.DataFrame(
        {
            "sector in the file": [s.text for s in preview.sectors],
            "rows": [s.rows for s in preview.sectors],
            "stored as": [s.stored_as if s.industry else NOT_AN_INDUSTRY for s in preview.sectors],
            "closest industries": [
                ", ".join(label for _, label, _ in s.suggestions) for s in preview.sectors
            ],
        }
    )
    st.dataframe(frame, hide_index=True, key=f"{key}_sectors")
    if bench is None:
        return
    for i, s in enumerate(s for s in preview.sectors if s.industry is None):
        options = [f"{label} ({ind})" for ind, label, _ in s.suggestions]
        c1, c2 = st.columns([3, 1])
        pick = c1.selectbox(f"{s.text} is", options, key=f"{key}_pick_{i}")
        if c2.button("Remember", key=f"{key}_remember_{i}") and pick:
            _map(bench, s.text, _id_of(pick))


def _map(bench: Any, text: str, industry_id: int) -> None:
    try:
        with acting():  # the audit log names the signed-in admin (hashed), never the text
            change = bench.map_sector(text, industry_id)
    except SSIBenchError as exc:
        st.error(str(exc))
        return
    new = change.to_dict()["new_industry"]
    st.success(f"{text!r} → {new}: {change.rows_refiled} rows re-filed.")


def render_sector_admin(bench: Any) -> None:
    """The Data page's mapping editor: stored sectors, remembered mappings, map and undo."""
    st.subheader("Sectors and LinkedIn industries")
    rows = bench.stored_sectors()
    if rows:
        st.dataframe(
            pd.DataFrame(
                {
                    "sector": [r.sector for r in rows],
                    "LinkedIn industry": [
                        "yes" if r.industry_id is not None else "kept as written" for r in rows
                    ],
                    "rows": [r.rows for r in rows],
                    "people": [r.people for r in rows],
                }
            ),
            hide_index=True,
            key="sectors_admin_table",
        )
    with st.form("sectors_admin_map"):
        text = st.text_input("Sector text", key="sectors_admin_text")
        target = st.selectbox("means the LinkedIn industry", _industry_options(),
                              key="sectors_admin_industry")  # fmt: skip
        if st.form_submit_button("Map and re-file") and text and target:
            _map(bench, text, _id_of(target))
    if st.button("Undo the latest mapping change", key="sectors_admin_undo"):
        try:
            with acting():
                undone = bench.undo_sector()
            st.success(f"Mapping of {undone.text!r} undone: {undone.rows_refiled} rows put back.")
        except SSIBenchError as exc:
            st.error(str(exc))


def show_linkedin_wide(get: Callable[[], Any]) -> None:
    """The LinkedIn-wide sentence of a standing or My benchmark result, when it has one
    ("LinkedIn-wide: about Top 12% of sales professionals in …"); nothing otherwise, also
    when ``get`` raises a known error (the page shows its own answer for that)."""
    try:
        wide = get().linkedin_industry
    except SSIBenchError:
        return
    if wide:
        st.info(wide["display"])
