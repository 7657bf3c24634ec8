"""The `guanxi` command line.
"""
