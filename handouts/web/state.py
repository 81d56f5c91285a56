"""What every part of the front desk shares, kept on the app as app.extensions["handouts"].

The views (pages.py, api.py, signin.py, brand.py) reach it through `settings()` while they answer a
request, rather than through closures inside `create_app`, so each can live in a module of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

from .desk import Desk
from .guard import LoginThrottle

# Everything under it is the JSON API: answered in JSON, authorised by its bearer token, not by signing in.
API_PREFIX = "/api/"


@dataclass(frozen=True)
class Settings:
    """The desk (content, templates, history, output folder, delivery, staff, drawing workers) and how the
    app guards it."""

    desk: Desk
    throttle: LoginThrottle
    session_idle: float
    session_lifetime: float
    api_token: str | None  # None: the API is off
    local_only: bool  # served on 127.0.0.1: requests must name this computer
    host_names: tuple[str, ...]  # otherwise, the names it must be reached by
    tls: bool  # cookies over HTTPS only, and browsers told to keep to it


def settings() -> Settings:
    """The shared state of the app answering this request."""
    return current_app.extensions["handouts"]


def for_the_api() -> bool:
    """Does this request go to the JSON API (whatever its path after /api/)?"""
    return request.path.startswith(API_PREFIX)
