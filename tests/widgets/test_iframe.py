from __future__ import annotations

from pathlib import Path

import pytest

from luna.config.errors import ConfigError
from tests.support.html import Element
from tests.support.widgets import stage_widget


def frame(tmp_path: Path, options: str = "", top: str = "") -> Element:
    staged = stage_widget(tmp_path, "type: iframe\nsource: https://grafana.lan/d/home\n" + options, top=top)
    return staged.element.select_one("iframe")


def test_source_embedded(tmp_path: Path) -> None:
    assert frame(tmp_path)["src"] == "https://grafana.lan/d/home"


def test_default_height_300(tmp_path: Path) -> None:
    assert frame(tmp_path)["height"] == "300"


@pytest.mark.parametrize(("height", "shown"), [(1, "50"), (49, "50"), (50, "50"), (51, "51"), (640, "640")])
def test_height_at_least_50(tmp_path: Path, height: int, shown: str) -> None:
    assert frame(tmp_path, f"height: {height}")["height"] == shown


def test_zero_height_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="height"):
        frame(tmp_path, "height: 0")


def test_source_required(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="source"):
        stage_widget(tmp_path, "type: iframe")


def test_script_scheme_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="javascript"):
        stage_widget(tmp_path, "type: iframe\nsource: javascript:alert(1)")


def test_assets_source_gets_base_url(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: iframe\nsource: /assets/floorplan.html", top="server:\n  base-url: /luna\n")

    assert staged.element.select_one("iframe")["src"] == "/luna/assets/floorplan.html"


def test_frame_titled_after_widget(tmp_path: Path) -> None:
    assert frame(tmp_path, "title: Grafana")["title"] == "Grafana"


def test_frame_loads_lazily_without_referrer(tmp_path: Path) -> None:
    element = frame(tmp_path)

    assert element["loading"] == "lazy"
    assert element["referrerpolicy"] == "no-referrer"
