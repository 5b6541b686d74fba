"""Upload: preview how a file is read, then import it explicitly (admin)."""

import streamlit as st

from ssi_bench import ui
from ssi_bench.errors import SSIBenchError
from ssi_bench.model import IngestOptions

bench = ui.page_setup("Upload", ":material/upload:")
st.title("Upload scores")
ui.require_admin()

settings = bench.settings
st.markdown(
    "CSV, TSV, TXT, Excel (.xlsx) or JSON exports, in any common encoding, with `,` `;` tab "
    "or `|` separators and decimal points or commas. Identifiers are hashed on import and "
    f"never stored. At most {settings.max_upload_mb:,} MB and {settings.max_rows:,} rows per file."
)

uploaded = st.file_uploader(
    "Score files",
    type=ui.UPLOAD_TYPES,
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
    date_order=date_order,
    date=date,
    strict=strict,
)

files = [(f.name, f.getvalue()) for f in uploaded or []]
if files:
    st.subheader("Preview — nothing is written yet")
    previews = ui.preview_files(files, options)
    importable = 0
    for i, (name, preview) in enumerate(previews):
        st.text(f"File: {name}")
        if isinstance(preview, str):
            st.error(preview)
            continue
        importable += preview.rows_valid
        ui.render_preview(preview, key=f"preview_{i}")
    fingerprint = ui.upload_fingerprint(files, options)
    if st.button(
        f"Import {importable:,} valid rows",
        type="primary",
        key="import_button",
        disabled=importable == 0,
    ):
        already = fingerprint in st.session_state.get("imported", {})
        result = ui.import_once(
            fingerprint, lambda progress: bench.ingest_files(files, options, progress)
        )
        if result is not None and already:
            ui.render_ingest_result(result)
        elif result is not None:
            st.rerun()  # redraw with the new data (sidebar status); the result shows below
    elif fingerprint in st.session_state.get("imported", {}):
        ui.render_ingest_result(st.session_state["imported"][fingerprint])

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
            ui.render_preview(bench.preview_text(text, options), key="paste_prev")
        except SSIBenchError as exc:
            ui.show_error(exc)
    if c2.button("Import pasted page", key="paste_import", type="primary"):
        paste_fp = ui.upload_fingerprint([("paste", text.encode())], options)
        result = ui.import_once(
            paste_fp, lambda progress: bench.ingest_text(text, options, progress=progress)
        )
        if result is not None:
            ui.render_ingest_result(result, key="paste_result")
