from __future__ import annotations

from pathlib import Path

import pytest

from luna.config.errors import ConfigError
from tests.support.html import Element
from tests.support.widgets import stage_widget

GROUPS = """
type: bookmarks
groups:
  - title: Home lab
    color: 200 50 50
    links:
      - title: Router
        url: http://192.168.1.1/
        description: The flat's gateway
      - title: NAS
        url: http://nas.lan/
  - links:
      - title: Wiki
        url: https://wiki.example.invalid/
"""
BASE_URL = "server:\n  base-url: /luna\n"


def one_link(tmp_path: Path, link_keys: str, group_keys: str = "", top: str = "") -> Element:
    """Render a bookmarks widget with one group holding one link; return that link's `li`."""

    group = "".join(f"    {line}\n" for line in group_keys.strip().splitlines())
    link = "".join(f"        {line}\n" for line in link_keys.strip().splitlines())
    text = f"type: bookmarks\ngroups:\n  - title: Group\n{group}    links:\n      - title: Link\n{link}"
    staged = stage_widget(tmp_path, text, top=top)
    return staged.element.select_one("li.bookmarks-link")


def anchor(item: Element) -> Element:
    return item.select_one("a.bookmarks-title")


def test_groups_in_order_with_titles(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, GROUPS)

    groups = staged.element.select("section.bookmarks-group")

    assert len(groups) == 2
    assert groups[0].select_one(".bookmarks-group-title").text == "Home lab"
    assert groups[1].select(".bookmarks-group-title") == []


def test_links_in_order(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, GROUPS)

    titles = [link.text for link in staged.element.select("a.bookmarks-title")]
    urls = [link["href"] for link in staged.element.select("a.bookmarks-title")]

    assert titles == ["Router", "NAS", "Wiki"]
    assert urls == ["http://192.168.1.1/", "http://nas.lan/", "https://wiki.example.invalid/"]


def test_description_shown_under_link(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, GROUPS)

    descriptions = staged.element.select(".bookmarks-description")

    assert [description.text for description in descriptions] == ["The flat's gateway"]


def test_group_colour_sets_variable(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, GROUPS)

    groups = staged.element.select("section.bookmarks-group")

    assert groups[0]["style"] == "--bookmarks-group-color: hsl(200, 50%, 50%)"
    assert not groups[1].has("style")


def test_empty_widget_explains_itself(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: bookmarks")

    assert "add `groups`" in staged.element.select_one(".widget-empty").text


def test_link_text_escaped(tmp_path: Path) -> None:
    item = one_link(tmp_path, "url: https://a.example.invalid/\ndescription: <i>x</i>")

    assert item.select("i") == []
    assert item.select_one(".bookmarks-description").text == "<i>x</i>"


ICONS = [
    ("si:github", "https://cdn.jsdelivr.net/npm/simple-icons@latest/icons/github.svg", True),
    ("mdi:router-wireless", "https://cdn.jsdelivr.net/npm/@mdi/svg@latest/svg/router-wireless.svg", True),
    ("sh:jellyfin", "https://cdn.jsdelivr.net/gh/selfhst/icons/svg/jellyfin.svg", False),
    ("sh:jellyfin.png", "https://cdn.jsdelivr.net/gh/selfhst/icons/png/jellyfin.png", False),
    ("di:proxmox", "https://cdn.jsdelivr.net/gh/homarr-labs/dashboard-icons/svg/proxmox.svg", False),
    ("di:proxmox.png", "https://cdn.jsdelivr.net/gh/homarr-labs/dashboard-icons/png/proxmox.png", False),
    ("https://icons.example.invalid/nas.png", "https://icons.example.invalid/nas.png", False),
    ("auto-invert https://icons.example.invalid/nas.svg", "https://icons.example.invalid/nas.svg", True),
    ("/assets/icons/nas.svg", "/assets/icons/nas.svg", False),
]


@pytest.mark.parametrize(("icon", "url", "flat"), ICONS)
def test_icon_source_and_flatness(tmp_path: Path, icon: str, url: str, flat: bool) -> None:
    item = one_link(tmp_path, f"url: http://nas.lan/\nicon: {icon}")

    image = item.select_one("img.bookmarks-icon")

    assert image["src"] == url
    assert image.has_class("flat-icon") is flat
    assert image["alt"] == ""


def test_assets_icon_gets_base_url(tmp_path: Path) -> None:
    item = one_link(tmp_path, "url: http://nas.lan/\nicon: /assets/icons/nas.svg", top=BASE_URL)

    assert item.select_one("img.bookmarks-icon")["src"] == "/luna/assets/icons/nas.svg"


def test_assets_link_gets_base_url(tmp_path: Path) -> None:
    item = one_link(tmp_path, "url: /assets/manual.pdf", top=BASE_URL)

    assert anchor(item)["href"] == "/luna/assets/manual.pdf"


def test_other_local_link_kept(tmp_path: Path) -> None:
    item = one_link(tmp_path, "url: /jellyfin/", top=BASE_URL)

    assert anchor(item)["href"] == "/jellyfin/"


def test_no_icon_no_image(tmp_path: Path) -> None:
    item = one_link(tmp_path, "url: http://nas.lan/")

    assert item.select("img") == []


def test_default_opens_new_tab_with_arrow(tmp_path: Path) -> None:
    link = anchor(one_link(tmp_path, "url: http://nas.lan/"))

    assert link["target"] == "_blank"
    assert link["rel"] == "noreferrer"
    assert link.has_class("external")


def test_link_same_tab(tmp_path: Path) -> None:
    link = anchor(one_link(tmp_path, "url: http://nas.lan/\nsame-tab: true"))

    assert not link.has("target")
    assert not link.has_class("external")


def test_group_same_tab_applies_to_links(tmp_path: Path) -> None:
    link = anchor(one_link(tmp_path, "url: http://nas.lan/", group_keys="same-tab: true"))

    assert not link.has("target")


def test_link_same_tab_beats_group(tmp_path: Path) -> None:
    link = anchor(one_link(tmp_path, "url: http://nas.lan/\nsame-tab: false", group_keys="same-tab: true"))

    assert link["target"] == "_blank"


def test_link_target_beats_link_same_tab(tmp_path: Path) -> None:
    link = anchor(one_link(tmp_path, "url: http://nas.lan/\nsame-tab: true\ntarget: dashboard-frame"))

    assert link["target"] == "dashboard-frame"


def test_group_target_beats_group_same_tab(tmp_path: Path) -> None:
    link = anchor(one_link(tmp_path, "url: http://nas.lan/", group_keys="same-tab: true\ntarget: _parent"))

    assert link["target"] == "_parent"


def test_link_target_beats_group_target(tmp_path: Path) -> None:
    link = anchor(one_link(tmp_path, "url: http://nas.lan/\ntarget: _top", group_keys="target: _parent"))

    assert link["target"] == "_top"


def test_group_target_beats_link_same_tab(tmp_path: Path) -> None:
    # As in Glance: a link without its own target takes the group's before same-tab is consulted.
    link = anchor(one_link(tmp_path, "url: http://nas.lan/\nsame-tab: true", group_keys="target: _parent"))

    assert link["target"] == "_parent"


def test_hide_arrow_on_link(tmp_path: Path) -> None:
    link = anchor(one_link(tmp_path, "url: http://nas.lan/\nhide-arrow: true"))

    assert link["target"] == "_blank"
    assert not link.has_class("external")


def test_group_hide_arrow_applies_to_links(tmp_path: Path) -> None:
    link = anchor(one_link(tmp_path, "url: http://nas.lan/", group_keys="hide-arrow: true"))

    assert not link.has_class("external")


def test_link_hide_arrow_beats_group(tmp_path: Path) -> None:
    link = anchor(one_link(tmp_path, "url: http://nas.lan/\nhide-arrow: false", group_keys="hide-arrow: true"))

    assert link.has_class("external")


def test_unsafe_link_scheme_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="javascript"):
        one_link(tmp_path, "url: javascript:alert(1)")
