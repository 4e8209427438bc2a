from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.support.widgets import stage_widget

SOURCE = """
type: html
source: |
  <div class="note" data-kind="reminder">
    <p>Bins go out on <strong>Tuesday</strong> &amp; Friday</p>
    <script>window.noteLoaded = true;</script>
  </div>
"""


def test_source_rendered_unescaped(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SOURCE)

    note = staged.element.select_one("div.note")

    assert note["data-kind"] == "reminder"
    assert note.select_one("p strong").text == "Tuesday"
    assert note.select_one("p").text == "Bins go out on Tuesday & Friday"


def test_source_kept_byte_for_byte(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SOURCE)

    assert "<script>window.noteLoaded = true;</script>" in staged.html
    assert "&amp; Friday" in staged.html
    assert "&lt;" not in staged.html


def test_no_header_by_default(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SOURCE + "title: Notes\n")

    assert staged.element.select(".widget-header") == []


def test_frameless_content(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, SOURCE)

    assert staged.element.select_one(".widget-content").has_class("widget-content-frameless")


def test_empty_source_renders_empty_frame(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: html")

    assert staged.element.select_one(".widget-content").text == ""


UNCLOSED = """
type: html
title: Notes
source: |
  <div class="note"><p>Bins go out on Tuesday
  </section>
"""


def test_unclosed_source_closed(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, UNCLOSED)

    assert '<div class="note"><p>Bins go out on Tuesday\n\n</p></div>' in staged.html
    assert "</section>" not in staged.html


def test_unclosed_source_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="luna.widgets.user_html"):
        stage_widget(tmp_path, UNCLOSED)

    assert caplog.messages == [
        'html "Notes": unbalanced HTML in the source: <div> (line 1, column 1) never closed, so luna closed it at '
        "the end; </section> (line 2, column 1) closed nothing opened before, so luna dropped it"
    ]
