"""What the `botjobs` commands share: the database they open, the profile they read, messages."""

from __future__ import annotations

import re
import sys
import time
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import click
import platformdirs

from db.migrations import open_db


def default_db_path() -> Path:
    return platformdirs.user_data_path("botjobs") / "botjobs.db"


def err(message: str) -> None:
    click.echo(message, err=True)


_status_written = [0.0]


def on_terminal() -> bool:
    """Whether messages go to a person's terminal (a status line is worth drawing)."""
    return sys.stderr.isatty()


def status(text: str, force: bool = False) -> None:
    """`text` as the terminal's one status line (stderr), at most twice a second unless forced."""
    now = time.monotonic()
    if force or now - _status_written[0] >= 0.5:
        _status_written[0] = now
        sys.stderr.write("\r" + text[:200].ljust(80))
        sys.stderr.flush()


def clear_status() -> None:
    """Blank the status line, for a message to take its place."""
    sys.stderr.write("\r" + " " * 80 + "\r")
    sys.stderr.flush()


def note(message: str) -> None:
    """A line of context (which database, which profile) that --quiet leaves out."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or not (ctx.find_root().obj or {}).get("quiet"):
        err(message)


def database(ctx: click.Context):
    """Open the chosen database (created and migrated if new) and say which file it is."""
    path = ctx.obj["db_path"]
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    note(f"database: {path}")
    return open_db(path)


profile_option = click.option(
    "--profile",
    "profile_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Profile file [default: the one `botjobs init` wrote, else the starter profile].",
)


def chosen_profile(db, profile_path: Path | None):
    """Read, check and store the profile; say which file it came from."""
    from matching.profile import ProfileError
    from pipeline.match import read_profile, store_profile

    try:
        profile, text, path = read_profile(profile_path)
    except ProfileError as exc:
        raise click.ClickException(f"{profile_path}: {exc}") from None
    note(f"profile: {profile.name} ({path})")
    profile_id, changed = store_profile(db, profile, text, path)
    return profile, profile_id, changed


REMOTE_WORDS = {"full": "full remote", "hybrid": "hybrid", "none": "on site"}


def money(low: float | None, high: float | None) -> str | None:
    """An annual gross range in k€: "40–45 k€", "≥ 65 k€", "≤ 50 k€"."""
    k = [None if v is None else f"{v / 1000:.0f}" for v in (low, high)]
    if k[0] and k[1]:
        return f"{k[0]} k€" if k[0] == k[1] else f"{k[0]}–{k[1]} k€"
    return f"≥ {k[0]} k€" if k[0] else (f"≤ {k[1]} k€" if k[1] else None)


AGE = re.compile(r"(\d+)\s*([hdw])", re.IGNORECASE)
AGE_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def since_moment(text: str, now: datetime, naive: tzinfo | None = None) -> datetime:
    """What `--since` means, in UTC: an age ("24h", "7d", "2w") counted back from `now`, or an
    ISO date or date and time; one without an offset is in `naive` (default: this machine's
    clock). ValueError for anything else."""
    text = text.strip()
    if age := AGE.fullmatch(text):
        return now - timedelta(**{AGE_UNITS[age[2].lower()]: int(age[1])})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a date (2026-11-20, 2026-11-20T08:00) nor an age (7d, 24h, 2w)"
        ) from None
    if moment.tzinfo is None and naive is not None:
        moment = moment.replace(tzinfo=naive)
    return moment.astimezone(UTC)


def place_text(row: dict[str, Any]) -> str | None:
    """ "Lyon (69)", else the region, else what the source wrote."""
    if row.get("city"):
        return f"{row['city']} ({row['department']})" if row.get("department") else row["city"]
    return row.get("region") or row.get("location") or None
