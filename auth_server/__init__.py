"""linksim's mock TikTok identity provider and the linking domain it enforces.

- :mod:`auth_server.domain`: the accounts, shops, links, rules, policies and clock, as plain Python;
- :mod:`auth_server.store`: their storage, SQLite by default or PostgreSQL, through SQLAlchemy;
- :mod:`auth_server.simulator`: the two wired together, which the command line and the web layer use.
"""
