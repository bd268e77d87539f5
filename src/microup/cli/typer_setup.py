"""Typer as microup needs it, patched once at start-up and guarded (another Typer version
just behaves as it does by default): help that reads as people write it, and parameters read
without pydantic, which Typer 0.29 would import for every command."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from microup.core.text import shown


def _plain_help() -> None:
    """Show help as people read it: `DURATION` and `--topic TOPIC`, not Typer 0.29's
    `{duration}` and `<str>` type labels, nor `[1<=x<=600]` (the help says the range in words
    where it matters). Guarded, so another Typer version just looks as it does by default."""
    from typer import core

    for param in (core.TyperArgument, core.TyperOption):
        if hasattr(param, "_get_number_range_help_str"):
            param._get_number_range_help_str = lambda self: None  # type: ignore[method-assign]

    if hasattr(core.TyperArgument, "display_type_rich"):
        core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]
    if hasattr(core.TyperOption, "display_type_rich"):
        core.TyperOption.display_type_rich = lambda self, ctx: self.metavar  # type: ignore[method-assign]
    if hasattr(core.TyperArgument, "_usage_display_name"):

        def usage_name(self: core.TyperArgument) -> str:
            name = str(self.metavar or self.name or "").upper()
            return name if self.required else f"[{name}]"

        core.TyperArgument._usage_display_name = usage_name  # type: ignore[method-assign]


_PLAIN_PATH = {
    "exists": False,
    "file_okay": True,
    "dir_okay": True,
    "writable": False,
    "readable": True,
    "resolve_path": False,
    "allow_dash": False,
    "path_type": None,
}


def _as_text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def _as_flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{value!r} is not a flag")
    return value


def _as_number(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 19:
        raise typer.BadParameter(f"{shown(str(value))} is not a whole number")
    return int(text)


def _plain_conversion(descriptor: Any) -> Any:
    """How to read a parameter without pydantic, or None to leave it to Typer."""
    info, annotation = descriptor.parameter_info, descriptor.annotation
    if descriptor.file_annotation is not None or descriptor.is_list or descriptor.is_tuple:
        return None
    if getattr(info, "parser", None) is not None:
        return info.parser
    plain_number = info.min is None and info.max is None
    plain_path = all(getattr(info, key, value) == value for key, value in _PLAIN_PATH.items())
    choices = {str: _as_text, bool: _as_flag, int: _as_number if plain_number else None}
    if annotation is Path:
        return Path if plain_path else None
    return choices.get(annotation)


def _light_coercion() -> None:
    """Read plain text, paths and values with a parser of our own without pydantic.

    Typer 0.29 checks every parameter through a pydantic TypeAdapter, which costs about a
    sixth of a one-line command's time to import; text needs no checking and our parsers
    check themselves. Anything else (and another Typer) takes Typer's own path. Guarded:
    without the internals it expects, this changes nothing.
    """
    from typer import _coercion, core

    if not hasattr(core, "build_runtime_param") or not hasattr(_coercion, "RuntimeParam"):
        return
    original = core.build_runtime_param

    @dataclass(frozen=True)
    class Plain(_coercion.RuntimeParam):
        convert: Any

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            return self.convert(value)

    def build(descriptor: Any) -> Any:
        convert = _plain_conversion(descriptor)
        if convert is None:
            return original(descriptor)
        info, annotation = descriptor.parameter_info, descriptor.annotation
        return Plain(parameter_info=info, annotation=annotation, convert=convert)

    core.build_runtime_param = build


def adjust_typer() -> None:
    """Both adjustments, once, before the app is built."""
    _plain_help()
    _light_coercion()
