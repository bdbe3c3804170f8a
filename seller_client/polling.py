"""Following a link until something happens: poll, report each change, stop when done or out of time.

The wait between polls is the server's ``Retry-After`` when it sends one (it knows how fast things can
change), else the caller's interval; never past the deadline, so a timeout is honoured to the poll.
"""

from __future__ import annotations

from collections.abc import Callable

from seller_client.errors import WaitTimeout
from seller_client.models import Link

Fetch = Callable[[], tuple[Link, float | None]]
OnChange = Callable[[Link], None]


def poll_link(
    fetch: Fetch,
    *,
    done: Callable[[Link], bool],
    watch: Callable[[Link], str],
    interval: float,
    timeout: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    on_change: OnChange | None = None,
    waiting_for: str = "the link",
) -> Link:
    """Fetch until ``done(link)``; call ``on_change`` whenever ``watch(link)`` differs from the last poll's.

    ``fetch`` gives the link and the server's ``Retry-After`` in seconds (or None). Raises WaitTimeout
    with the last link once ``timeout`` seconds have passed.
    """
    if interval <= 0:
        raise ValueError("the polling interval must be more than 0 seconds")
    if timeout < 0:
        raise ValueError("the timeout cannot be negative")
    deadline = clock() + timeout
    seen: str | None = None
    while True:
        link, retry_after = fetch()
        if on_change is not None and watch(link) != seen:
            on_change(link)
        seen = watch(link)
        if done(link):
            return link
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeout(f"gave up after {timeout:g}s waiting for {waiting_for}: link {link.link_id} is "
                              f"{link.state} ({link.consent_status})", link)
        sleep(min(retry_after if retry_after is not None else interval, remaining))
