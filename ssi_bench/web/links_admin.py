"""Admin views of private links and the audit log (Data page), and the links made at an
upload (Upload page).

The identifier,link CSV is the only place an identifier and its link appear together: it is
built in memory, offered as one download, and dropped from the session once downloaded (or
replaced); it is never written to the database, a file or a log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from ssi_bench import audit, links
from ssi_bench.api import Bench
from ssi_bench.errors import IngestError, SSIBenchError
from ssi_bench.model import IngestOptions
from ssi_bench.reader import read_bytes
from ssi_bench.validate import validate
from ssi_bench.web.access import project_secret
from ssi_bench.web.admin import assert_admin
from ssi_bench.web.state import flash, show_error
from ssi_bench.web.viewer import acting

#: Session-state key of the one pending identifier,link download.
PENDING_KEY = "_links_csv"
PEOPLE_TYPES = ["csv", "tsv", "txt", "xlsx"]


# ---------------------------------------------------------------------------- people
def people_from_file(bench: Bench, name: str, data: bytes) -> list[str]:
    """Identifiers in a people file: the person column of an upload-format file, else one
    identifier per line (blank lines skipped) — as ``links create FILE`` reads it."""
    try:
        read = read_bytes(data, name, settings=bench.settings)
    except IngestError:
        read = None
    if read is not None and "person" in read.frame.columns:
        return [str(v).strip() for v in read.frame["person"].dropna() if str(v).strip()]
    text = data.decode("utf-8-sig", errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip()]


def upload_people(
    bench: Bench, files: Sequence[tuple[str, bytes]], options: IngestOptions
) -> list[str]:
    """The identifiers of the valid rows of ``files`` (read again: the upload keeps only
    keys); the one ``options.person`` for a personal file without a person column."""
    people: list[str] = []
    for name, data in files:
        checked = validate(read_bytes(data, name, settings=bench.settings), options)
        people.extend(str(v) for v in checked.frame["person"].dropna().unique())
    return people


def links_csv(made: Sequence[tuple[str, str]]) -> bytes:
    """``identifier,link`` rows for a mail merge (UTF-8, header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["identifier", "link"])
    writer.writerows(made)
    return buffer.getvalue().encode("utf-8")


def create_links(
    bench: Bench, people: Sequence[str], days: int, upload_id: int | None = None
) -> int:
    """Make one link per person (their older ones revoked), keep the CSV for one download;
    returns how many links were made. Raises SSIBenchError (days < 1, empty identifier)."""
    with acting():
        made = links.create(
            bench.store,
            project_secret(bench),
            people,
            days,
            upload_id,
            public_url=bench.settings.public_url,
        )
    st.session_state[PENDING_KEY] = links_csv(made)
    return len(made)


def _drop_pending() -> None:
    st.session_state.pop(PENDING_KEY, None)


def offer_download(key: str) -> None:
    """The pending identifier,link CSV as a one-time download (gone once clicked)."""
    data = st.session_state.get(PENDING_KEY)
    if not data:
        return
    st.warning(
        "Download the links now: this is the only copy (SSI Bench keeps only a hash of each "
        "link). Send each person their own link.",
        icon=":material/key:",
    )
    st.download_button(
        "Download the private links (CSV, once)",
        data,
        file_name="private-links.csv",
        mime="text/csv",
        key=f"{key}_links_download",
        on_click=_drop_pending,
    )


# ---------------------------------------------------------------------------- Data page
def links_frame(rows: Sequence[dict[str, object]]) -> pd.DataFrame:
    """:func:`ssi_bench.links.list_links` rows as a table: counts and dates, no identity."""

    def day(value: object) -> str:
        return "" if value is None else str(value)[:16]

    return pd.DataFrame(
        {
            "made at": [
                f"upload #{r['upload_id']}" if r["upload_id"] is not None else "from a file"
                for r in rows
            ],
            "links": [r["links"] for r in rows],
            "active": [r["active"] for r in rows],
            "revoked": [r["revoked"] for r in rows],
            "expired": [r["expired"] for r in rows],
            "used": [r["used"] for r in rows],
            "last created": [day(r["last_created_at"]) for r in rows],
            "expires": [day(r["last_expires_at"]) for r in rows],
            "last used": [day(r["last_used_at"]) for r in rows],
        }
    )


def render_links_admin(bench: Bench) -> None:
    """Data page: list private links, create them for the people in a file, revoke them by
    upload or by identifier."""
    st.header("Private links")
    st.caption(
        "For colleagues without single sign-on: each link opens its person's own views only "
        f"(never admin or manager rights) for {bench.settings.link_days} days by default. A "
        "new link replaces the person's older one."
    )
    try:
        rows = links.list_links(bench.store)
    except SSIBenchError as exc:
        show_error(exc)
        rows = []
    if rows:
        st.dataframe(links_frame(rows), hide_index=True, key="links_table")
    else:
        st.text("No private links yet.")

    with st.form("links_create_form", clear_on_submit=True):
        people_file = st.file_uploader(
            "People file (an upload file, or one identifier per line)",
            type=PEOPLE_TYPES,
            key="links_people_file",
        )
        days = st.number_input(
            "Days until the links expire",
            min_value=1,
            max_value=3650,
            value=int(bench.settings.link_days),
            step=1,
            key="links_days",
        )
        if st.form_submit_button("Create links", key="links_create") and assert_admin():
            if people_file is None:
                st.warning("Choose a people file.")
            else:
                try:
                    people = people_from_file(bench, people_file.name, people_file.getvalue())
                    if not people:
                        raise SSIBenchError(f"{people_file.name}: no identifier found")
                    n = create_links(bench, people, int(days))
                    st.success(f"{n:,} private links made.", icon=":material/check_circle:")
                except SSIBenchError as exc:
                    show_error(exc)
    offer_download("data")

    made_at = [int(r["upload_id"]) for r in rows if r["upload_id"] is not None and r["active"]]
    if made_at:
        with st.form("links_revoke_upload_form"):
            upload_id = st.selectbox(
                "Revoke every link made at upload",
                made_at,
                format_func=lambda i: f"#{i}",
                key="links_revoke_upload_id",
            )
            if st.form_submit_button("Revoke", key="links_revoke_upload") and assert_admin():
                with acting():
                    n = links.revoke_upload(bench.store, int(upload_id or 0))
                flash(f"{n:,} private links of upload #{upload_id} revoked.")
    with st.form("links_revoke_person_form", clear_on_submit=True):
        identifier = st.text_input(
            "Revoke one person's links (identifier, hashed, not kept)",
            type="password",
            key="links_revoke_identifier",
        )
        if st.form_submit_button("Revoke", key="links_revoke_person") and assert_admin():
            if not identifier.strip():
                st.warning("Type the identifier.")
            else:
                try:
                    with acting():
                        n = links.revoke_person(bench.store, project_secret(bench), identifier)
                    flash(f"{n:,} private links revoked.")
                except SSIBenchError as exc:
                    show_error(exc)


def audit_frame(entries: Sequence[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "when (UTC)": [str(e["at"])[:19] for e in entries],
            "actor": [str(e["actor"]) for e in entries],
            "action": [str(e["action"]) for e in entries],
            "object": ["" if e["object"] is None else str(e["object"]) for e in entries],
        }
    )


def render_audit_log(bench: Bench, limit: int = 200) -> None:
    """Data page: the newest audit entries (actor = keyed hash or a label, never an
    identifier)."""
    st.header("Audit log")
    st.caption(
        "Admin actions with time, actor (the keyed hash of a signed-in admin's e-mail, "
        "“password admin”, “open mode” or “command line”), action and object."
    )
    try:
        entries = audit.entries(bench.store, limit)
    except SSIBenchError as exc:
        show_error(exc)
        return
    if entries:
        st.dataframe(audit_frame(entries), hide_index=True, key="audit_table")
    else:
        st.text("No admin actions recorded yet.")
