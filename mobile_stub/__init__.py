"""The TikTok app on the account holder's phone: sign in, scan, toggle permissions, authorize, answer invitations.

Not built yet: this package arrives with the app stub issue, once the identity provider serves HTTP.
"""
