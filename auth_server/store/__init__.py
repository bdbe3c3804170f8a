"""Storage with SQLAlchemy 2: SQLite as the embedded default, PostgreSQL for many workers or machines."""

from auth_server.store.database import DEFAULT_URL
from auth_server.store.database import Store
from auth_server.store.database import StoreClosed
from auth_server.store.database import StoreError
from auth_server.store.database import supported_url
from auth_server.store.sandboxes import Registered
from auth_server.store.sandboxes import SandboxLimit
from auth_server.store.sandboxes import SandboxStorage
from auth_server.store.sandboxes import SandboxTaken
from auth_server.store.sandboxes import remove_database
from auth_server.store.sandboxes import schema_fingerprint

__all__ = ["DEFAULT_URL", "Registered", "SandboxLimit", "SandboxStorage", "SandboxTaken", "Store", "StoreClosed",
           "StoreError", "remove_database", "schema_fingerprint", "supported_url"]
