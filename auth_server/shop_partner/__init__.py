"""TikTok Shop's Partner API authorization: what a Shop partner's app meets (shared/TIKTOK_WIRE.md sections 3 and 4).

- :mod:`~auth_server.shop_partner.models`: Shop apps, sign-ins to Seller Center, authorizations, codes, tokens;
- :mod:`~auth_server.shop_partner.signing`: the signature of API calls and of webhooks;
- :mod:`~auth_server.shop_partner.errors`: TikTok Shop's numeric error codes, each with its message;
- :mod:`~auth_server.shop_partner.tables`: their tables, on the store's metadata (imported here);
- :mod:`~auth_server.shop_partner.authorizations`: authorizing an app, exchanging and refreshing tokens,
  checking a signed call, deauthorizing;
- :mod:`~auth_server.shop_partner.webhooks`: the signed webhooks, kept in an outbox until delivered;
- :mod:`~auth_server.shop_partner.delivery`: a world's outbox sent and retried on its clock, and linksim's linking
  events turned into webhooks for the apps that opted in.
"""

from auth_server.shop_partner import tables as tables
