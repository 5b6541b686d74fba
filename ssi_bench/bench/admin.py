"""What an admin changes after an upload (the admin part of ``Bench``): uploads and undo,
erasure, network groups, sector mappings, shares — each audit-logged where it changes data.

Mixed into :class:`ssi_bench.api.Bench`; uses its ``store``, ``settings`` and secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ssi_bench import audit, network_groups, sectors, share
from ssi_bench.config import Settings
from ssi_bench.model import EraseResult, UploadInfo
from ssi_bench.network_groups import NetworkGroup
from ssi_bench.pseudonym import person_key
from ssi_bench.store import Store


class AdminMixin:
    """Admin actions; mixed into :class:`ssi_bench.api.Bench`."""

    store: Store
    settings: Settings
    _secret: bytes

    def publish(self) -> None:
        """Bring the release up to date with the stored data now (Bench overrides this)."""
        raise NotImplementedError

    def network_groups(self) -> list[NetworkGroup]:
        """The admin-defined network groups, by name (see :mod:`ssi_bench.network_groups`)."""
        return network_groups.groups(self.store)

    def network_group_create(self, name: str, networks: Sequence[str]) -> NetworkGroup:
        """Define a network group (published like a network from the next release).

        Raises GroupError (an SSIBenchError) for an empty name, a name equal to a network's
        or another group's, fewer than 2 networks, an unknown network, or a network already
        in another group. Audit-logged as ``group_create`` with the group's id.
        """
        group = network_groups.create(self.store, name, networks)
        audit.record(self.store, None, "group_create", group.group_id)
        self.publish()
        return group

    def network_group_delete(self, group_id: int) -> str:
        """Delete a network group; returns its name. NotFoundError when there is none.
        Audit-logged as ``group_delete``."""
        name = network_groups.delete(self.store, group_id)
        audit.record(self.store, None, "group_delete", group_id)
        self.publish()
        return name

    def network_groups_inactive(self) -> list[str]:
        """Groups left out of the release because a network in the data now has their name."""
        return network_groups.inactive(
            network_groups.groups(self.store), network_groups.network_names(self.store)
        )

    def uploads(self) -> list[UploadInfo]:
        """Every upload, newest first, shown by its label (file names are not stored)."""
        return self.store.uploads()

    def undo(self, upload_id: int) -> int:
        """Remove one upload (restoring what it replaced); returns score rows removed."""
        removed = self.store.undo(upload_id)
        audit.record(self.store, None, "undo", upload_id)
        self.publish()
        return removed

    def erase(self, identifier: str) -> EraseResult:
        """Erase the person behind ``identifier`` from every table and from the file's bytes.

        Deletes their scores, outcomes, replaced versions, shares and private links, and
        the upload records that described only them; rewrites the database file and
        deletes kept write-ahead-log copies (see :meth:`Store.erase`). An unknown person
        erases nothing (``rows_deleted`` 0). Backups are untouched: the result says so.
        Raises SSIBenchError for an empty identifier or when the file cannot be rewritten.
        """
        erased = self.store.erase(person_key(self._secret, identifier))
        audit.record(self.store, None, "erase", erased.rows_deleted)  # a count, no key
        self.publish()
        return erased

    def remove_demo(self) -> int:
        """Delete every demo upload and its rows; returns score rows removed."""
        removed = self.store.remove_demo()
        audit.record(self.store, None, "demo_remove", removed)
        self.publish()
        return removed

    # ------------------------------------------------------------------ sectors
    def stored_sectors(self) -> list[sectors.StoredSector]:
        """Every stored sector text with its LinkedIn industry (None: kept as written), rows,
        people and the admin's remembered mapping (see :mod:`ssi_bench.sectors`)."""
        return sectors.stored(self.store)

    def sector_mappings(self) -> list[dict[str, Any]]:
        """The remembered sector choices: text → industry."""
        return sectors.mappings(self.store)

    def sector_changes(self) -> list[sectors.SectorChange]:
        """Every mapping change, newest first."""
        return sectors.changes(self.store)

    def map_sector(self, text: str, industry: int | str) -> sectors.SectorChange:
        """Remember that ``text`` means ``industry`` (id or label) for later uploads and
        re-file the stored rows it names, in one transaction (undo: :meth:`undo_sector`).
        Raises NotFoundError for an unknown industry, SSIBenchError for an empty text.
        Recorded in the audit log ("sector_map": change id, old and new industry)."""
        change = sectors.map_sector(self.store, text, industry)
        audit.record(self.store, None, "sector_map", sectors.audit_object(change))
        self.publish()
        return change

    def undo_sector(self) -> sectors.SectorChange:
        """Undo the latest sector mapping change. Raises NotFoundError when there is none.
        Recorded in the audit log ("sector_undo": the change undone, as for "sector_map")."""
        change = sectors.undo(self.store)
        audit.record(self.store, None, "sector_undo", sectors.audit_object(change))
        self.publish()
        return change

    # ------------------------------------------------------------------ shares
    def share_create(self, view: dict[str, Any], person_key: str | None = None) -> str:
        """A share token for ``view`` (expires after ``settings.share_days``)."""
        return share.create(self.store, view, days=self.settings.share_days, person_key=person_key)

    def share_resolve(self, token: str) -> dict[str, Any]:
        return share.resolve(self.store, token)

    def share_revoke(self, share_id: int) -> bool:
        revoked = share.revoke(self.store, share_id)
        audit.record(self.store, None, "share_revoke", share_id)
        return revoked

    def shares_active(self) -> list[dict[str, Any]]:
        return share.active(self.store)
