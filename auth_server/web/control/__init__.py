"""The simulator's own controls over HTTP (``/_sim/...``): the test-control plane.

One blueprint per concern, all under ``/_sim`` and behind the same gate (:mod:`.access`). Each acts on the
request's world: the main one, or the sandbox named by ``/sandboxes/ID/_sim/...`` or the sandbox header.
"""

from __future__ import annotations

from flask import Blueprint

from auth_server.web.control import faults
from auth_server.web.control import flows
from auth_server.web.control import journal
from auth_server.web.control import parties
from auth_server.web.control import sandboxes
from auth_server.web.control import settings
from auth_server.web.control import shop_apps
from auth_server.web.control import timeline
from auth_server.web.control import webhooks
from auth_server.web.control import world

BLUEPRINTS: tuple[Blueprint, ...] = (world.bp, sandboxes.bp, flows.bp, settings.bp, faults.bp, journal.bp,
                                   webhooks.bp, shop_apps.bp, parties.bp, timeline.bp)
