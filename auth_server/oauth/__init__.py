"""TikTok Login Kit v2 on authlib's authorization-server machinery.

- :mod:`~auth_server.oauth.models`: partner apps (OAuth clients), authorization codes and tokens, as
  authlib's mixins expect them;
- :mod:`~auth_server.oauth.wire`: TikTok's wire format at the boundary (``client_key``, comma-separated
  scopes, flat token responses, ``{error, error_description, log_id}`` in TikTok's words);
- :mod:`~auth_server.oauth.identifiers`: what a partner app sees, minted at the boundary (``open_id`` per app,
  ``union_id`` per developer, authorization codes with ``*`` and ``!``);
- :mod:`~auth_server.oauth.grants`: the grants (authorization code with PKCE in hex or base64url,
  refresh-token rotation, client credentials), revocation (RFC 7009) and introspection (RFC 7662);
- :mod:`~auth_server.oauth.qr_code`: Login Kit with QR code (``get_qrcode``, ``check_qrcode``, the app's
  answer), for desktop and TV apps;
- :mod:`~auth_server.oauth.tables`: their tables, on the store's metadata (imported here, so they are mapped
  before any is used);
- :mod:`~auth_server.oauth.records`: reading and writing them through a unit of work, each call a transaction;
- :mod:`~auth_server.oauth.consent_tokens`: the signed payloads of the linking API's consent QR codes;
- :mod:`~auth_server.oauth.link_tokens`: the seller's token of each established link (E4), issued once it is active;
- :mod:`~auth_server.oauth.server`: the authorization server that joins them to a unit of work and a clock.
"""

from auth_server.oauth import tables as tables
