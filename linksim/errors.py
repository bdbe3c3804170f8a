"""What the testing kit raises: ``LinksimError``, and ``ControlRefused`` when the server says no to a control.

Both are the client core's (:mod:`client_core.errors`), under the kit's names: the controls are sent by
:class:`client_core.ControlPlane`.
"""

from __future__ import annotations

from client_core.errors import ControlError
from client_core.errors import ControlRefused

__all__ = ["ControlRefused", "LinksimError"]

# The base of every error the testing kit raises (the clients raise their own: SellerRefused, AppRefused).
LinksimError = ControlError
