"""Support addenda: parsed lines, and errors that name the line and field."""

from __future__ import annotations

import datetime as dt

import pytest

from medvigil.core.errors import InputError
from medvigil.core.model import SupportLevel
from medvigil.core.model.support import parse_support_addendum


def test_parses_levels_and_dates() -> None:
    data = b"component,support_level,end_of_support\npkg:npm/request,abandoned,2020-02-11\nzlib,,\n"
    updates = parse_support_addendum(data, source="a.csv")
    assert updates[0].support_level is SupportLevel.ABANDONED and updates[0].end_of_support == dt.date(
        2020, 2, 11
    )
    assert updates[1].support_level is SupportLevel.UNKNOWN and updates[1].end_of_support is None


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("zlib,retired,", "support_level"),
        ("zlib,abandoned,31/12/2030", "end_of_support"),
        (",abandoned,", "component"),
    ],
)
def test_bad_line_names_file_line_and_field(line: str, field: str) -> None:
    data = f"component,support_level,end_of_support\n{line}\n".encode()
    with pytest.raises(InputError) as err:
        parse_support_addendum(data, source="a.csv")
    assert err.value.field == field and err.value.location == "line 2" and err.value.source == "a.csv"


def test_missing_columns_are_refused() -> None:
    with pytest.raises(InputError, match="missing column"):
        parse_support_addendum(b"name,level\nx,y\n", source="a.csv")
