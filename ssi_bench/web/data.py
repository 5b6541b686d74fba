"""Data (admin): uploads and undo, erasure, demo removal, exports, share links, settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from ssi_bench import audit, network_groups
from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.errors import SSIBenchError
from ssi_bench.model import BACKUPS_HOLDING_COMMAND, EraseResult, UploadInfo
from ssi_bench.web.admin import admin_password, assert_admin, require_admin
from ssi_bench.web.format import safe_md
from ssi_bench.web.links_admin import render_audit_log, render_links_admin
from ssi_bench.web.sectors_admin import render_sector_admin
from ssi_bench.web.state import flash, get_bench, show_flash, status
from ssi_bench.web.viewer import acting, current_viewer


def current_viewer_actor() -> str:
    viewer = current_viewer()
    return viewer.actor if viewer is not None else audit.UNKNOWN


def render() -> None:
    """The Data page (after :func:`ssi_bench.web.frame.page_setup`)."""
    bench = get_bench()
    st.title("Data")
    require_admin()
    show_flash()

    # --- uploads ------------------------------------------------------------------------------
    st.header("Uploads")
    try:
        uploads = bench.uploads()
    except SSIBenchError as exc:
        show_error_text(exc)
        uploads = []
    if st.session_state.pop(UNDO_RESET, False):
        # A fresh confirmation for every undo: nothing stays chosen or ticked after one.
        for key in ("undo_id", "undo_confirm"):
            st.session_state.pop(key, None)
    if not uploads:
        st.info("No uploads yet.")
    else:
        st.dataframe(uploads_frame(uploads), hide_index=True, key="uploads_table")
        with st.form("undo_form"):
            upload_id = st.selectbox(
                "Undo upload",
                [u.upload_id for u in uploads],
                index=None,
                placeholder="Choose an upload",
                format_func=lambda i: upload_choice(i, uploads),
                key="undo_id",
            )
            sure = st.checkbox(
                "I understand: this removes the upload's rows and restores what it replaced",
                key="undo_confirm",
            )
            undo = st.form_submit_button("Undo upload", type="primary", key="undo_submit")
            if undo and assert_admin():
                uid = -1 if upload_id is None else int(upload_id)  # -1: not run (missing)

                def undo_it() -> str:
                    removed = bench.undo(uid)
                    st.session_state[UNDO_RESET] = True
                    return f"Upload #{uid} undone: {removed:,} score rows removed."

                missing = "Choose the upload to undo." if upload_id is None else None
                run_confirmed(undo_it, sure, missing)

    # --- network groups -------------------------------------------------------------------------
    render_network_groups(bench)

    # --- erase ---------------------------------------------------------------------------------
    st.header("Erase a person")
    st.caption(
        "Deletes every score, outcome and share link of the person behind an identifier (the "
        "identifier is hashed with the same key; it is not stored)."
    )
    with st.form("erase_form", clear_on_submit=True):
        identifier = st.text_input("Identifier to erase", type="password", key="erase_identifier")
        sure = st.checkbox("I understand: this cannot be undone", key="erase_confirm")
        if st.form_submit_button("Erase", type="primary", key="erase_submit") and assert_admin():

            def erase_it() -> str:
                erased = bench.erase(identifier)
                st.session_state[ERASED_KEY] = erased
                return f"Erased: {erased.rows_deleted:,} rows deleted."

            run_confirmed(erase_it, sure, None if identifier.strip() else "Type the identifier.")
    erased_result = st.session_state.pop(ERASED_KEY, None)
    if isinstance(erased_result, EraseResult):
        render_erase_result(erased_result)

    # --- demo ----------------------------------------------------------------------------------
    st.header("Demo data")
    s = status()
    if s.is_demo:
        st.warning(
            f"{s.demo_rows:,} rows of synthetic demo data are loaded.", icon=":material/science:"
        )
        with st.form("demo_form", clear_on_submit=True):
            sure_demo = st.checkbox(
                "I understand: this removes every demo upload", key="remove_demo_confirm"
            )
            remove = st.form_submit_button("Remove demo data", key="remove_demo", type="primary")
            if remove and assert_admin():
                run_confirmed(
                    lambda: f"Demo data removed: {bench.remove_demo():,} rows.", sure_demo
                )
    else:
        st.text("No demo data loaded.")
        if s.is_empty and st.button("Load demo data", key="load_demo") and assert_admin():
            try:
                with acting():
                    result = bench.load_demo()
                flash(f"Demo data loaded: {result.rows_accepted:,} rows.")
            except SSIBenchError as exc:
                show_error_text(exc)

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
        actor = current_viewer_actor()

        def export_now() -> bytes:
            # Built on click (not on every page run), so the audit log records an export
            # only when one is downloaded; the click runs outside the script thread, hence
            # the actor captured above.
            with audit.acting_as(actor):
                # fmt and kind are among the literal options of the two selectboxes above.
                return bench.export_benchmarks(fmt, kind)  # type: ignore[arg-type]

        st.download_button(
            f"Download benchmarks ({fmt.upper()})",
            export_now,
            file_name=f"ssi-bench-benchmarks.{fmt}",
            mime="text/csv" if fmt == "csv" else "application/octet-stream",
            key="export_download",
            on_click="ignore",
        )

    # --- shares --------------------------------------------------------------------------------
    st.header("Active share links")
    try:
        shares = bench.shares_active()
    except SSIBenchError as exc:
        show_error_text(exc)
        shares = []
    if not shares:
        st.text("No active share links.")
    else:
        st.dataframe(shares_frame(shares), hide_index=True, key="shares_table")
        with st.form("revoke_form"):
            share_id = st.selectbox(
                "Revoke link", share_ids(shares), format_func=lambda i: f"#{i}", key="revoke_id"
            )
            if st.form_submit_button("Revoke", key="revoke_submit") and assert_admin():
                try:
                    with acting():
                        revoked = bench.share_revoke(int(share_id or 0))
                    if revoked:
                        flash(f"Share link #{share_id} revoked.")
                    else:
                        st.warning(f"Share link #{share_id} was not active.")
                except SSIBenchError as exc:
                    show_error_text(exc)

    render_links_admin(bench)
    render_sector_admin(bench)
    render_audit_log(bench)

    # --- settings ------------------------------------------------------------------------------
    st.header("Settings in force")
    settings_table = settings_frame(bench.settings)
    st.dataframe(
        settings_table, hide_index=True, key="settings_table", height=36 * (len(settings_table) + 1)
    )


#: Session flag: the last run undid an upload, so the undo form starts afresh.
UNDO_RESET = "_undo_reset"
#: Session flag: the last run deleted a group, so the delete form starts afresh.
GROUP_RESET = "_group_reset"
#: Session key of the last erase's result, shown once after the page reruns.
ERASED_KEY = "_erase_result"


def show_error_text(exc: BaseException) -> None:
    """A known error shown as text (it may quote a label, a group or network name)."""
    st.error(safe_md(exc), icon=":material/error:")


def upload_choice(upload_id: int, uploads: Sequence[UploadInfo]) -> str:
    """ "#3 · Sales November" for the undo selector (the label is plain text there)."""
    label = next((u.label for u in uploads if u.upload_id == upload_id), None)
    return f"#{upload_id}" + (f" · {label}" if label else "")


def erase_frame(result: EraseResult) -> pd.DataFrame:
    """Rows deleted per table, largest first (tables with none left out)."""
    items = sorted(((t, n) for t, n in result.tables.items() if n), key=lambda x: (-x[1], x[0]))
    return pd.DataFrame(items, columns=["table", "rows deleted"])


def render_erase_result(result: EraseResult) -> None:
    """What an erase removed: rows per table, the upload records, the rewrite, backups."""
    st.dataframe(erase_frame(result), hide_index=True, key="erase_result_table")
    lines = []
    if result.uploads_removed:
        lines.append(f"Upload records that described only this person: {result.uploads_removed}.")
    lines.append(
        "The database file was rewritten, so the freed blocks are gone."
        if result.file_rewritten
        else "The database file was not rewritten (an in-memory database)."
    )
    if result.kept_wal_copies_removed:
        lines.append(f"Kept write-ahead log copies deleted: {result.kept_wal_copies_removed}.")
    for line in lines:
        st.text(line)
    st.warning(result.backups_note.split(": ", 1)[0] + ":", icon=":material/backup:")
    st.code(BACKUPS_HOLDING_COMMAND, language="bash")


def render_network_groups(bench: Bench) -> None:
    """Define and delete network groups ("EMEA Sales" = Team A + Team B)."""
    st.header("Network groups")
    st.caption(
        "A group is shown among the networks, under the same privacy rules (at least k "
        "people, and no small group revealed by subtraction). It is a view: nobody's own "
        "network. A network can be in one group only."
    )
    try:
        stored = bench.network_groups()
        networks = network_names(bench)
        inactive = set(bench.network_groups_inactive())
    except SSIBenchError as exc:
        show_error_text(exc)
        return
    if stored:
        st.dataframe(
            pd.DataFrame(
                {
                    "group": [g.name for g in stored],
                    "networks": [", ".join(g.networks) for g in stored],
                    "shown": [
                        "no: a network now has this name" if g.name in inactive else "yes"
                        for g in stored
                    ],
                }
            ),
            hide_index=True,
            key="groups_table",
        )
    else:
        st.text("No network groups yet.")
    with st.form("group_form", clear_on_submit=True):
        name = st.text_input("Group name", key="group_name", max_chars=80)
        members = st.multiselect("Networks in the group", networks, key="group_networks")
        if st.form_submit_button("Create group", key="group_create") and assert_admin():
            try:
                with acting():
                    group = bench.network_group_create(name, members)
                flash(f"Network group #{group.group_id} created.")
            except SSIBenchError as exc:
                show_error_text(exc)
    if st.session_state.pop(GROUP_RESET, False):
        for key in ("group_delete_id", "group_confirm"):
            st.session_state.pop(key, None)
    if stored:
        with st.form("group_delete_form"):
            gid = st.selectbox(
                "Delete group",
                [g.group_id for g in stored],
                index=None,
                placeholder="Choose a group",
                format_func=lambda i: next(g.name for g in stored if g.group_id == i),
                key="group_delete_id",
            )
            sure = st.checkbox("I understand: the group is no longer shown", key="group_confirm")
            if st.form_submit_button("Delete group", key="group_delete") and assert_admin():
                group_id = -1 if gid is None else int(gid)  # -1: not run (missing)

                def delete_it() -> str:
                    bench.network_group_delete(group_id)
                    st.session_state[GROUP_RESET] = True
                    return f"Network group #{group_id} deleted."

                missing = "Choose the group to delete." if gid is None else None
                run_confirmed(delete_it, sure, missing)


def run_confirmed(action: Callable[[], str], sure: bool, missing: str | None = None) -> None:
    """After a destructive form's submit: a warning when a required input is missing
    (``missing`` is what to say) or the confirmation box is unticked; otherwise ``action``
    runs as the acting admin (audited) and the message it returns is flashed for the next
    run. A known error is shown where the form is, and nothing is flashed."""
    if missing is not None:
        st.warning(missing)
    elif not sure:
        st.warning("Tick the box to confirm.")
    else:
        try:
            with acting():
                message = action()
            flash(message)
        except SSIBenchError as exc:
            show_error_text(exc)


def network_names(bench: Bench) -> list[str]:
    """The networks in the data (groups are made of these), sorted."""
    return network_groups.network_names(bench.store)


def uploads_frame(uploads: Sequence[UploadInfo]) -> pd.DataFrame:
    """The uploads as listed: the admin's label (never a file name), counts, SHA-256."""
    return pd.DataFrame(
        {
            "upload": [u.upload_id for u in uploads],
            "uploaded": [u.uploaded_at.strftime("%Y-%m-%d %H:%M") for u in uploads],
            "label": [u.label or "" for u in uploads],
            "read": [u.rows_read for u in uploads],
            "accepted": [u.rows_accepted for u in uploads],
            "rejected": [u.rows_rejected for u in uploads],
            "new": [u.rows_new for u in uploads],
            "updated": [u.rows_updated for u in uploads],
            "rows now": [u.rows_live for u in uploads],
            "demo": ["yes" if u.is_demo else "" for u in uploads],
            "SHA-256": [u.file_sha256[:12] + "…" for u in uploads],
        }
    )


def share_ids(shares: Sequence[dict[str, Any]]) -> list[int]:
    return [int(s.get("share_id", s.get("id", 0))) for s in shares]


def shares_frame(shares: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Active share links for the admin: id, page, personal or not, created, expires."""

    def when(value: Any) -> str:
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return "" if value is None else str(value)[:16]

    records = []
    for s in shares:
        view = s.get("view") or {}
        records.append(
            {
                "link": f"#{s.get('share_id', s.get('id', ''))}",
                "page": str(s.get("page") or view.get("page", "")),
                "personal": "yes" if s.get("personal") or s.get("person_key") else "",
                "created": when(s.get("created_at", s.get("created"))),
                "expires": when(s.get("expires_at", s.get("expires"))),
            }
        )
    return pd.DataFrame.from_records(
        records, columns=["link", "page", "personal", "created", "expires"]
    )


def settings_frame(settings: Settings) -> pd.DataFrame:
    bands = ", ".join(f"{lo:g}+ {label}" for lo, label in settings.bands)
    rows = [
        ("Minimum cohort size (k)", f"{settings.min_cohort}"),
        ("Quartiles from", "20 people"),
        ("Exact percentiles from", "30 people (banded below)"),
        ("Look-back window", f"{settings.lookback_days} days"),
        ("Score bands", bands),
        ("Largest file", f"{settings.max_upload_mb:,} MB"),
        ("Most rows per file", f"{settings.max_rows:,}"),
        ("Longest cell", f"{settings.max_field_chars:,} characters"),
        ("Share links expire after", f"{settings.share_days} days"),
        ("Admin password", "set" if admin_password() else "not set (open)"),
        ("Database", str(settings.db_path)),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])
