from __future__ import annotations

from datetime import UTC

import pytest

from application.zones import time_zone
from domain.errors import ValidationError


@pytest.mark.parametrize("name", [None, "", "   "])
def test_no_zone_is_utc(name: str | None) -> None:
    assert time_zone(name, "timezone") is UTC


def test_an_iana_name_is_its_zone() -> None:
    assert str(time_zone(" Europe/Paris ", "timezone")) == "Europe/Paris"


@pytest.mark.parametrize(
    "name",
    ["Europe", "Europe/", "No/Such_Zone", "../../../etc/passwd", "/etc/localtime", "a\x00b", "A" * 65, "x" * 5000],
)
def test_anything_else_is_a_validation_error_naming_the_field(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        time_zone(name, "header.X-Timezone")
    assert [e.field for e in caught.value.errors] == ["header.X-Timezone"]
