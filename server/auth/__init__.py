"""Who is asking: sign-in, sessions, CSRF, API tokens and the login brake.
"""
