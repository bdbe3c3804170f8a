"""A click command made from a declared command (:class:`client_core.actions.Command`) and its run.

The command's arguments, options and help come from the declaration; what it is given reaches the run as the
action's parameters, named as a scenario names them (an option left out is absent, as in a scenario step). The
server's command line (``linksim start``, ...) and the seller's and the app's tools (``linksim seller terms``,
``linksim app verify``, ...) make their step commands so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeVar

import click

from client_core.actions import Argument
from client_core.actions import Command
from client_core.actions import Option

Obj = TypeVar("Obj")  # the tool's context object, which click hands the command's callback


def command_of(form: Command, run: Callable[[Obj, dict[str, Any]], None], obj_type: type[Obj]) -> click.Command:
    """``form`` as a click command whose callback hands ``run`` the tool's ``obj_type`` object and the parameters."""
    arguments = {argument.name: argument for argument in form.arguments}
    options = {_dest(option): option for option in form.options}

    @click.make_pass_decorator(obj_type)
    def callback(obj: Obj, /, **given: Any) -> None:
        params: dict[str, Any] = {}
        for name, argument in arguments.items():
            value = given[name]
            params[argument.param] = argument.choices[value] if argument.choices is not None else value
        for dest, option in options.items():
            value = given[dest]
            if option.sets is not None:
                if value:
                    params[option.param] = option.sets
            elif option.multiple:
                if value:
                    params[option.param] = list(value)
            elif value is not None:
                params[option.param] = value
        run(obj, params)

    return click.Command(form.path[-1], callback=callback, help=form.help,
                         params=[*map(_click_argument, form.arguments), *map(_click_option, form.options)])


def add_at(root: click.Group, form: Command, command: click.Command) -> None:
    """Add ``command`` where ``form``'s path puts it: under ``root``, in the group each word before the last names."""
    parent = root
    for name in form.path[:-1]:
        group = parent.commands.get(name)
        if not isinstance(group, click.Group):
            raise ValueError(f"{root.name} has no group {name!r} for {' '.join(form.path)}")
        parent = group
    parent.add_command(command)


def text_of(form: Command, result: Any) -> str:
    """The result shown as ``form.text`` says: a format string on the result's fields (``{state.value}``)."""
    if form.text is None:
        raise ValueError(f"{' '.join(form.path)} declares no text")
    return form.text.format_map(_Fields(result))


class _Fields(dict[str, Any]):
    """A result's attributes by name, for a format string."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result

    def __missing__(self, key: str) -> Any:
        return getattr(self.result, key)


def _click_argument(argument: Argument) -> click.Argument:
    choices = click.Choice(list(argument.choices)) if argument.choices is not None else None
    return click.Argument([argument.name], type=choices, metavar=argument.metavar)


def _click_option(option: Option) -> click.Option:
    extra: dict[str, Any] = {}
    if option.choices:
        extra["type"] = click.Choice(list(option.choices))
    if option.default is not None:
        extra.update(default=option.default, show_default=True)
    if option.sets is not None:
        extra["is_flag"] = True
    if option.multiple:
        extra["multiple"] = True
    return click.Option([option.flag, _dest(option)], help=option.help, **extra)


def _dest(option: Option) -> str:
    """The name the option's value is passed under: apart from the arguments' names."""
    return "option_" + option.flag.lstrip("-").replace("-", "_")
