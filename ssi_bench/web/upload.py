"""Upload: preview how a file is read, then import it explicitly (admin)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from ssi_bench.errors import SSIBenchError
from ssi_bench.model import (
    LABEL_MAX_CHARS,
    IngestOptions,
    IngestResult,
    Preview,
    Reject,
    UploadInfo,
)
from ssi_bench.web.admin import assert_admin, require_admin
from ssi_bench.web.format import safe_md
from ssi_bench.web.links_admin import create_links, offer_download, upload_people
from ssi_bench.web.sectors_admin import render_preview_sectors
from ssi_bench.web.state import get_bench
from ssi_bench.web.viewer import acting

#: Keys of the "Values for the whole file" widgets (read before the expander is drawn, so
#: that it can open itself when a file needs them).
WHOLE_FILE_KEY = "up_whole_file"
#: Words in a refusal that point at the "Values for the whole file" fields.
_WHOLE_FILE_WORDS = ("for the whole file", "choose the date order")
DATE_ORDERS: dict[str | None, str] = {
    None: "Detect",
    "dmy": "Day first (31/12/2026)",
    "mdy": "Month first (12/31/2026)",
    "ymd": "Year first (2026-12-31)",
}


def error_text(message: object) -> None:
    """An error built from user input (file names, header cells, values) shown as text:
    escaped with :func:`safe_md`, so markdown or HTML in it is displayed, never rendered."""
    st.error(safe_md(message), icon=":material/error:")


def whole_file_options(label: str) -> IngestOptions:
    """The options as the "Values for the whole file" widgets hold them (session state)."""
    state = st.session_state
    person = state.get("up_person") or None
    return IngestOptions(
        person=person,
        sector=(state.get("up_sector") or "").strip() or None,
        network=(state.get("up_network") or "").strip() or None,
        date_order=state.get("up_date_order"),
        date=state.get("up_date"),
        strict=bool(state.get("up_strict", False)),
        label=label,
    )


def needs_whole_file(previews: Sequence[tuple[str, Preview | str]]) -> bool:
    """Whether a file was refused for want of a value for the whole file."""
    return any(isinstance(p, str) and any(w in p for w in _WHOLE_FILE_WORDS) for _, p in previews)


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
    label = st.text_input(
        "Label for this upload (optional)",
        key="up_label",
        max_chars=LABEL_MAX_CHARS,
        placeholder="e.g. Sales team, November export",
        help="Shown on the Data page. The file name is never stored: it often names a person.",
    )
    files = [(f.name, f.getvalue()) for f in uploaded or []]

    # The previews are made before the whole-file fields are drawn, from the values those
    # fields hold, so that the fields open themselves when a file cannot be read without
    # them (a hint must point at something visible).
    previews = preview_files(files, whole_file_options(label)) if files else []
    pasted = bool(str(st.session_state.get("paste_text") or "").strip())
    if (needs_whole_file(previews) or pasted) and not st.session_state.get(WHOLE_FILE_KEY):
        st.session_state[WHOLE_FILE_KEY] = True

    with st.expander("Values for the whole file (optional)", key=WHOLE_FILE_KEY, on_change="rerun"):
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
            list(DATE_ORDERS),
            format_func=DATE_ORDERS.__getitem__,
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
        label=label,
    )

    if files:
        st.subheader("Preview — nothing is written yet")
        previews = preview_files(files, options)
        importable = 0
        for i, (name, preview) in enumerate(previews):
            st.text(f"File: {name}")
            if isinstance(preview, str):
                hint = (
                    ' Give it under "Values for the whole file" above.'
                    if needs_whole_file([(name, preview)])
                    else ""
                )
                error_text(preview + hint)
                continue
            importable += preview.rows_valid
            render_preview(preview, key=f"preview_{i}")
        fingerprint = upload_fingerprint(files, options)
        imported: dict[str, IngestResult] = st.session_state.get("imported", {})
        done = fingerprint in imported
        earlier = [] if done else earlier_uploads(files)
        again = False
        if earlier:
            render_earlier(earlier)
            again = st.checkbox(
                "Import it again anyway (a new upload; rows already stored stay as they are)",
                key="up_reimport",
            )
        # sectors_admin (sector mapping) adds its one line here.
        make_links = st.checkbox(
            "Create private links for everyone in this upload",
            key="up_links",
            help="One link per person (for colleagues without single sign-on), offered once "
            "as an identifier,link CSV after the import; only a hash of each link is kept.",
        )
        if done:
            st.caption("Imported. Choose another file (or other values) to import again.")
        if st.button(
            f"Import {importable:,} valid rows",
            type="primary",
            key="import_button",
            disabled=importable == 0 or done or (bool(earlier) and not again),
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
                        error_text(exc)
                        st.stop()
                st.rerun()  # redraw with the new data (sidebar status); the result shows below
        elif done:
            render_ingest_result(imported[fingerprint])
        offer_download("upload")

    st.divider()
    st.subheader("Paste your SSI page")
    st.caption(
        "Open linkedin.com/sales/ssi, select all, copy, and paste here. The page names neither "
        'the person nor the sector: give them under "Values for the whole file" above (it '
        "opens once text is pasted). The date is today unless you set one there."
    )
    text = st.text_area("LinkedIn SSI page text", key="paste_text", height=160)
    if text.strip():
        paste_fp = upload_fingerprint([("paste", text.encode())], options)
        paste_done = paste_fp in st.session_state.get("imported", {})
        c1, c2 = st.columns(2)
        if c1.button("Preview pasted page", key="paste_preview"):
            try:
                render_preview(bench.preview_text(text, options), key="paste_prev")
            except SSIBenchError as exc:
                error_text(exc)
        if c2.button("Import pasted page", key="paste_import", type="primary", disabled=paste_done):
            result = import_once(
                paste_fp, lambda progress: bench.ingest_text(text, options, progress=progress)
            )
            if result is not None:
                st.rerun()
        if paste_done:
            render_ingest_result(st.session_state["imported"][paste_fp], key="paste_result")


def earlier_uploads(files: Sequence[tuple[str, bytes]]) -> list[UploadInfo]:
    """Stored uploads of these same bytes: of the set of files as a whole, or of any one of
    them uploaded alone before (same SHA-256), newest first, without repeats."""
    bench = get_bench()
    shas = [bench.upload_sha256(files)]
    if len(files) > 1:
        shas += [bench.upload_sha256([f]) for f in files]
    seen: dict[int, UploadInfo] = {}
    for sha in shas:
        for u in bench.earlier_uploads(sha):
            seen.setdefault(u.upload_id, u)
    return sorted(seen.values(), key=lambda u: -u.upload_id)


def earlier_text(upload: UploadInfo) -> str:
    """ "as #3 on 2026-11-02 14:05, label “Sales”" (no label: "without a label")."""
    when = upload.uploaded_at.strftime("%Y-%m-%d %H:%M")
    label = f"label “{upload.label}”" if upload.label else "without a label"
    return f"as #{upload.upload_id} on {when} UTC, {label}"


def render_earlier(earlier: Sequence[UploadInfo]) -> None:
    """The warning that these bytes were imported before (labels shown as text)."""
    first, rest = earlier[0], earlier[1:]
    message = f"This file was already uploaded {earlier_text(first)}"
    if rest:
        message += "; also " + "; ".join(earlier_text(u) for u in rest)
    message += (
        ". Importing it again makes a new upload that changes no stored row; tick the box "
        "below to do it anyway."
    )
    st.warning(safe_md(message), icon=":material/content_copy:")


def rejects_frame(rejects: Sequence[Reject], limit: int | None = None) -> pd.DataFrame:
    """Reject report as a table: file (several files only), line, field, reason, then the
    row's cells under their headers (person values are already masked by the library)."""
    shown = rejects if limit is None else rejects[:limit]
    fixed = ["file", "line", "field", "reason"]
    headers: list[str] = []
    for r in shown:
        headers.extend(h for h in r.cells if h not in headers)
    named = {h: (f"cell: {h}" if h in fixed else h) for h in headers}
    frame = pd.DataFrame(
        {
            "file": [r.file or "" for r in shown],
            "line": [r.line for r in shown],
            "field": [r.field for r in shown],
            "reason": [r.reason for r in shown],
            **{named[h]: [r.cells.get(h, "") for r in shown] for h in headers},
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
    """How a file was read (encoding, separator, decimal mark, date order — each said once),
    the column mapping, a masked sample of the parsed rows, what the file holds, rejects."""
    sep = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
        preview.delimiter or "", preview.delimiter or "—"
    )
    c = st.columns(5)
    c[0].metric("Rows read", f"{preview.rows_read:,}")
    c[1].metric("Valid rows", f"{preview.rows_valid:,}")
    c[2].metric("Rejected", f"{len(preview.rejects):,}")
    c[3].metric("Encoding", preview.encoding)
    c[4].metric("Layout", preview.layout)
    read_as = [f"Decimal mark: {'comma' if preview.decimal == ',' else 'point'}"]
    if preview.delimiter is not None:
        read_as.insert(0, f"Separator: {sep}")
    read_as.append(f"Date order: {preview.date_order_text}")
    st.text("    ".join(read_as))
    for note in preview.notes:
        st.text(note)

    summary = preview.summary
    st.caption("What the valid rows hold")
    s = st.columns(4)
    s[0].metric("People", f"{summary.people:,}")
    s[1].metric("Dates", f"{len(summary.dates):,}")
    s[2].metric("Sectors", f"{len(summary.sectors):,}")
    s[3].metric("Networks", f"{len(summary.networks):,}")
    if summary.dates:
        span = summary.dates[0] if len(summary.dates) == 1 else (
            f"{summary.dates[0]} to {summary.dates[-1]}"
        )  # fmt: skip
        st.text(f"Snapshot dates: {span}")
    t1, t2 = st.columns(2)
    if summary.sectors:
        t1.dataframe(
            pd.DataFrame(
                {"sector": list(summary.sectors), "people": list(summary.sectors.values())}
            ),
            hide_index=True,
            key=f"{key}_sectors",
        )
    if summary.networks:
        t2.dataframe(
            pd.DataFrame(
                {"network": list(summary.networks), "people": list(summary.networks.values())}
            ),
            hide_index=True,
            key=f"{key}_networks",
        )

    if preview.sample:
        st.caption(f"First {len(preview.sample)} rows as read (the person is masked)")
        st.dataframe(pd.DataFrame(preview.sample), hide_index=True, key=f"{key}_sample")
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
        st.caption(
            f"Rows that would be rejected (first {min(len(preview.rejects), 200)}), with their "
            "cells (the person is masked)"
        )
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
        error_text(exc)
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
        st.caption("Rejected rows with their cells, to fix and upload again (the person is masked)")
        st.dataframe(rejects_frame(result.rejects), hide_index=True, key=f"{key}_rejects")
        st.download_button(
            "Download the reject report (CSV)",
            get_bench().rejects_csv(list(result.rejects)),
            file_name=f"rejects-upload-{result.upload_id}.csv",
            mime="text/csv",
            key=f"{key}_download",
            on_click="ignore",
        )
