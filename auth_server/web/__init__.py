"""The web layer: thin Flask blueprints around the domain and the OAuth server."""
