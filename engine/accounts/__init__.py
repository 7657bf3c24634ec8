"""Who uses Guanxi: user accounts, password policy and sign-in sessions.
"""
