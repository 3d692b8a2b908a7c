"""Who points at a record, found from the schema's own foreign keys, and what removing a
record does to them.

Parts of a record (a visit's attendee list, a milestone's re-baseline history) go with it.
Records that point at it are named, and removal is refused unless the user asks for the
cascade. With the cascade, an optional link (an owner, a parent) is cleared, a list entry is
taken out, and a record that cannot exist without it (a milestone without its workstream, or a
note without the theme it comments on: ``FieldSpec.removed_with``) is removed in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from tracker.errors import Conflict
from tracker.fields import FieldSpec, FieldType
from tracker.kinds import KindSpec, by_model_table, list_owner
from tracker.services.editing import store_for
from tracker.services.lookup import missing
from tracker.services.store import RecordStore


@dataclass(frozen=True)
class Reference:
    noun: str  # the kind of record that points here: "milestone"
    ref: str  # its key (a party: the institution's ref)
    field: str  # the field that points here: "owner", "partners"
    table: str  # the database table holding the pointer
    row_id: int  # the pointing record's id (for a list entry: its owner's id)
    column: str
    in_list: bool  # an entry in a list (a link or child row)
    optional: bool  # a nullable field, which the cascade clears
    # Through a column that is no field of the record (the MoU every record belongs to):
    # bookkeeping, which `show` leaves out.
    internal: bool = False


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
            rows = session.execute(sa.select(table).where(column == row_id)).all()
            for row in rows:
                described = _describe(store, table.name, column, row)
                if described is not None:
                    found.append(described)
    return sorted(found, key=lambda item: (item.noun, item.ref, item.field))


def _describe(store: RecordStore, table_name: str, column: Any, row: Any) -> Reference | None:
    owned = list_owner(_model_name(table_name))
    if owned is not None:
        owner, spec = owned
        assert spec.rows is not None
        owner_id = getattr(row, spec.rows.owner_column)
        owner_row = store.session.get(owner.model, owner_id)
        store.mou_id = getattr(owner_row, "mou_id", store.mou_id)
        return Reference(
            noun=owner.noun,
            ref=store.key_of(owner, owner_row),
            field=spec.key,
            table=table_name,
            row_id=owner_id,
            column=column.name,
            in_list=True,
            optional=True,
        )
    kind = by_model_table(table_name)
    if kind is None:
        return None  # bookkeeping that is not a record (the audit trail)
    store.mou_id = getattr(row, "mou_id", store.mou_id)
    pointer = next((spec for spec in kind.fields if spec.attribute == column.name), None)
    return Reference(
        noun=kind.noun,
        ref=store.key_of(kind, row),
        field=pointer.key if pointer is not None else column.name,
        table=table_name,
        row_id=row.id,
        column=column.name,
        in_list=False,
        optional=bool(column.nullable) and not (pointer is not None and pointer.removed_with),
        internal=pointer is None,
    )


def _model_name(table_name: str) -> str:
    from tracker import models

    for name in dir(models):
        model = getattr(models, name)
        if getattr(model, "__tablename__", None) == table_name and hasattr(model, "__table__"):
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
    store = store_for(kind, session)
    row = store.find(kind, ref, for_update=True)
    if row is None:
        raise missing(kind, ref, session=session, field=kind.key_field)
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
        dependent_kind = by_model_table(reference.table)
        assert dependent_kind is not None
        dependent = session.get(dependent_kind.model, reference.row_id)
        if dependent is not None:
            _remove(dependent_kind, dependent, store, session, cascade, removal)
    key = store.key_of(kind, row)
    removal.removed.append((kind.noun, key))
    store.delete(kind, key, row)


def _unlink(
    reference: Reference, target_id: int, store: RecordStore, session: Session
) -> str | None:
    """Clear an optional link, or take the target out of a list, through the same write path
    as any edit (so the change is audited like one)."""
    owned = list_owner(_model_name(reference.table)) if reference.in_list else None
    owner_kind = owned[0] if owned else by_model_table(reference.table)
    assert owner_kind is not None
    owner: Any = session.get(owner_kind.model, reference.row_id)
    if owner is None:
        return None  # removed earlier in the same cascade (a lead that was also a partner)
    store.mou_id = getattr(owner, "mou_id", store.mou_id)
    record = store.record_of(owner_kind, owner)
    spec = owner_kind.field(reference.field)
    position = _ref_position(spec, reference)
    gone = _target_ref(store, spec, position, target_id)
    if reference.in_list:
        record[reference.field] = [
            item
            for item in record[reference.field]
            if (item[position] if isinstance(item, tuple) else item) != gone
        ]
    else:
        record[reference.field] = None
    key = store.key_of(owner_kind, owner)
    broken = owner_kind.problems(record, lambda table, ref: {})
    if broken:
        field, message = broken[0]
        raise Conflict(
            f"--cascade: clearing {owner_kind.noun} {key} {reference.field} would break a rule "
            f"({field}: {message}); change {owner_kind.noun} {key} first"
        )
    store.update(owner_kind, key, owner, record)
    return gone


def _ref_position(spec: FieldSpec, reference: Reference) -> int:
    """Which column of a list entry holds the ref the reference points with."""
    if spec.rows is None or spec.field_type is FieldType.REFS:
        return 0
    return next(
        position
        for position, column in enumerate(spec.rows.columns)
        if column.attribute == reference.column
    )


def _target_ref(store: RecordStore, spec: FieldSpec, position: int, target_id: int) -> str:
    if spec.field_type is FieldType.ROWS:
        assert spec.rows is not None
        target = spec.rows.columns[position].target
    else:
        target = spec.target
    assert target is not None
    return store.ref_of(target, target_id)


def describe(references: list[Reference], limit: int = 5) -> str:
    """'milestone MS-01 (owner), workstream WS02 (partners) and 3 more'."""
    shown = [f"{item.noun} {item.ref} ({item.field})" for item in references[:limit]]
    text = ", ".join(shown)
    if len(references) > limit:
        text += f" and {len(references) - limit} more"
    return text
