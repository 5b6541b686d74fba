"""The database schema: stored columns, table definitions and the forward migrations.

``MIGRATIONS[i]`` takes a database from schema version i to i + 1 (applied by
:meth:`ssi_bench.store.Store` on open, each in one transaction); ``REWRITE_AFTER`` names the
versions whose migration removed stored values, after which the file is rewritten.
"""

from __future__ import annotations

from ssi_bench import network_groups, release_store
from ssi_bench.fields import LINKEDIN_AVERAGES, METRICS, OUTCOMES, RANKS, SCORE_COLUMNS

#: ``industry_id`` (migration 6) is the LinkedIn industry the sector text was matched to.
SCORE_VALUE_COLUMNS: tuple[str, ...] = ("sector", "network", *SCORE_COLUMNS, "industry_id")
SCORE_ALL = ("person_key", "snapshot_date", *SCORE_VALUE_COLUMNS, "upload_id")
OUTCOME_ALL = ("person_key", "snapshot_date", *OUTCOMES, "upload_id")
MEMBER_COLUMNS = ("person_key", "snapshot_date", "sector", "network", *METRICS, *RANKS)
MEMBER_COLUMNS = (*MEMBER_COLUMNS, *LINKEDIN_AVERAGES, "industry_id")


TEXT_COLUMNS = ("person_key", "sector", "network")


def columns_sql(names: tuple[str, ...], prefix: str = "") -> str:
    return ", ".join(f"{prefix}{n}" for n in names)


def same_sql(names: tuple[str, ...], a: str, b: str) -> str:
    return " AND ".join(f"{a}.{n} IS NOT DISTINCT FROM {b}.{n}" for n in names)


_SCORE_DDL = ", ".join(
    ["person_key VARCHAR NOT NULL", "snapshot_date DATE NOT NULL"]
    + ["sector VARCHAR", "network VARCHAR"]
    + [f"{c} DOUBLE" for c in SCORE_COLUMNS]
    + ["upload_id INTEGER NOT NULL"]
)
_OUTCOME_DDL = ", ".join(
    ["person_key VARCHAR NOT NULL", "snapshot_date DATE NOT NULL"]
    + [f"{c} DOUBLE" for c in OUTCOMES]
    + ["upload_id INTEGER NOT NULL"]
)

#: Forward migrations: MIGRATIONS[i] takes the schema from version i to i + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE SEQUENCE upload_seq START 1",
        "CREATE SEQUENCE share_seq START 1",
        """CREATE TABLE uploads (
            upload_id INTEGER PRIMARY KEY, uploaded_at TIMESTAMP NOT NULL,
            file_name VARCHAR, file_sha256 VARCHAR, rows_read INTEGER, rows_accepted INTEGER,
            rows_rejected INTEGER, rows_new INTEGER, rows_updated INTEGER, options VARCHAR,
            is_demo BOOLEAN NOT NULL DEFAULT false)""",
        f"CREATE TABLE scores ({_SCORE_DDL}, PRIMARY KEY (person_key, snapshot_date))",
        f"CREATE TABLE scores_replaced ({_SCORE_DDL}, replaced_by INTEGER NOT NULL)",
        f"CREATE TABLE outcomes ({_OUTCOME_DDL}, PRIMARY KEY (person_key, snapshot_date))",
        f"CREATE TABLE outcomes_replaced ({_OUTCOME_DDL}, replaced_by INTEGER NOT NULL)",
        """CREATE TABLE shares (
            share_id INTEGER PRIMARY KEY, token_hash VARCHAR NOT NULL UNIQUE,
            view VARCHAR NOT NULL, person_key VARCHAR, created_at TIMESTAMP NOT NULL,
            expires_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP)""",
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL)",
        "INSERT INTO meta VALUES ('data_version', 0)",
    ),
    # 2: scores and outcomes without their primary-key index. Maintaining that index took
    # 0.9 s of every million rows stored and its memory for as long as the table is open;
    # uniqueness of (person_key, snapshot_date) is kept by write_upload (the only writer),
    # which refuses an upload holding a pair twice and inserts only pairs not yet stored.
    tuple(
        statement
        for table, ddl in (("scores", _SCORE_DDL), ("outcomes", _OUTCOME_DDL))
        for statement in (
            f"CREATE TABLE {table}_unkeyed ({ddl})",
            f"INSERT INTO {table}_unkeyed SELECT * FROM {table}",
            f"DROP TABLE {table}",
            f"ALTER TABLE {table}_unkeyed RENAME TO {table}",
        )
    ),
    # 3: identity (issue 10): private links (only the token's keyed hash is stored) and the
    # audit log of admin actions (actors are keyed hashes or fixed labels, objects are ids
    # or counts: no identifier). Self-contained: no other table is touched.
    (
        "CREATE SEQUENCE IF NOT EXISTS private_link_seq START 1",
        "CREATE SEQUENCE IF NOT EXISTS audit_seq START 1",
        """CREATE TABLE IF NOT EXISTS private_links (
            link_id INTEGER PRIMARY KEY, token_hash VARCHAR NOT NULL UNIQUE,
            person_key VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
            expires_at TIMESTAMP NOT NULL, last_used_at TIMESTAMP, revoked_at TIMESTAMP,
            upload_id INTEGER)""",
        """CREATE TABLE IF NOT EXISTS audit_log (
            entry_id INTEGER PRIMARY KEY, recorded_at TIMESTAMP NOT NULL, actor VARCHAR NOT NULL,
            action VARCHAR NOT NULL, object VARCHAR)""",
    ),
    # 4: no file name is stored. Names like "SSI history - Bob Late (bob@…).csv" tied a
    # pseudonym to a person; an upload is now known by its SHA-256 and an optional label
    # the admin types. The column goes with its values; the blocks that held them are
    # overwritten by the rewrite that follows this migration on a file (REWRITE_AFTER).
    (
        "ALTER TABLE uploads ADD COLUMN label VARCHAR",
        "ALTER TABLE uploads DROP COLUMN file_name",
    ),
    # 5: the release — the published figures every non-personal surface reads.
    release_store.MIGRATION,
    # 6: network groups (issue 14): admin-defined cohorts of whole networks.
    network_groups.MIGRATION,
    # 7: industries (issue 12): each row's LinkedIn industry id (NULL: sector text kept as
    # written), the admin's remembered sector mappings and their undo log, and the fitted
    # LinkedIn-wide industry curves of the release. Columns are appended, so older rows
    # read NULL (no industry) until they are re-filed by a mapping.
    (
        "ALTER TABLE scores ADD COLUMN industry_id INTEGER",
        "ALTER TABLE scores_replaced ADD COLUMN industry_id INTEGER",
        """CREATE TABLE sector_map (
            sector_key VARCHAR PRIMARY KEY, sector_text VARCHAR NOT NULL,
            industry_id INTEGER NOT NULL, chosen_at TIMESTAMP NOT NULL)""",
        "CREATE SEQUENCE sector_change_seq START 1",
        """CREATE TABLE sector_changes (
            change_id INTEGER PRIMARY KEY, changed_at TIMESTAMP NOT NULL,
            sector_key VARCHAR NOT NULL, sector_text VARCHAR NOT NULL,
            old_industry_id INTEGER, new_industry_id INTEGER NOT NULL, undone_at TIMESTAMP)""",
        # The rows a change re-filed, with the sector and industry they had before: what
        # undo puts back. Keyed by person_key, so erase removes a person's entries too.
        """CREATE TABLE sector_change_rows (
            change_id INTEGER NOT NULL, tbl VARCHAR NOT NULL, person_key VARCHAR NOT NULL,
            snapshot_date DATE NOT NULL, sector VARCHAR, industry_id INTEGER)""",
        *release_store.CURVES_MIGRATION,
    ),
)
#: Schema versions whose migration removed stored values: reaching one of them rewrites the
#: database file, so the removed values do not stay readable in freed blocks.
REWRITE_AFTER = frozenset({4})
