"""Built-in static files under one content hash, and the CSS bundle.

Every static URL carries a hash of all static files, so browsers may cache
them for a year and still get new files after an upgrade. Relative imports
between the JavaScript modules keep working because the hash is a folder.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"
CSS_BUNDLE = "css/bundle.css"
# Page-wide styles come first, then the login page, the styles the feed
# widgets share and the popover. The per-widget files follow in name order.
CSS_SOURCES = ("css/main.css", "css/layout.css", "css/widget.css", "css/login.css", "css/feeds.css", "css/popover.css")

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("application/manifest+json", ".webmanifest")


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str


class StaticAssets:
    def __init__(self, root: Path = STATIC_ROOT) -> None:
        self.root = root

    @cached_property
    def files(self) -> dict[str, Asset]:
        found: dict[str, Asset] = {}
        for path in sorted(self.root.rglob("*")):
            if path.is_file():
                relative = path.relative_to(self.root).as_posix()
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                found[relative] = Asset(path.read_bytes(), media_type)
        found[CSS_BUNDLE] = Asset(self._bundle_css(found), "text/css")
        return found

    @cached_property
    def version(self) -> str:
        digest = hashlib.sha256()
        for name, asset in sorted(self.files.items()):
            digest.update(name.encode())
            digest.update(asset.body)
        return digest.hexdigest()[:10]

    def url(self, base_url: str, path: str) -> str:
        return f"{base_url}/static/{self.version}/{path}"

    def get(self, path: str) -> Asset | None:
        return self.files.get(path)

    def _bundle_css(self, files: dict[str, Asset]) -> bytes:
        widget_styles = sorted(name for name in files if name.startswith("css/widgets/") and name.endswith(".css"))
        parts = []
        for name in [*CSS_SOURCES, *widget_styles]:
            if name in files:
                parts.append(f"/* {name} */\n".encode() + files[name].body)
        return b"\n".join(parts)


_shared: StaticAssets | None = None


def static_assets() -> StaticAssets:
    """Return the process-wide static files, read once."""

    global _shared
    if _shared is None:
        _shared = StaticAssets()
    return _shared
