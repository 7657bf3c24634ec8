"""The Store: the one door for every read and write, over SQLite or PostgreSQL.
"""
