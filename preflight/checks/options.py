"""A check's options: a frozen dataclass of typed defaults whose fields declare what they mean.

Each check with options nests one, and narrows ``opts`` to it::

    @dataclass(frozen=True)
    class Options(NoOptions):
        threshold: float = 6.0                        # a finite, non-negative number
        max_share: float = option(0.001, share=True)  # a share from 0 to 1
        neighbors: int = option(10, minimum=1)        # a count of at least 1

    opts: Options

A user overrides a field in ``[tool.preflight.checks.CODE]`` under its kebab-case name
(``max-share`` for ``max_share``); :func:`read_options` checks the override against the
field's declared type and meaning, and ``preflight rule CODE`` lists the fields with their
defaults (:func:`option_specs`). The check's docstring documents every field in its
**Options.** section (``tests/test_catalogue.py`` holds the two together).
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from preflight.core.errors import PreflightError, did_you_mean

T = TypeVar("T")
OptionsT = TypeVar("OptionsT", bound="NoOptions")

# What an option can hold; a field of another type is a programming error (TypeError).
Scalar = bool | int | float | str
_KINDS: tuple[type[Scalar], ...] = (bool, int, float, str)


@dataclass(frozen=True)
class NoOptions:
    """The options of a check that has none; every check's ``Options`` extends it."""


def option(default: T, *, share: bool = False, minimum: int = 0) -> T:
    """A field whose default is ``default`` and whose meaning the config enforces.

    Every number must be finite and not negative; ``share=True`` (a share, rate,
    probability or score) must lie in [0, 1]; ``minimum`` is the least count the check
    can work with (two folds, one neighbour). A plain default (``fence: float = 3.0``)
    is a number with no more meaning than that.
    """
    return dataclasses.field(default=default, metadata={"share": share, "minimum": minimum})


@dataclass(frozen=True)
class OptionSpec:
    """One option as the config and ``preflight rule`` see it."""

    name: str  # the field: max_share
    kind: type[Scalar]  # what a value must be: bool, int, float (an int will do) or str
    default: Scalar
    share: bool  # a share from 0 to 1
    minimum: int  # the least a number may be

    @property
    def key(self) -> str:
        """The name users write: ``max-share``."""
        return self.name.replace("_", "-")

    def accepts(self, value: object) -> bool:
        """True when ``value`` has the option's type (a bool is no number)."""
        if self.kind is bool or isinstance(value, bool):
            return self.kind is bool and isinstance(value, bool)
        if self.kind is float:
            return isinstance(value, (int, float))
        return isinstance(value, self.kind)

    def problem(self, value: object) -> str | None:
        """What a value of the option's type must be, when ``value`` is not that; else None.

        Every number is finite and not negative (all thresholds, ratios, counts and
        tolerances are), a share lies in [0, 1], and a count of folds, neighbours or bins
        is at least what the check can work with.
        """
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if not math.isfinite(value):
            return "a finite number"
        if self.share:
            return None if 0 <= value <= 1 else "a share from 0 to 1"
        if value < self.minimum:
            return "a non-negative number" if self.minimum == 0 else f"at least {self.minimum}"
        return None


def option_specs(options: type[NoOptions]) -> tuple[OptionSpec, ...]:
    """The fields of an ``Options`` dataclass, in declaration order."""
    hints = typing.get_type_hints(options)
    specs = []
    for f in dataclasses.fields(options):
        kind = hints[f.name]
        if kind not in _KINDS or f.default is dataclasses.MISSING:
            raise TypeError(
                f"{options.__qualname__}.{f.name}: an option is a bool, int, float or str with a default"
            )
        specs.append(
            OptionSpec(
                name=f.name,
                kind=kind,
                default=f.default,
                share=bool(f.metadata.get("share", False)),
                minimum=int(f.metadata.get("minimum", 0)),
            )
        )
    return tuple(specs)


def read_options(options: type[OptionsT], code: str, overrides: Mapping[str, object]) -> OptionsT:
    """The defaults of ``options`` with the user's ``overrides`` (kebab-case keys) applied.

    Raises :class:`PreflightError` naming check ``code`` for an unknown key (with the
    nearest known one), a value of the wrong type or one outside the option's meaning.
    """
    specs = {spec.name: spec for spec in option_specs(options)}
    values: dict[str, object] = {}
    for key, value in overrides.items():
        name = key.replace("-", "_")
        spec = specs.get(name)
        if spec is None:
            raise PreflightError(f"{code}: unknown option {key!r}" + did_you_mean(name, list(specs)))
        if not spec.accepts(value):
            raise PreflightError(f"{code}: option {key!r} must be {spec.kind.__name__}, got {value!r}")
        problem = spec.problem(value)
        if problem is not None:
            raise PreflightError(f"{code}: option {key!r} must be {problem}, got {value!r}")
        values[name] = value
    return dataclasses.replace(options(), **values)
