"""Logins and sessions: password hashes, signed session tokens and the login throttle.

Nothing here knows HTTP or YAML; luna.web.auth applies it to requests and
luna.config.models checks the `auth` section with the rules defined here.
"""
