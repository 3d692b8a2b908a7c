"""Who points at a record, found from the schema's own foreign keys, and what removing a
record does to them.

Parts of a record (a visit's attendee list, a milestone's re-baseline history) go with it.
Records that point at it are named, and removal is refused unless the user asks for the
cascade. With the cascade, an optional link (an owner, a parent) is cleared, a list entry is
taken out, and a record that cannot exist without it (a milestone without its workstream) is
removed in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from tracker.errors import Conflict, NotFound
from tracker.kinds import BY_TABLE, LINKS, PARTIES, KindSpec
from tracker.services import audit
from tracker.services.lookup import current_mou
from tracker.services.rules import record_problems
from tracker.services.store import RecordStore

# For each link table: the kind and list field that own its rows.
_LIST_OWNERS = {model: (table, key, owner) for (table, key), (model, owner, _) in LINKS.items()}


@dataclass(frozen=True)
class Reference:
    noun: str  # the kind of record that points here: "milestone"
    ref: str  # its ref (a party: the institution's ref)
    field: str  # the field that points here: "owner", "partners"
    table: str
    row_id: int
    column: str
    in_list: bool  # an entry in a list of refs (a link row)
    optional: bool  # a nullable field, which the cascade clears


def references_to(kind: KindSpec, row_id: int, *, session: Session) -> list[Reference]:
    """Every record that points at this one, except its own parts."""
    store = RecordStore(session)
    target_table = kind.model.__tablename__
    found: list[Reference] = []
    for table in SQLModel.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table.name != target_table or key.ondelete == "CASCADE":
                continue
            column = key.parent
            rows = session.execute(sa.select(table).where(column == row_id)).mappings().all()
            for row in rows:
                found.append(_describe(store, table.name, column, row))
    return sorted(found, key=lambda item: (item.noun, item.ref, item.field))


def _describe(store: RecordStore, table_name: str, column: Any, row: Any) -> Reference:
    model_name = _model_name(table_name)
    if model_name in _LIST_OWNERS:
        owner_table, key, owner_column = _LIST_OWNERS[model_name]
        owner = BY_TABLE[owner_table]
        return Reference(
            noun=owner.noun,
            ref=store.ref_of(owner_table, row[owner_column]),
            field=key,
            table=table_name,
            row_id=row[owner_column],
            column=column.name,
            in_list=True,
            optional=True,
        )
    kind = next(kind for kind in BY_TABLE.values() if kind.model.__tablename__ == table_name)
    field = next((spec.key for spec in kind.fields if spec.attribute == column.name), column.name)
    ref = store.ref_of("institutions", row["institution_id"]) if kind is PARTIES else row["ref"]
    return Reference(
        noun=kind.noun,
        ref=ref,
        field=field,
        table=table_name,
        row_id=row["id"],
        column=column.name,
        in_list=False,
        optional=bool(column.nullable),
    )


def _model_name(table_name: str) -> str:
    from tracker import models

    names = {*_LIST_OWNERS, *(kind.model_name for kind in BY_TABLE.values())}
    for name in names:
        if getattr(models, name).__tablename__ == table_name:
            return name
    raise LookupError(table_name)


@dataclass(frozen=True)
class Cleared:
    """A link to a removed record that the cascade cleared, or a list it was taken out of."""

    reference: Reference
    target: str  # the ref of the record that was removed

    def describe(self) -> str:
        item = self.reference
        if item.in_list:
            return f"took {self.target} out of {item.noun} {item.ref} {item.field}"
        return f"cleared {item.noun} {item.ref} {item.field} (was {self.target})"


@dataclass
class Removal:
    removed: list[tuple[str, str]]  # (noun, ref), the record itself last
    cleared: list[Cleared]  # links cleared or list entries taken out

    def surviving_changes(self) -> list[Cleared]:
        """The cleared links of records that still exist: a record the cascade went on to
        remove is reported as removed, not as changed."""
        gone = set(self.removed)
        return [
            item for item in self.cleared if (item.reference.noun, item.reference.ref) not in gone
        ]


def remove_record(kind: KindSpec, ref: str, *, session: Session, cascade: bool) -> Removal:
    # A party has no ref of its own: it is found by its MoU and its institution.
    mou_id = current_mou(session=session).id if kind is PARTIES else None
    store = RecordStore(session, mou_id=mou_id)
    row = store.find(kind, ref)
    if row is None:
        raise NotFound(f"ref: no {kind.noun} with ref {ref!r}")
    removal = Removal(removed=[], cleared=[])
    _remove(kind, row, store, session, cascade, removal)
    return removal


def _remove(
    kind: KindSpec, row: Any, store: RecordStore, session: Session, cascade: bool, removal: Removal
) -> None:
    pointing = references_to(kind, row.id, session=session)
    if pointing and not cascade:
        raise Conflict(
            f"{kind.noun} {store.key_of(kind, row)} is used by {describe(pointing)}; "
            "change or remove those first, or use --cascade"
        )
    for reference in pointing:
        if reference.in_list or reference.optional:
            target = _unlink(reference, row.id, store, session)
            if target is not None:
                removal.cleared.append(Cleared(reference, target))
            continue
        dependent_kind = BY_TABLE[_table_key(reference.table)]
        dependent = session.get(dependent_kind.model, reference.row_id)
        if dependent is not None:
            _remove(dependent_kind, dependent, store, session, cascade, removal)
    key = store.key_of(kind, row)
    audit.record(session, kind=kind.table, ref=key, before=store.record_of(kind, row), after=None)
    removal.removed.append((kind.noun, key))
    session.delete(row)
    session.flush()


def _unlink(
    reference: Reference, target_id: int, store: RecordStore, session: Session
) -> str | None:
    """Clear an optional link, or take the target out of a list, through the same write path
    as any edit (so the change is audited like one)."""
    if reference.in_list:
        owner_kind = BY_TABLE[_LIST_OWNERS[_model_name(reference.table)][0]]
    else:
        owner_kind = BY_TABLE[_table_key(reference.table)]
    owner: Any = session.get(owner_kind.model, reference.row_id)
    if owner is None:
        return None  # removed earlier in the same cascade (a lead that was also a partner)
    if owner_kind is PARTIES:  # a party is found by its MoU and institution
        store.mou_id = owner.mou_id
    record = store.record_of(owner_kind, owner)
    spec = owner_kind.field(reference.field)
    gone = store.ref_of(spec.target, target_id) if spec.target else None
    if reference.in_list:
        record[reference.field] = [
            item
            for item in record[reference.field]
            if (item[0] if isinstance(item, tuple) else item) != gone
        ]
    else:
        record[reference.field] = None
    key = store.key_of(owner_kind, owner)
    broken = record_problems(owner_kind.table, record)
    if broken:
        field, message = broken[0]
        raise Conflict(
            f"--cascade: clearing {owner_kind.noun} {key} {reference.field} would break a rule "
            f"({field}: {message}); change {owner_kind.noun} {key} first"
        )
    store.upsert(owner_kind, key, record)
    return str(gone)


def _table_key(table_name: str) -> str:
    return next(kind.table for kind in BY_TABLE.values() if kind.model.__tablename__ == table_name)


def describe(references: list[Reference], limit: int = 5) -> str:
    """'milestone MS-01 (owner), workstream WS02 (partners) and 3 more'."""
    shown = [f"{item.noun} {item.ref} ({item.field})" for item in references[:limit]]
    text = ", ".join(shown)
    if len(references) > limit:
        text += f" and {len(references) - limit} more"
    return text
