"""The app's session between commands: a small JSON file (``~/.linksim/app-session.json`` by default)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path

STATE_ENV = "LINKSIM_APP_STATE"
DEFAULT_STATE = Path("~/.linksim/app-session.json")


def state_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``explicit``, else ``$LINKSIM_APP_STATE``, else the default."""
    chosen = explicit or os.environ.get(STATE_ENV) or DEFAULT_STATE
    return Path(chosen).expanduser()


@dataclass(frozen=True)
class SavedSession:
    url: str  # the server that issued the token: it means nothing to another one
    token: str
    username: str
    open_id: str


def load(path: Path) -> SavedSession | None:
    """The saved session, or None when there is none (a damaged file counts as none: sign in again)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SavedSession(**{name: str(data[name]) for name in ("url", "token", "username", "open_id")})
    except (OSError, ValueError, TypeError, KeyError):
        return None


def save(path: Path, session: SavedSession) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The token signs in as the holder: only its owner may read the file, from the moment it exists.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump(asdict(session), file, indent=2)


def clear(path: Path) -> bool:
    """Forget the session; False when there was none."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
