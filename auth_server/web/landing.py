"""linksim's start page at ``/``: what it is, where the screens are, the demo's accounts and partner apps, the
addresses ``linksim serve`` prints, and a button that starts the world over from the demo data."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import render_template

bp = Blueprint("landing", __name__)


@bp.get("/")
def index() -> Any:
    return render_template("landing.html")
