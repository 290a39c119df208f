"""``@record`` classes behave as the frozen dataclasses they replace: checked side by side."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError as DataclassFrozen
from dataclasses import dataclass
from dataclasses import field as dc_field

import pytest

from archive.records import FrozenInstanceError, field, record


@record
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = field(default=())
    seen: list[int] = field(default_factory=list)

    @property
    def norm(self) -> int:
        return abs(self.x) + abs(self.y)


@dataclass(frozen=True)
class DataPoint:
    x: int
    y: int = 0
    tags: tuple[str, ...] = dc_field(default=())
    seen: list[int] = dc_field(default_factory=list)


@record
class Other:
    x: int
    y: int = 0


@dataclass(frozen=True)
class DataOther:
    x: int
    y: int = 0


@record
class Shown:
    a: int

    def __repr__(self) -> str:
        return "shown"


CALLS = [((1,), {}), ((1, 2), {}), ((), {"x": 3, "y": 4}), ((5,), {"tags": ("a",)}), ((1, 2, ("t",), [7]), {})]


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_same_fields_repr_equality_and_hash_as_a_dataclass(args: tuple, kwargs: dict) -> None:
    ours, theirs = Point(*args, **kwargs), DataPoint(*args, **kwargs)
    assert repr(ours) == repr(theirs).replace("DataPoint", "Point")
    assert (ours.x, ours.y, ours.tags, ours.seen) == (theirs.x, theirs.y, theirs.tags, theirs.seen)
    assert ours == Point(*args, **kwargs) and not ours != Point(*args, **kwargs)
    with pytest.raises(TypeError):  # a list field is unhashable, as in the dataclass
        hash(theirs)
    with pytest.raises(TypeError):
        hash(ours)


def test_equality_needs_the_same_class_and_fields() -> None:
    assert Point(1, 2) != Point(1, 3)
    assert Point(1, 2) != Other(1, 2)
    assert Other(1, 2) == Other(1, 2) and len({Other(1, 2), Other(1, 2), Other(2, 1)}) == 2
    assert hash(Other(1, 2)) == hash(DataOther(1, 2)) == hash((1, 2))
    assert Point(1) != (1, 0, (), [])


def test_a_default_factory_gives_each_instance_its_own_value() -> None:
    first, second = Point(1), Point(2)
    first.seen.append(1)
    assert second.seen == [] and first.seen == [1]
    assert Point.y == 0 and Point.tags == () and not hasattr(Point, "seen")


def test_fields_cannot_be_assigned_or_deleted() -> None:
    point = Point(1)
    for change in (lambda: setattr(point, "x", 2), lambda: setattr(point, "new", 2), lambda: delattr(point, "x")):
        with pytest.raises(FrozenInstanceError):
            change()
        with pytest.raises(AttributeError):
            change()
    with pytest.raises(DataclassFrozen):
        setattr(DataPoint(1), "x", 2)
    assert point.x == 1 and point.norm == 1


def test_wrong_arguments_are_type_errors_as_with_a_dataclass() -> None:
    for args, kwargs in [((), {}), ((1, 2, 3, 4, 5), {}), ((1,), {"x": 2}), ((1,), {"z": 2}), ((), {"y": 1})]:
        with pytest.raises(TypeError):
            DataPoint(*args, **kwargs)
        with pytest.raises(TypeError):
            Point(*args, **kwargs)


def test_a_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match="follows a default"):
        @record
        class Bad:
            a: int = 1
            b: int


def test_pattern_matching_copy_and_pickle() -> None:
    point = Point(1, 2, ("a",), [3])
    match point:
        case Point(x, y):
            assert (x, y) == (1, 2)
        case _:
            pytest.fail("no match")
    assert copy.copy(point) == point and copy.deepcopy(point) == point
    restored = pickle.loads(pickle.dumps(point))
    assert restored == point and restored is not point
    with pytest.raises(FrozenInstanceError):
        restored.x = 5


def test_a_method_the_class_defines_stays() -> None:
    assert repr(Shown(1)) == "shown" and Shown(1) == Shown(1)
