"""docker-containers in the browser: container details, start times written by the browser, and live updates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import LiveDashboard, PageProblems, load
from tests.support.fake_docker import FakeDocker, container, serve_docker

pytestmark = pytest.mark.browser

DOCKER = """
server:
  events:
    coalesce-window: 100ms
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: docker-containers
            sock-path: {sock}
"""


@pytest.fixture
def fake_docker(tmp_path: Path) -> Iterator[tuple[FakeDocker, str]]:
    fake = FakeDocker(
        [
            container("immich", labels={"luna.id": "immich", "luna.name": "Immich"}),
            container("immich_redis", status="Up 3 minutes", labels={"luna.parent": "immich"}),
            container("web", status="Up 2 hours"),
        ]
    )
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        yield fake, sock


def open_dashboard(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], sock: str
) -> tuple[LiveDashboard, Page]:
    dashboard = serve_dashboard(DOCKER.format(sock=sock))
    dashboard.refresh(dashboard.widget("docker-containers"))
    page = new_page()
    load(page, dashboard.url)
    return dashboard, page


def refresh_later(dashboard: LiveDashboard) -> None:
    """Refresh once the event window of the first refresh has passed on the dashboard's clock, so the change goes out at once."""

    dashboard.run(dashboard.clock.advance(1.0))
    dashboard.refresh(dashboard.widget("docker-containers"))


def test_details_show_children_and_age(
    serve_dashboard: Callable[[str], LiveDashboard],
    new_page: Callable[..., Page],
    fake_docker: tuple[FakeDocker, str],
    page_problems: PageProblems,
) -> None:
    _, page = open_dashboard(serve_dashboard, new_page, fake_docker[1])

    page.get_by_label("Details of Immich: Running").click()

    panel = page.locator(".docker-container-panel").first
    expect(panel).to_be_visible()
    expect(panel.locator(".docker-container-child-name")).to_have_text(["immich_redis"])
    expect(panel.locator(".docker-container-child .docker-container-since")).to_have_text("started 3m ago")
    assert page_problems.console_errors == []


def test_escape_closes_details(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], fake_docker: tuple[FakeDocker, str]
) -> None:
    _, page = open_dashboard(serve_dashboard, new_page, fake_docker[1])
    page.get_by_label("Details of Immich: Running").click()

    page.keyboard.press("Escape")

    expect(page.locator(".docker-container-panel").first).to_be_hidden()


def test_stopped_container_shown_live(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], fake_docker: tuple[FakeDocker, str]
) -> None:
    fake, sock = fake_docker
    dashboard, page = open_dashboard(serve_dashboard, new_page, sock)
    expect(page.locator(".docker-container-warn")).to_have_count(0)

    fake.containers[2] = container("web", state="exited", status="Exited (137) 1 second ago")
    refresh_later(dashboard)

    stopped = page.locator(".docker-container-warn")
    expect(stopped).to_have_count(1)
    expect(stopped.locator(".docker-container-status")).to_have_attribute("title", "Exited (code 137)")


def test_open_details_survive_live_update(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], fake_docker: tuple[FakeDocker, str]
) -> None:
    fake, sock = fake_docker
    dashboard, page = open_dashboard(serve_dashboard, new_page, sock)
    page.get_by_label("Details of Immich: Running").click()

    fake.containers[1] = container("immich_redis", status="Up 4 minutes (unhealthy)", labels={"luna.parent": "immich"})
    refresh_later(dashboard)

    child = page.locator(".docker-container-child")
    expect(child).to_have_attribute("data-container-health", "unhealthy")
    expect(page.locator(".docker-container-panel").first).to_be_visible()


def test_details_keep_focus_and_show_count_live(
    serve_dashboard: Callable[[str], LiveDashboard], new_page: Callable[..., Page], fake_docker: tuple[FakeDocker, str]
) -> None:
    fake, sock = fake_docker
    dashboard, page = open_dashboard(serve_dashboard, new_page, sock)
    page.get_by_label("Details of Immich: Running").focus()
    page.keyboard.press("Enter")

    fake.containers[1] = container("immich_redis", status="Up 4 minutes (unhealthy)", labels={"luna.parent": "immich"})
    refresh_later(dashboard)

    panel = page.locator(".docker-container-panel").first
    expect(panel.locator(".docker-container-attention")).to_have_text("1 of 1 related containers need attention")
    expect(page.get_by_label("Details of Immich: Running; 1 of 1 related containers need attention")).to_be_focused()
