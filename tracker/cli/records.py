"""``add-``, ``update-`` and ``remove-`` commands for each kind of record, built from the field
descriptions in ``tracker.kinds`` so that every kind takes the same options it has in a
programme file, checked by the same rules. Milestones have their own module: they carry dates,
re-baselines and RAG that need more than field edits."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from tracker import kinds
from tracker.cli.options import Db
from tracker.cli.values import flag
from tracker.kinds import FieldSpec, FieldType, KindSpec

METAVARS = {
    FieldType.TEXT: "TEXT",
    FieldType.LONG_TEXT: "TEXT",
    FieldType.DATE: "DATE",
    FieldType.REF: "REF",
    FieldType.REFS: "REF,REF…",
    FieldType.ATTENDEES: "PERSON:ROLE,…",
}

# One example per command, shown in its help: the command line a programme officer would type.
EXAMPLES: dict[str, tuple[str, str, str]] = {
    "institutions": (
        'mou add-institution "University of Manchester" --ref MAN --kind university',
        'mou update-institution MAN --region "Greater Manchester"',
        "mou remove-institution MAN",
    ),
    "people": (
        'mou add-person "Dr Asha Patel" --ref AP --institution LIV --role "Programme lead"',
        'mou update-person AP --role "Director of partnerships"',
        "mou remove-person AP",
    ),
    "parties": (
        "mou add-party MAN --role partner",
        "mou update-party MAN --role observer",
        "mou remove-party MAN",
    ),
    "themes": (
        'mou add-theme "Quantum technologies" --ref QUANT --parent CHEM',
        'mou update-theme QUANT --name "Quantum materials"',
        "mou remove-theme QUANT",
    ),
    "commitments": (
        'mou add-commitment "Share access to national facilities" --theme CHEM --lead LIV',
        "mou update-commitment C13 --lead OXF",
        "mou remove-commitment C13",
    ),
    "workstreams": (
        'mou add-workstream "Battery materials" --theme CHEM --lead LIV --partners OXF,OCC',
        "mou update-workstream WS10 --status live --owner AP",
        "mou remove-workstream WS10 --cascade",
    ),
    "sites": (
        'mou add-site "Sci-Tech Daresbury" --kind campus --location "Halton, Cheshire"',
        "mou update-site S05 --operator STFC",
        "mou remove-site S05",
    ),
    "visits": (
        'mou add-visit "Daresbury delegation" --date 21/01/2027 --host LIV --sites DARESBURY '
        "--attendees IT:delegate,TJ:host",
        'mou update-visit V05 --status completed --outcomes "Agreed a joint bid"',
        "mou remove-visit V05 --cascade",
    ),
    "actions": (
        'mou add-action "Circulate the visit note" --visit V02 --owner AP --due +2w',
        "mou update-action A07 --status done --completed today",
        "mou remove-action A07",
    ),
    "mou": ("", "mou update-mou OXF-LIV-2026 --review 2027-02-19", ""),
}

PANELS = {
    "institutions": "People and places",
    "people": "People and places",
    "sites": "People and places",
    "mou": "Programme",
    "parties": "Programme",
    "themes": "Programme",
    "commitments": "Programme",
    "workstreams": "Programme",
    "milestones": "Milestones",
    "visits": "Visits",
    "actions": "Visits",
}

EDITABLE = (
    kinds.INSTITUTIONS,
    kinds.PEOPLE,
    kinds.SITES,
    kinds.PARTIES,
    kinds.THEMES,
    kinds.COMMITMENTS,
    kinds.WORKSTREAMS,
    kinds.VISITS,
    kinds.ACTIONS,
)


def build() -> typer.Typer:
    """One Typer holding the add-, update- and remove- commands of every kind."""
    app = typer.Typer()
    for kind in EDITABLE:
        panel = PANELS[kind.table]
        app.command(f"add-{kind.command_noun}", rich_help_panel=panel)(_add_command(kind))
        app.command(f"update-{kind.command_noun}", rich_help_panel=panel)(_update_command(kind))
        app.command(f"remove-{kind.command_noun}", rich_help_panel=panel)(_remove_command(kind))
    app.command("update-mou", rich_help_panel=PANELS["mou"])(_update_command(kinds.MOU))
    app.command("remove-milestone", rich_help_panel=PANELS["milestones"])(
        _remove_command(kinds.MILESTONES)
    )
    return app


def _primary(kind: KindSpec) -> FieldSpec:
    """The field given as the command's argument: the name, title or text (a party: its
    institution)."""
    if not kind.has_ref:
        return kind.field("institution")
    return next(
        spec
        for spec in kind.fields
        if spec.required and spec.field_type in (FieldType.TEXT, FieldType.LONG_TEXT)
    )


def _describe(spec: FieldSpec, *, updating: bool) -> str:
    words = {
        FieldType.DATE: "Date (2026-06-30, 30/06/2026, today, +2w…)",
        FieldType.REF: f"Ref of the {kinds.BY_TABLE[spec.target].noun}" if spec.target else "",
        FieldType.REFS: f"Refs of {spec.target}, separated by commas",
        FieldType.ATTENDEES: "People and their roles (host, delegate, signatory, speaker, "
        "observer), e.g. IT:signatory,TJ",
        FieldType.INT: "A whole number",
    }.get(spec.field_type, spec.key.replace("_", " ").capitalize())
    clearable = spec.field_type in METAVARS  # the text-typed options
    if updating and not spec.required and clearable:
        words += " ('none' clears it)"
    return words


def _option(spec: FieldSpec, *, updating: bool) -> inspect.Parameter:
    help_text = _describe(spec, updating=updating)
    annotation: Any
    if spec.field_type is FieldType.BOOL:
        name = flag(spec)
        annotation = Annotated[
            bool | None,
            typer.Option(f"{name}/--not-{name[2:]}", help=help_text, show_default=False),
        ]
    elif spec.field_type is FieldType.INT:
        annotation = Annotated[int | None, typer.Option(flag(spec), help=help_text, metavar="N")]
    elif spec.field_type is FieldType.CHOICE:
        assert spec.vocabulary is not None
        choice: Any = spec.vocabulary
        annotation = Annotated[
            choice | None, typer.Option(flag(spec), help=help_text, case_sensitive=False)
        ]
    else:
        annotation = Annotated[
            str | None,
            typer.Option(flag(spec), help=help_text, metavar=METAVARS[spec.field_type]),
        ]
    return inspect.Parameter(
        spec.key, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=None
    )


def _argument(name: str, help_text: str) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[
            str, typer.Argument(help=help_text, metavar=name.upper(), show_default=False)
        ],
    )


def _db_parameter() -> inspect.Parameter:
    return inspect.Parameter("db", inspect.Parameter.KEYWORD_ONLY, annotation=Db, default=None)


def _with_signature(
    func: Callable[..., None], parameters: list[inspect.Parameter], doc: str
) -> Callable[..., None]:
    func.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    func.__doc__ = doc
    return func


def _add_command(kind: KindSpec) -> Callable[..., None]:
    primary = _primary(kind)
    parameters = [_argument(primary.key, _describe(primary, updating=False))]
    if kind.has_ref:
        parameters.append(
            inspect.Parameter(
                "ref",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[
                    str | None,
                    typer.Option(
                        "--ref",
                        help=f"Ref to give it (default: the next {kind.ref_prefix}NN).",
                        metavar="REF",
                    ),
                ],
                default=None,
            )
        )
    parameters += [_option(spec, updating=False) for spec in kind.fields if spec is not primary]
    parameters.append(_db_parameter())

    def command(**given: Any) -> None:
        from tracker.cli.context import open_db, today
        from tracker.cli.values import convert, show
        from tracker.services.editing import add_record

        notes: list[str] = []
        db = given.pop("db")
        ref = given.pop("ref", None)
        values = {
            spec.key: convert(spec, given[spec.key], today=today(), notes=notes, db=db)
            for spec in kind.fields
            if given.get(spec.key) is not None
        }
        with open_db(db, create=True).writing() as session:
            saved = add_record(kind, values, session=session, ref=ref)
        if kind.has_ref:
            typer.echo(f"Added {kind.noun} {saved.key}: {show(saved.record[primary.key])}")
        else:
            role = show(saved.record["role"])
            article = "an" if role[0] in "aeiou" else "a"
            typer.echo(f"Added {saved.key} to the MoU as {article} {role} party.")
        for spec in kind.fields:
            if spec.field_type is FieldType.DATE and saved.record.get(spec.key) is not None:
                typer.echo(f"  {spec.key}: {show(saved.record[spec.key])}")
        for note in notes:
            typer.echo(f"  ({note})")

    add_example, _, _ = EXAMPLES[kind.table]
    return _with_signature(
        command, parameters, f"Add {kind.article} {kind.noun}.\n\nExample: {add_example}"
    )


def _update_command(kind: KindSpec) -> Callable[..., None]:
    key_name = "ref" if kind.has_ref else "institution"
    parameters = [_argument(key_name, f"The {kind.noun} to change.")]
    parameters += [
        _option(spec, updating=True)
        for spec in kind.fields
        if not (not kind.has_ref and spec.key == "institution")
        and spec.field_type is not FieldType.REBASELINES
    ]
    parameters.append(_db_parameter())

    def command(**given: Any) -> None:
        from tracker.cli.context import open_db, today
        from tracker.cli.values import convert
        from tracker.errors import InvalidInput
        from tracker.services.editing import update_record

        notes: list[str] = []
        db = given.pop("db")
        key = given.pop(key_name)
        changes = {
            spec.key: convert(spec, given[spec.key], today=today(), notes=notes, db=db)
            for spec in kind.fields
            if given.get(spec.key) is not None
        }
        if not changes:
            raise InvalidInput("nothing to change: give at least one option (see --help)")
        with open_db(db).writing() as session:
            before = _current(kind, key, session)
            saved = update_record(kind, key, changes, session=session)
        report_update(kind.noun, saved.key, before, saved.record, saved.changed, notes)

    _, update_example, _ = EXAMPLES[kind.table]
    return _with_signature(
        command,
        parameters,
        f"Change fields of {'the' if kind is kinds.MOU else kind.article} {kind.noun}.\n\n"
        f"Example: {update_example}",
    )


def _current(kind: KindSpec, key: str, session: Any) -> dict[str, Any]:
    from tracker.services.editing import read_record

    return read_record(kind, key, session=session)[1]


def report_update(
    noun: str,
    key: str,
    before: dict[str, Any],
    after: dict[str, Any],
    changed: list[str],
    notes: list[str],
) -> None:
    from tracker.cli.values import show

    if not changed:
        typer.echo(f"{noun[:1].upper()}{noun[1:]} {key} already had those values; nothing changed.")
        return
    typer.echo(f"Updated {noun} {key}:")
    for name in changed:
        if name == "rebaselines":
            # The history only grows: say what was added, not the whole list again.
            due, reason, _changed = after[name][-1]
            typer.echo(f"  re-baselined: was due {show(due)}; reason: {reason}")
            continue
        typer.echo(f"  {name}: {show(before.get(name))} → {show(after.get(name))}")
    for note in notes:
        typer.echo(f"  ({note})")


def _remove_command(kind: KindSpec) -> Callable[..., None]:
    key_name = "ref" if kind.has_ref else "institution"
    parameters = [
        _argument(key_name, f"The {kind.noun} to remove."),
        inspect.Parameter(
            "cascade",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                bool,
                typer.Option(
                    "--cascade",
                    help="Also remove what cannot exist without it, and clear links to it.",
                ),
            ],
            default=False,
        ),
        _db_parameter(),
    ]

    def command(**given: Any) -> None:
        from tracker.cli.context import open_db
        from tracker.services.references import remove_record
        from tracker.text import clean_ref

        key = clean_ref(given[key_name], field=key_name)
        with open_db(given["db"]).writing() as session:
            removal = remove_record(kind, key, session=session, cascade=given["cascade"])
        *others, (noun, ref) = removal.removed
        typer.echo(f"Removed {noun} {ref}.")
        for other_noun, other_ref in others:
            typer.echo(f"  also removed {other_noun} {other_ref}")
        for cleared in removal.surviving_changes():
            typer.echo(f"  {cleared.describe()}")

    remove_example = EXAMPLES.get(kind.table, ("", "", f"mou remove-{kind.noun} REF"))[2]
    if kind is kinds.MILESTONES:
        remove_example = "mou remove-milestone MS-23"
    return _with_signature(
        command,
        parameters,
        f"Remove {kind.article} {kind.noun}; refused while others use it, unless --cascade.\n\n"
        f"Example: {remove_example}",
    )
