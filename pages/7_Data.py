"""Data (admin): uploads and undo, erasure, demo removal, exports, share links, settings."""

import streamlit as st

from ssi_bench import ui
from ssi_bench.errors import SSIBenchError

bench = ui.page_setup("Data", ":material/database:")
st.title("Data")
ui.require_admin()
ui.show_flash()

# --- uploads ------------------------------------------------------------------------------
st.header("Uploads")
try:
    uploads = bench.uploads()
except SSIBenchError as exc:
    ui.show_error(exc)
    uploads = []
if not uploads:
    st.info("No uploads yet.")
else:
    st.dataframe(ui.uploads_frame(uploads), hide_index=True, key="uploads_table")
    with st.form("undo_form"):
        upload_id = st.selectbox(
            "Undo upload",
            [u.upload_id for u in uploads],
            format_func=lambda i: f"#{i}",
            key="undo_id",
        )
        sure = st.checkbox(
            "I understand: this removes the upload's rows and restores what it replaced",
            key="undo_confirm",
        )
        undo = st.form_submit_button("Undo upload", type="primary", key="undo_submit")
        if undo and ui.assert_admin():
            if not sure:
                st.warning("Tick the box to confirm.")
            else:
                try:
                    removed = bench.undo(int(upload_id or 0))
                    ui.flash(f"Upload #{upload_id} undone: {removed:,} score rows removed.")
                except SSIBenchError as exc:
                    ui.show_error(exc)

# --- erase ---------------------------------------------------------------------------------
st.header("Erase a person")
st.caption(
    "Deletes every score, outcome and share link of the person behind an identifier (the "
    "identifier is hashed with the same key; it is not stored)."
)
with st.form("erase_form", clear_on_submit=True):
    identifier = st.text_input("Identifier to erase", type="password", key="erase_identifier")
    sure = st.checkbox("I understand: this cannot be undone", key="erase_confirm")
    if st.form_submit_button("Erase", type="primary", key="erase_submit") and ui.assert_admin():
        if not identifier.strip():
            st.warning("Type the identifier.")
        elif not sure:
            st.warning("Tick the box to confirm.")
        else:
            try:
                ui.flash(f"Erased: {bench.erase(identifier):,} rows deleted.")
            except SSIBenchError as exc:
                ui.show_error(exc)

# --- demo ----------------------------------------------------------------------------------
st.header("Demo data")
s = ui.status()
if s.is_demo:
    st.warning(
        f"{s.demo_rows:,} rows of synthetic demo data are loaded.", icon=":material/science:"
    )
    if st.button("Remove demo data", key="remove_demo", type="primary") and ui.assert_admin():
        try:
            ui.flash(f"Demo data removed: {bench.remove_demo():,} rows.")
        except SSIBenchError as exc:
            ui.show_error(exc)
else:
    st.text("No demo data loaded.")
    if s.is_empty and st.button("Load demo data", key="load_demo") and ui.assert_admin():
        try:
            result = bench.load_demo()
            ui.flash(f"Demo data loaded: {result.rows_accepted:,} rows.")
        except SSIBenchError as exc:
            ui.show_error(exc)

# --- export --------------------------------------------------------------------------------
st.header("Export published benchmarks")
st.caption("Aggregated, gated quantiles only: never a person's row. CSV is formula-safe.")
c1, c2 = st.columns(2)
fmt = c1.selectbox("Format", ["csv", "parquet"], format_func=str.upper, key="export_fmt")
kind = c2.selectbox(
    "Cohorts",
    [None, "sector", "network", "all"],
    format_func=lambda k: {
        None: "All kinds",
        "sector": "Sectors",
        "network": "Networks",
        "all": "Everyone",
    }[k],
    key="export_kind",
)
if not s.is_empty:
    try:
        st.download_button(
            f"Download benchmarks ({fmt.upper()})",
            bench.export_benchmarks(fmt, kind),
            file_name=f"ssi-bench-benchmarks.{fmt}",
            mime="text/csv" if fmt == "csv" else "application/octet-stream",
            key="export_download",
            on_click="ignore",
        )
    except SSIBenchError as exc:
        ui.show_error(exc)

# --- shares --------------------------------------------------------------------------------
st.header("Active share links")
try:
    shares = bench.shares_active()
except SSIBenchError as exc:
    ui.show_error(exc)
    shares = []
if not shares:
    st.text("No active share links.")
else:
    st.dataframe(ui.shares_frame(shares), hide_index=True, key="shares_table")
    with st.form("revoke_form"):
        share_id = st.selectbox(
            "Revoke link", ui.share_ids(shares), format_func=lambda i: f"#{i}", key="revoke_id"
        )
        if st.form_submit_button("Revoke", key="revoke_submit") and ui.assert_admin():
            try:
                if bench.share_revoke(int(share_id or 0)):
                    ui.flash(f"Share link #{share_id} revoked.")
                else:
                    st.warning(f"Share link #{share_id} was not active.")
            except SSIBenchError as exc:
                ui.show_error(exc)

# --- settings ------------------------------------------------------------------------------
st.header("Settings in force")
settings_table = ui.settings_frame(bench.settings)
st.dataframe(
    settings_table, hide_index=True, key="settings_table", height=36 * (len(settings_table) + 1)
)
