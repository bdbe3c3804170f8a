"""A click command made from an action's declaration (:mod:`client_core.actions`) and its run on the service.

The command's arguments, options and help come from the declaration; what it is given reaches the run as the
action's parameters, named as a scenario names them (an option left out is absent, as in a scenario step).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from auth_server.cli.context import Context
from auth_server.cli.context import pass_ctx
from client_core.actions import Action
from client_core.actions import Argument
from client_core.actions import Option

Run = Callable[[Context, dict[str, Any]], None]  # carries out an action on the service and prints its answer


def command_of(action: Action, run: Run) -> click.Command:
    form = action.command
    if form is None:
        raise ValueError(f"the command line offers no {action.actor} action {action.name!r}")
    arguments = {argument.name: argument for argument in form.arguments}
    options = {_dest(option): option for option in form.options}

    @pass_ctx
    def callback(ctx: Context, **given: Any) -> None:
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
        run(ctx, params)

    return click.Command(form.path[-1], callback=callback, help=form.help,
                         params=[*map(_click_argument, form.arguments), *map(_click_option, form.options)])


def _click_argument(argument: Argument) -> click.Argument:
    choices = click.Choice(list(argument.choices)) if argument.choices is not None else None
    return click.Argument([argument.name], type=choices)


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
