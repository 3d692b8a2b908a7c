"""``add-``, ``update-`` and ``remove-`` commands for each kind of record, built from the kind
descriptions in ``tracker.kinds`` (fields, help panel, example commands), so that every kind
takes the same options it has in a programme file, checked by the same rules. Milestones have
their own add and update (``tracker.cli.milestones``): they carry dates, re-baselines and RAG
that need more than field edits."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from tracker.cli import completion
from tracker.cli.options import Db
from tracker.fields import FieldSpec, FieldType
from tracker.kinds import FILE_ORDER, KindSpec, Scope

METAVARS = {
    FieldType.TEXT: "TEXT",
    FieldType.LONG_TEXT: "TEXT",
    FieldType.DATE: "DATE",
    FieldType.PERIOD: "PERIOD",
    FieldType.NUMBER: "NUMBER",
    FieldType.REF: "REF",
    FieldType.REFS: "REF,REF…",
    FieldType.ROWS: "A:B,…",
}


def build() -> typer.Typer:
    """One Typer holding the add-, update- and remove- commands of every kind."""
    app = typer.Typer()
    for kind in FILE_ORDER:
        commands = kind.commands
        name = kind.command_noun
        if commands.add:
            app.command(f"add-{name}", rich_help_panel=kind.panel)(_add_command(kind))
        if commands.update:
            app.command(f"update-{name}", rich_help_panel=kind.panel)(_update_command(kind))
        if commands.remove:
            app.command(f"remove-{name}", rich_help_panel=kind.panel)(_remove_command(kind))
    return app


def _describe(spec: FieldSpec, *, updating: bool) -> str:
    from tracker.kinds import BY_TABLE

    words = spec.help or {
        FieldType.DATE: "Date (2026-06-30, 30/06/2026, today, +2w…)",
        FieldType.REF: f"Ref of the {BY_TABLE[spec.target].noun}" if spec.target else "",
        FieldType.REFS: f"Refs of {spec.target}, separated by commas",
        FieldType.INT: f"A whole number from {spec.bounds[0]} to {spec.bounds[1]}",
        FieldType.NUMBER: "A number (1200000, 2.5)",
        FieldType.PERIOD: "A reporting period (FY2026/27 Q3, or a year: FY2026/27)",
    }.get(spec.field_type, spec.key.replace("_", " ").capitalize())
    if spec.field_type is FieldType.ROWS and spec.rows is not None and not spec.help:
        words = "Entries " + ":".join(c.key.upper() for c in spec.rows.columns) + ", by commas"
    if updating and not spec.required and spec.field_type in METAVARS:
        words += " ('none' clears it)"
    return words


def _option(spec: FieldSpec, *, updating: bool) -> inspect.Parameter:
    help_text = _describe(spec, updating=updating)
    annotation: Any
    if spec.field_type is FieldType.BOOL:
        name = spec.flag
        annotation = Annotated[
            bool | None,
            typer.Option(f"{name}/--not-{name[2:]}", help=help_text, show_default=False),
        ]
    elif spec.field_type is FieldType.INT:
        annotation = Annotated[int | None, typer.Option(spec.flag, help=help_text, metavar="N")]
    elif spec.field_type is FieldType.CHOICE:
        assert spec.vocabulary is not None
        choice: Any = spec.vocabulary
        annotation = Annotated[
            choice | None, typer.Option(spec.flag, help=help_text, case_sensitive=False)
        ]
    else:
        annotation = Annotated[
            str | None,
            typer.Option(
                spec.flag,
                help=help_text,
                metavar=METAVARS[spec.field_type],
                autocompletion=_completer(spec),
            ),
        ]
    return inspect.Parameter(
        spec.key, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=None
    )


def _completer(spec: FieldSpec) -> completion.Completer | None:
    """Refs for a field that takes them: one ref, a list of refs, or entries that start
    with one (``TRACEY:host``)."""
    if spec.field_type is FieldType.REF and spec.target:
        return completion.refs(spec.target)
    if spec.field_type is FieldType.REFS and spec.target:
        return completion.ref_list(spec.target)
    if spec.field_type is FieldType.ROWS and spec.rows is not None:
        first, *rest = spec.rows.columns
        if first.field_type is FieldType.REF and first.target:
            vocabulary = next((column.vocabulary for column in rest if column.vocabulary), None)
            choices = [member.value for member in vocabulary] if vocabulary else []
            return completion.entry_list(first.target, choices)
    return None


def _argument(
    name: str, help_text: str, completer: completion.Completer | None = None
) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[
            str,
            typer.Argument(
                help=help_text,
                metavar=name.upper(),
                show_default=False,
                autocompletion=completer,
            ),
        ],
    )


def _key_completer(kind: KindSpec) -> completion.Completer:
    """The records of a kind, by the ref that identifies them (a party: its institution's)."""
    if kind.has_ref:
        return completion.refs(kind.table)
    target = kind.field(kind.key_field).target
    assert target is not None
    return completion.refs(target)


def _db_parameter() -> inspect.Parameter:
    return inspect.Parameter("db", inspect.Parameter.KEYWORD_ONLY, annotation=Db, default=None)


def _with_signature(
    func: Callable[..., None], parameters: list[inspect.Parameter], doc: str
) -> Callable[..., None]:
    func.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    func.__doc__ = doc
    return func


def typed_values(
    kind: KindSpec, given: dict[str, Any], *, notes: list[str], db: str | None
) -> dict[str, Any]:
    """The options given on the command line, as the services take them."""
    from tracker.cli.context import today
    from tracker.cli.values import convert

    return {
        spec.key: convert(spec, given[spec.key], today=today(), notes=notes, db=db)
        for spec in kind.fields
        if given.get(spec.key) is not None
    }


def _add_command(kind: KindSpec) -> Callable[..., None]:
    primary = kind.primary
    parameters = [_argument(primary.key, _describe(primary, updating=False), _completer(primary))]
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
        from tracker.cli.context import open_db
        from tracker.cli.values import show
        from tracker.services.editing import add_record

        notes: list[str] = []
        db = given.pop("db")
        ref = given.pop("ref", None)
        values = typed_values(kind, given, notes=notes, db=db)
        with open_db(db, create=True).writing() as session:
            saved = add_record(kind, values, session=session, ref=ref)
            derived = derived_values(kind, None, saved.record, session)
        if kind.has_ref:
            typer.echo(f"Added {kind.noun} {saved.key}: {show(saved.record[primary.key])}")
        else:
            role = show(saved.record.get("role"))
            article = "an" if role[0] in "aeiou" else "a"
            typer.echo(f"Added {saved.key} to the MoU as {article} {role} {kind.noun}.")
        for spec in kind.fields:
            if spec.field_type is FieldType.DATE and saved.record.get(spec.key) is not None:
                typer.echo(f"  {spec.key}: {show(saved.record[spec.key])}")
        for name, value in (derived or ({}, {}))[1].items():
            typer.echo(f"  {name}: {show(value)}")
        for note in notes:
            typer.echo(f"  ({note})")

    return _with_signature(
        command, parameters, f"Add {kind.article} {kind.noun}.\n\nExample: {kind.commands.add}"
    )


def _update_command(kind: KindSpec) -> Callable[..., None]:
    key_name = kind.key_field
    history = kind.history.into if kind.history else None
    parameters = [_argument(key_name, f"The {kind.noun} to change.", _key_completer(kind))]
    parameters += [
        _option(spec, updating=True)
        for spec in kind.fields
        if spec.key != kind.key_field and spec.key != history
    ]
    if kind.history is not None:
        tracked = " or ".join(kind.field(name).flag for name in kind.history.tracked)
        parameters.append(
            inspect.Parameter(
                "reason",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[
                    str | None,
                    typer.Option(
                        "--reason",
                        help=f"Why {tracked} changed: kept in the history with the old values.",
                    ),
                ],
                default=None,
            )
        )
    parameters.append(_db_parameter())

    def command(**given: Any) -> None:
        from tracker.cli.context import open_db, today
        from tracker.errors import InvalidInput
        from tracker.services.editing import update_keeping_history, update_record

        notes: list[str] = []
        db = given.pop("db")
        key = given.pop(key_name)
        reason = given.pop("reason", None)
        changes = typed_values(kind, given, notes=notes, db=db)
        if not changes:
            raise InvalidInput("nothing to change: give at least one option (see --help)")
        with open_db(db).writing() as session:
            if kind.history is not None:
                saved = update_keeping_history(
                    kind, key, changes, session=session, reason=reason, today=today()
                )
            else:
                saved = update_record(kind, key, changes, session=session)
            derived = derived_values(kind, saved.before, saved.record, session)
        report_update(kind, saved, notes, derived=derived)

    article = "the" if kind.scope is Scope.MOU else kind.article
    return _with_signature(
        command,
        parameters,
        f"Change fields of {article} {kind.noun}.\n\nExample: {kind.commands.update}",
    )


def derived_values(
    kind: KindSpec, before: dict[str, Any] | None, after: dict[str, Any], session: Any
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The values a record derives (a risk's score and band) before and after a change, with
    the settings in force; None for kinds that derive nothing."""
    if not kind.derived:
        return None
    from tracker.services.settings import stored_settings

    settings = stored_settings(session=session)
    return (kind.derive(before, settings) if before else {}), kind.derive(after, settings)


def report_update(
    kind: KindSpec,
    saved: Any,
    notes: list[str],
    *,
    derived: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> None:
    from tracker.cli.values import show

    before, after = saved.before or {}, saved.record
    if not saved.changed:
        noun = kind.noun[:1].upper() + kind.noun[1:]
        typer.echo(f"{noun} {saved.key} already had those values; nothing changed.")
        return
    typer.echo(f"Updated {kind.noun} {saved.key}:")
    for name in saved.changed:
        history = kind.history
        if history is not None and name == history.into:
            # The history only grows: say what was added, not the whole list again.
            *values, reason, _changed = after[name][-1]
            shown = {key: show(value) for key, value in zip(history.tracked, values, strict=True)}
            typer.echo("  " + history.said.format(reason=reason, **shown))
            continue
        typer.echo(f"  {name}: {show(before.get(name))} → {show(after.get(name))}")
    if derived is not None:
        was, now = derived
        for name, value in now.items():
            if was.get(name) != value:
                typer.echo(f"  {name}: {show(was.get(name))} → {show(value)}")
    for note in notes:
        typer.echo(f"  ({note})")
    for warning in saved.warnings:
        typer.echo(warning)


def _remove_command(kind: KindSpec) -> Callable[..., None]:
    key_name = kind.key_field
    parameters = [
        _argument(key_name, f"The {kind.noun} to remove.", _key_completer(kind)),
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

    return _with_signature(
        command,
        parameters,
        f"Remove {kind.article} {kind.noun}; refused while others use it, unless --cascade.\n\n"
        f"Example: {kind.commands.remove}",
    )
