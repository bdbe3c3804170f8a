"""The linking domain as plain Python: no Flask, no HTTP, no SQL.

Like Flask's ``sansio`` package, this code does no I/O of its own: storage comes in
through :class:`~auth_server.domain.repository.Repository`, time through a
:class:`~auth_server.domain.clock.Clock`.
"""
