"""Upload: preview how a file is read, then import it explicitly (admin)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from ssi_bench.errors import SSIBenchError
from ssi_bench.model import IngestOptions, IngestResult, Preview, Reject
from ssi_bench.web.admin import assert_admin, require_admin
from ssi_bench.web.links_admin import create_links, offer_download, upload_people
from ssi_bench.web.sectors_admin import render_preview_sectors
from ssi_bench.web.state import get_bench, show_error
from ssi_bench.web.viewer import acting


def render() -> None:
    """The Upload page (after :func:`ssi_bench.web.frame.page_setup`)."""
    bench = get_bench()
    st.title("Upload scores")
    require_admin()

    settings = bench.settings
    st.markdown(
        "CSV, TSV, TXT, Excel (.xlsx) or JSON exports, in any common encoding, with `,` `;` tab "
        "or `|` separators and decimal points or commas. Identifiers are hashed on import and "
        f"never stored. At most {settings.max_upload_mb:,} MB and {settings.max_rows:,} rows "
        "per file."
    )

    uploaded = st.file_uploader(
        "Score files",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key="upload_files",
        max_upload_size=settings.max_upload_mb,
        help="Several files (e.g. daily captures) are imported together as one upload.",
    )

    with st.expander("Values for the whole file (optional)", expanded=False):
        c1, c2, c3 = st.columns(3)
        person = c1.text_input(
            "Person (for a personal history file without a person column)",
            type="password",
            key="up_person",
        )
        sector = c2.text_input("Sector (for a file without a sector column)", key="up_sector")
        network = c3.text_input("Network (team, company…)", key="up_network")
        c4, c5, c6 = st.columns(3)
        date_order = c4.selectbox(
            "Date order",
            [None, "dmy", "mdy", "ymd"],
            format_func=lambda o: {
                None: "Detect",
                "dmy": "Day first (31/12/2026)",
                "mdy": "Month first (12/31/2026)",
                "ymd": "Year first (2026-12-31)",
            }[o],
            key="up_date_order",
        )
        date = c5.date_input(
            "Snapshot date (files without dates)", value=None, key="up_date", format="YYYY-MM-DD"
        )
        strict = c6.checkbox("Strict: refuse the file if any row is bad", key="up_strict")

    options = IngestOptions(
        person=person or None,
        sector=sector.strip() or None,
        network=network.strip() or None,
        date_order=date_order,  # type: ignore[arg-type]  # one of the literal options above
        date=date,
        strict=strict,
    )

    files = [(f.name, f.getvalue()) for f in uploaded or []]
    if files:
        st.subheader("Preview — nothing is written yet")
        previews = preview_files(files, options)
        importable = 0
        for i, (name, preview) in enumerate(previews):
            st.text(f"File: {name}")
            if isinstance(preview, str):
                st.error(preview)
                continue
            importable += preview.rows_valid
            render_preview(preview, key=f"preview_{i}")
        fingerprint = upload_fingerprint(files, options)
        make_links = st.checkbox(
            "Create private links for everyone in this upload",
            key="up_links",
            help="One link per person (for colleagues without single sign-on), offered once "
            "as an identifier,link CSV after the import; only a hash of each link is kept.",
        )
        if st.button(
            f"Import {importable:,} valid rows",
            type="primary",
            key="import_button",
            disabled=importable == 0,
        ):
            already = fingerprint in st.session_state.get("imported", {})
            result = import_once(
                fingerprint, lambda progress: bench.ingest_files(files, options, progress)
            )
            if result is not None and already:
                render_ingest_result(result)
            elif result is not None:
                if make_links:
                    try:
                        people = upload_people(bench, files, options)
                        create_links(bench, people, bench.settings.link_days, result.upload_id)
                    except SSIBenchError as exc:
                        show_error(exc)
                        st.stop()
                st.rerun()  # redraw with the new data (sidebar status); the result shows below
        elif fingerprint in st.session_state.get("imported", {}):
            render_ingest_result(st.session_state["imported"][fingerprint])
        offer_download("upload")

    st.divider()
    st.subheader("Paste your SSI page")
    st.caption(
        "Open linkedin.com/sales/ssi, select all, copy, and paste here. Give the person and "
        "sector above (the page names neither); the date is today unless you set one."
    )
    text = st.text_area("LinkedIn SSI page text", key="paste_text", height=160)
    if text.strip():
        c1, c2 = st.columns(2)
        if c1.button("Preview pasted page", key="paste_preview"):
            try:
                render_preview(bench.preview_text(text, options), key="paste_prev")
            except SSIBenchError as exc:
                show_error(exc)
        if c2.button("Import pasted page", key="paste_import", type="primary"):
            paste_fp = upload_fingerprint([("paste", text.encode())], options)
            result = import_once(
                paste_fp, lambda progress: bench.ingest_text(text, options, progress=progress)
            )
            if result is not None:
                render_ingest_result(result, key="paste_result")


def rejects_frame(rejects: Sequence[Reject], limit: int | None = None) -> pd.DataFrame:
    """Reject report as a table (person values are already masked by the library)."""
    shown = rejects if limit is None else rejects[:limit]
    frame = pd.DataFrame(
        {
            "file": [r.file or "" for r in shown],
            "line": [r.line for r in shown],
            "field": [r.field for r in shown],
            "reason": [r.reason for r in shown],
        }
    )
    if not any(r.file for r in shown):
        frame = frame.drop(columns=["file"])
    return frame


# ---------------------------------------------------------------------------- upload
UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "json"]


def upload_fingerprint(files: Sequence[tuple[str, bytes]], options: IngestOptions) -> str:
    """SHA-256 over the files' names and contents and the options: what "the same import" is.

    The person value enters only through this one-way hash.
    """
    h = hashlib.sha256()
    for name, data in files:
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    h.update(repr(sorted(options.to_dict().items())).encode())
    h.update(hashlib.sha256((options.person or "").encode()).digest())
    return h.hexdigest()


def preview_files(
    files: Sequence[tuple[str, bytes]], options: IngestOptions
) -> list[tuple[str, Preview | str]]:
    """Preview of every file (or the error message that refuses it), remembered per session
    so a rerun does not read a large file again."""
    cache: dict[str, list[tuple[str, Preview | str]]] = st.session_state.setdefault(
        "preview_cache", {}
    )
    fp = upload_fingerprint(files, options)
    if fp not in cache:
        bench = get_bench()
        out: list[tuple[str, Preview | str]] = []
        for name, data in files:
            try:
                out.append((name, bench.preview(data, name, options)))
            except SSIBenchError as exc:
                out.append((name, str(exc)))
        cache.clear()  # keep one: previews can be large
        cache[fp] = out
    return cache[fp]


def render_preview(preview: Preview, key: str) -> None:
    """How a file was read: encoding, separator, decimal mark, date order, mapping, rejects."""
    sep = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
        preview.delimiter or "", preview.delimiter or "—"
    )
    c = st.columns(5)
    c[0].metric("Rows read", f"{preview.rows_read:,}")
    c[1].metric("Valid rows", f"{preview.rows_valid:,}")
    c[2].metric("Rejected", f"{len(preview.rejects):,}")
    c[3].metric("Encoding", preview.encoding)
    c[4].metric("Layout", preview.layout)
    order = {"dmy": "day first", "mdy": "month first", "ymd": "year first"}.get(
        preview.date_order or "", "—"
    )
    st.text(
        f"Separator: {sep}    Decimal mark: {'comma' if preview.decimal == ',' else 'point'}"
        f"    Date order: {order}"
    )
    for note in preview.notes:
        st.text(note)
    mapping = pd.DataFrame(
        {"field": list(preview.mapping), "read from column": list(preview.mapping.values())}
    )
    st.caption("Column mapping")
    st.dataframe(mapping, hide_index=True, key=f"{key}_mapping")
    if preview.ignored_columns:
        st.caption("Ignored columns (not used, not stored)")
        st.dataframe(
            pd.DataFrame({"column": preview.ignored_columns}),
            hide_index=True,
            key=f"{key}_ignored",
        )
    render_preview_sectors(preview, key, get_bench())
    if preview.rejects:
        st.caption(f"Rows that would be rejected (first {min(len(preview.rejects), 200)})")
        st.dataframe(rejects_frame(preview.rejects, 200), hide_index=True, key=f"{key}_rejects")


def import_once(
    fingerprint: str, run: Callable[[Callable[[float, str], None]], IngestResult]
) -> IngestResult | None:
    """Run an import with a progress bar unless this exact import already ran in the session.

    Returns the result (the earlier one when it already ran), or None on a refused file
    (the message is shown).
    """
    done: dict[str, IngestResult] = st.session_state.setdefault("imported", {})
    if fingerprint in done:
        st.info("This exact import already ran in this session; nothing was imported again.")
        return done[fingerprint]
    if not assert_admin():
        return None
    bar = st.progress(0.0, text="Starting")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    try:
        with acting():
            result = run(progress)
    except SSIBenchError as exc:
        bar.empty()
        show_error(exc)
        return None
    bar.progress(1.0, text="Done")
    done[fingerprint] = result
    st.session_state["last_import"] = result
    return result


def render_ingest_result(result: IngestResult, key: str = "result") -> None:
    """Counts, the reject report on screen, and the report as a formula-safe CSV."""
    st.success(f"Imported as upload #{result.upload_id}.", icon=":material/check_circle:")
    c = st.columns(5)
    c[0].metric("Read", f"{result.rows_read:,}")
    c[1].metric("Accepted", f"{result.rows_accepted:,}")
    c[2].metric("Rejected", f"{result.rows_rejected:,}")
    c[3].metric("New", f"{result.rows_new:,}")
    c[4].metric("Updated", f"{result.rows_updated:,}")
    if result.ignored_columns:
        st.caption("Ignored columns")
        st.dataframe(
            pd.DataFrame({"column": result.ignored_columns}), hide_index=True, key=f"{key}_ign"
        )
    if result.rejects:
        st.caption("Rejected rows (the person value is masked)")
        st.dataframe(rejects_frame(result.rejects), hide_index=True, key=f"{key}_rejects")
        st.download_button(
            "Download the reject report (CSV)",
            get_bench().rejects_csv(list(result.rejects)),
            file_name=f"rejects-upload-{result.upload_id}.csv",
            mime="text/csv",
            key=f"{key}_download",
            on_click="ignore",
        )
