"""What a seller's tool does over HTTP: start a link, show the QR code, wait, exchange, confirm, unlink.

Not built yet: this package arrives with the seller client issue, once the identity provider serves HTTP.
"""
