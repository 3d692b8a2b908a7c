"""The root ``mou`` command, with each subcommand made only when it is used.

Typer turns every command into a Click command, reading each function's signature and
options, before it runs any of them: for some ninety commands that costs more than a whole
``mou status``. Here the root group knows each subcommand by name, help panel and one-line
summary, read from the same Typer registrations as ``tracker.cli.app`` (so there is one
definition of every command), and builds a command the first time it is looked up.
``mou --help`` lists the commands from those summaries, without building any.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import typer
from typer.models import CommandInfo, DefaultPlaceholder, TyperInfo


@dataclass
class Entry:
    """A subcommand as ``mou --help`` lists it, and how to make it."""

    name: str
    panel: str | None
    summary: str
    hidden: bool
    build: Callable[[], Any]
    # The module whose ``app`` registers the command by itself (None for a group, or a
    # command made at start-up): the entry point makes it from there, without the others.
    module: str | None = None


class LazyCommands(Mapping[str, Any]):
    """The root group's subcommands by name: made on first lookup, then kept."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = {entry.name: entry for entry in entries}
        self.built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.built:
            self.built[name] = self.entries[name].build()
        return self.built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def entries(app: typer.Typer) -> list[Entry]:
    """Every subcommand of ``app``, in the order it lists them: a command added directly or
    through an unnamed sub-app, or a named group (``mou report …``)."""
    options = {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }
    found: list[Entry] = []
    for info in app.registered_commands:
        found.append(_command_entry(info, options))
    for group in app.registered_groups:
        assert group.typer_instance is not None
        if _value(group.name) is None:
            module = _module_of(group.typer_instance)
            found += [
                _command_entry(info, options, module)
                for info in group.typer_instance.registered_commands
            ]
            continue
        found.append(_group_entry(group, {**options, "suggest_commands": app.suggest_commands}))
    return found


def _command_entry(info: CommandInfo, options: dict[str, Any], module: str | None = None) -> Entry:
    from typer.main import get_command_from_info, get_command_name

    assert info.callback is not None
    name = info.name or get_command_name(info.callback.__name__)
    return Entry(
        name=name,
        panel=_value(info.rich_help_panel),
        summary=_first_line(info.help or inspect.getdoc(info.callback)),
        hidden=bool(info.hidden),
        build=lambda: get_command_from_info(info, **options),
        module=module,
    )


def _module_of(sub_app: typer.Typer) -> str | None:
    """The module whose ``app`` is ``sub_app``, if it is one: such a module's commands can be
    made from it alone (``made_alone``)."""
    import sys

    for info in sub_app.registered_commands:
        assert info.callback is not None
        module = info.callback.__module__
        if getattr(sys.modules.get(module), "app", None) is sub_app:
            return module
    return None


def made_alone(module: str, name: str) -> Any:
    """The command ``name`` of ``module``'s app, made exactly as the whole app makes it (the
    root's options), but without importing every other command's module: ``mou status``
    starts in the time it needs itself."""
    import importlib

    from tracker.cli.root import root_typer

    root = root_typer()
    options = {
        "pretty_exceptions_short": root.pretty_exceptions_short,
        "rich_markup_mode": root.rich_markup_mode,
    }
    sub_app = importlib.import_module(module).app
    for info in sub_app.registered_commands:
        entry = _command_entry(info, options, module)
        if entry.name == name:
            return entry.build()
    raise KeyError(name)


def _group_entry(group: TyperInfo, options: dict[str, Any]) -> Entry:
    from typer.main import get_group_from_info

    instance = group.typer_instance
    assert instance is not None
    help_text = _value(group.help) or _value(instance.info.help)
    return Entry(
        name=str(_value(group.name)),
        panel=_value(group.rich_help_panel) or _value(instance.info.rich_help_panel),
        summary=_first_line(help_text),
        hidden=bool(_value(group.hidden)),
        build=lambda: get_group_from_info(group, **options),
    )


def _value(setting: Any) -> Any:
    """A Typer setting as given, or None where it was left at its default."""
    return None if isinstance(setting, DefaultPlaceholder) else setting


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n\n")[0].replace("\n", " ")


def root_help(group: Any, ctx: Any) -> None:
    """``mou --help``: usage, the root options and one panel of commands per help panel, in
    the order the commands are listed, drawn as Typer draws them but from the summaries
    alone (laid out here: a Rich table of ninety rows costs more than the rest of the help)."""
    from tracker.cli.render import console

    out = console()
    width = out.width
    options = []
    for param in group.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        help_text = getattr(param, "help", "") or ""
        if getattr(param, "envvar", None):
            help_text += f" [env var: {param.envvar}]"
        options.append((", ".join([*param.opts, *param.secondary_opts]), help_text))
    panels: dict[str, list[tuple[str, str]]] = {"Options": options}
    for entry in group.commands.entries.values():
        if not entry.hidden:
            panels.setdefault(entry.panel or "Commands", []).append((entry.name, entry.summary))
    left = max(len(name) for rows in panels.values() for name, _ in rows)
    lines = ["", f" Usage: {ctx.command_path} [OPTIONS] COMMAND [ARGS]...", ""]
    lines += [f" {_first_line(group.help)}", ""]
    for title, rows in panels.items():
        lines += _panel(title, rows, left, width)
    out.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)


def _panel(title: str, rows: list[tuple[str, str]], left: int, width: int) -> list[str]:
    """A box titled ``title``: each row's name, then its text wrapped beside it."""
    import textwrap

    inner = max(width - 4, left + 12)
    text_width = inner - left - 2
    lines = ["╭─ " + title + " " + "─" * max(inner - len(title) - 1, 0) + "╮"]
    for name, text in rows:
        wrapped = textwrap.wrap(text, text_width, break_on_hyphens=False) or [""]
        for position, part in enumerate(wrapped):
            shown = name if position == 0 else ""
            lines.append(f"│ {shown:<{left}}  {part:<{text_width}} │")
    lines.append("╰" + "─" * (inner + 2) + "╯")
    return lines


def index_source(app: typer.Typer) -> str:
    """``tracker/cli/index.py``: every command of ``app`` as ``mou --help`` lists it, for the
    entry point that starts without importing the commands (``make docs`` writes it; a test
    fails when it is stale)."""
    import json

    def literal(value: str | None) -> str:
        return "None" if value is None else json.dumps(value, ensure_ascii=False)

    rows = "".join(
        f"    ({literal(entry.name)}, {literal(entry.panel)}, {literal(entry.summary)}, "
        f"{entry.hidden}, {literal(entry.module)}),\n"
        for entry in entries(app)
    )
    return (
        '"""Every command of mou by name, help panel, summary, whether it is hidden and the\n'
        "module that makes it by itself, in the order of `mou --help`. Written by `make docs`\n"
        "from tracker.cli.app; do not edit by hand."
        '"""\n\n'
        "COMMANDS: tuple[tuple[str, str | None, str, bool, str | None], ...] = (\n"
        f"{rows}"
        ")  # fmt: skip\n"
    )
