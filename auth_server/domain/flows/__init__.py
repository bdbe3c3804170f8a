"""The linking flows, one module per party and concern.

:class:`~auth_server.domain.service.LinkingService` joins them into one service.
"""
