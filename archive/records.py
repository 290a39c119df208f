"""Immutable value classes, made without generating code.

``@dataclass`` writes and compiles Python source for each class it makes (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, and for frozen classes ``__setattr__`` and
``__delattr__``): about 1 ms a class here, paid by every process that imports the module. An
`archive search` imports some twenty of them, a tenth of its CPU. ``@record`` makes the same kind
of class from shared methods instead (~0.02 ms): fields from the annotations in order, defaults
and ``field(default_factory=...)``, keyword or positional arguments, equality and hash over the
fields of the same class, a dataclass-like repr, no assignment after ``__init__``,
``__match_args__``. Construction costs a few microseconds more, so classes made by the hundred
thousand (``IndexDoc``) stay dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")

_MISSING: Any = object()


class _Field:
    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any, default_factory: Callable[[], Any] | None) -> None:
        self.default = default
        self.default_factory = default_factory


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None) -> Any:
    """A field's default, or a callable making a fresh one for each instance (as in dataclasses)."""
    return _Field(default, default_factory)


class FrozenInstanceError(AttributeError):
    pass


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    names: tuple[str, ...] = cls.__record_fields__
    if len(args) > len(names):
        raise TypeError(f"{cls.__name__}() takes {len(names)} arguments but {len(args)} were given")
    values = dict(zip(names, args))
    for name, value in kwargs.items():
        if name not in names:
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {name!r}")
        if name in values:
            raise TypeError(f"{cls.__name__}() got multiple values for argument {name!r}")
        values[name] = value
    if len(values) < len(names):
        defaults: dict[str, _Field] = cls.__record_defaults__
        for name in names:
            if name in values:
                continue
            default = defaults.get(name)
            if default is None:
                raise TypeError(f"{cls.__name__}() missing required argument: {name!r}")
            values[name] = default.default_factory() if default.default_factory else default.default
    self.__dict__.update(values)


def _values(self: Any) -> tuple[Any, ...]:
    get = self.__dict__.__getitem__
    return tuple(map(get, type(self).__record_fields__))


def _eq(self: Any, other: Any) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: Any) -> int:
    return hash(_values(self))


def _repr(self: Any) -> str:
    fields = ", ".join(f"{name}={value!r}" for name, value in zip(type(self).__record_fields__, _values(self)))
    return f"{type(self).__qualname__}({fields})"


def _setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """Make ``cls`` an immutable value class of its annotated fields (see the module's doc)."""
    names = tuple(cls.__dict__.get("__annotations__", {}))
    defaults: dict[str, _Field] = {}
    seen_default = False
    for name in names:
        if name in cls.__dict__:
            value = cls.__dict__[name]
            if not isinstance(value, _Field):
                value = _Field(value, None)
            elif value.default is _MISSING:  # no default on the class: a factory's or none
                delattr(cls, name)
                if value.default_factory is None:
                    continue
            else:
                setattr(cls, name, value.default)
            defaults[name] = value
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default field {name!r} follows a default field in {cls.__name__}")
    attributes = {"__record_fields__": names, "__record_defaults__": defaults, "__match_args__": names,
                  "__init__": _init, "__repr__": _repr, "__eq__": _eq, "__hash__": _hash,
                  "__setattr__": _setattr, "__delattr__": _delattr}
    for name, value in attributes.items():
        if name not in cls.__dict__:  # a method the class defines itself stays, as with dataclasses
            setattr(cls, name, value)
    return cls
