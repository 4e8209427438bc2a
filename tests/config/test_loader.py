"""Loading a whole configuration: a real Glance file, `.env`, and `config print` redaction."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from luna.config.errors import ConfigError
from luna.config.fields import HSL
from luna.config.loader import find_config_path, load_dotenv_file, print_config_text
from tests.config.support import MINIMAL_PAGES, load, only_problem, where, write_file

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def glance_config(tmp_path: Path) -> Path:
    path = tmp_path / "glance.yml"
    shutil.copy(FIXTURES / "glance.yml", path)
    return path


def test_glance_file_loads_unchanged(glance_config: Path) -> None:
    config = load(glance_config, {"PIHOLE_PASSWORD": "pi-hole-password"}).config

    assert [page.slug for page in config.pages] == ["home", "media"]
    assert [page.content_width for page in config.pages] == ["wide", "slim"]
    assert config.pages[1].navigation_width == "default"


def test_glance_file_server_and_branding(glance_config: Path) -> None:
    config = load(glance_config, {"PIHOLE_PASSWORD": "x"}).config

    assert (config.server.host, config.server.port, config.server.base_url) == ("0.0.0.0", 8080, "/dashboard")
    assert config.server.proxied is True
    assert config.document.head == '<meta name="robots" content="noindex">\n'
    assert config.branding.app_name == "Home Lab"
    assert config.branding.favicon_url == "/assets/favicon.png"


def test_glance_file_theme_presets(glance_config: Path) -> None:
    theme = load(glance_config, {"PIHOLE_PASSWORD": "x"}).config.theme

    assert theme.background_color == HSL(225, 14, 15)
    assert list(theme.presets) == ["gruvbox-dark", "zebra"]
    assert theme.presets["zebra"].light is True
    assert theme.presets["gruvbox-dark"].negative_color == HSL(6, 96, 59)


def test_glance_file_widgets_in_place(glance_config: Path) -> None:
    home = load(glance_config, {"PIHOLE_PASSWORD": "x"}).config.pages[0]

    assert [widget.type for widget in home.head_widgets] == ["search"]
    assert [[widget.type for widget in column.widgets] for column in home.columns] == [
        ["clock", "bookmarks"],
        ["group", "split-column"],
        ["clock"],
    ]


def test_glance_file_monitor_sites(glance_config: Path) -> None:
    home = load(glance_config, {"PIHOLE_PASSWORD": "pi-hole-password"}).config.pages[0]
    services, network = home.columns[1].widgets[0].widgets
    gitea, vaultwarden = services.sites[1], services.sites[2]

    assert services.cache == 60.0
    assert gitea.check_url == "http://gitea:3000/api/healthz"
    assert gitea.timeout == 3.0
    assert vaultwarden.alt_status_codes == [401, 403]
    assert vaultwarden.icon.url == "https://cdn.jsdelivr.net/npm/simple-icons@latest/icons/vaultwarden.svg"
    assert network.sites[0].basic_auth.password == "pi-hole-password"


def test_glance_file_bookmark_groups(glance_config: Path) -> None:
    home = load(glance_config, {"PIHOLE_PASSWORD": "x"}).config.pages[0]
    general, homelab = home.columns[0].widgets[1].groups

    assert general.color == HSL(10, 70, 50)
    assert general.links[2].same_tab is True
    assert homelab.links[1].icon.url == "https://cdn.jsdelivr.net/gh/homarr-labs/dashboard-icons/png/proxmox.png"


def test_glance_file_reads_one_file(glance_config: Path) -> None:
    loaded = load(glance_config, {"PIHOLE_PASSWORD": "x"})

    assert loaded.files == [glance_config.resolve()]
    assert len(loaded.fingerprint) == 64


def test_unset_variable_reported_once(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "server:\n  port: ${PORT}\n" + MINIMAL_PAGES)

    problem = only_problem(path)

    assert where(problem) == ("luna.yml", 2, 9)
    assert problem.message.startswith("environment variable PORT is not set")


def test_dotenv_adds_missing_variables(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("# settings\nNAS_HOST=nas.local\nexport TOKEN='a b c'\n", encoding="utf-8")
    environ: dict[str, str] = {}

    added = load_dotenv_file(tmp_path, environ)

    assert added == ["NAS_HOST", "TOKEN"]
    assert environ == {"NAS_HOST": "nas.local", "TOKEN": "a b c"}


def test_dotenv_never_overrides_environment(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("NAS_HOST=from-file\nOTHER=x\n", encoding="utf-8")
    environ = {"NAS_HOST": "from-environment"}

    added = load_dotenv_file(tmp_path, environ)

    assert added == ["OTHER"]
    assert environ["NAS_HOST"] == "from-environment"


def test_dotenv_empty_value_still_counts_as_set(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("EMPTY=\n", encoding="utf-8")
    environ: dict[str, str] = {}

    load_dotenv_file(tmp_path, environ)

    assert environ == {"EMPTY": ""}


def test_dotenv_missing_file_adds_nothing(tmp_path: Path) -> None:
    environ: dict[str, str] = {}

    added = load_dotenv_file(tmp_path, environ)

    assert added == []
    assert environ == {}


def test_config_path_from_option_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, "luna.yml", MINIMAL_PAGES)

    assert find_config_path("other.yml", {"LUNA_CONFIG": "env.yml"}) == Path("other.yml")
    assert find_config_path(None, {"LUNA_CONFIG": "env.yml"}) == Path("env.yml")
    assert find_config_path(None, {}) == Path("luna.yml")


def test_config_path_falls_back_to_glance_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    assert find_config_path(None, {}) is None

    write_file(tmp_path, "glance.yml", MINIMAL_PAGES)

    assert find_config_path(None, {}) == Path("glance.yml")


PRINTED = """
server:
  port: ${PORT}
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - $include: monitor.yml
"""

PRINTED_MONITOR = """
- type: monitor
  sites:
    - title: NAS \\${NOT_A_VARIABLE}
      url: https://admin:${secret:nas}@nas.local/
      basic-auth: {username: admin, password: hunter22}
      headers:
        Authorization: Bearer abc.def
    - title: Router
      url: http://192.168.1.1/
      basic-auth:
        username: admin
        password: "router pass"   # from the sticker
      token: t0k3n
      secret-key: ${secret:nas}
"""


@pytest.fixture
def printed(tmp_path: Path) -> list[str]:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "nas").write_text("nas-password\n", encoding="utf-8")
    path = write_file(tmp_path, "luna.yml", PRINTED)
    write_file(tmp_path, "monitor.yml", PRINTED_MONITOR)
    return print_config_text(path, environ={"PORT": "9000"}, secrets_dir=secrets).splitlines()


def test_print_expands_includes(printed: list[str]) -> None:
    assert "          - type: monitor" in printed
    assert not any("$include" in line for line in printed)


def test_print_substitutes_variables(printed: list[str]) -> None:
    assert "  port: 9000" in printed
    assert "              - title: NAS ${NOT_A_VARIABLE}" in printed


def test_print_hides_secret_values(printed: list[str]) -> None:
    assert not any("nas-password" in line for line in printed)
    assert "                url: https://admin:***@nas.local/" in printed
    assert "                secret-key: ***" in printed


@pytest.mark.parametrize(
    "expected",
    [
        "                basic-auth: {username: admin, password: ***}",
        "                  Authorization: ***",
        "                  password: ***   # from the sticker",
        "                token: ***",
    ],
)
def test_print_hides_sensitive_keys(printed: list[str], expected: str) -> None:
    assert expected in printed


def test_print_leaks_no_sensitive_value(printed: list[str]) -> None:
    text = "\n".join(printed)

    for value in ("hunter22", "abc.def", "router pass", "t0k3n"):
        assert value not in text


def test_print_reports_unset_variable(tmp_path: Path) -> None:
    path = write_file(tmp_path, "luna.yml", "server:\n  port: ${PORT}\n")

    with pytest.raises(ConfigError) as raised:
        print_config_text(path, environ={})

    assert [where(problem) for problem in raised.value.problems] == [("luna.yml", 2, 9)]


@pytest.mark.parametrize("header", ["x-api-key", "X-Auth-Token", "x-access-token"])
def test_print_hides_secret_headers(tmp_path: Path, header: str) -> None:
    path = tmp_path / "luna.yml"
    path.write_text(f"pages:\n  - name: Home\n    headers:\n      {header}: abc123\n", encoding="utf-8")

    printed = print_config_text(path, environ={})

    assert "abc123" not in printed
    assert f"{header}: ***" in printed
