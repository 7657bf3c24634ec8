"""Guanxi's benchmark suite: each case measured against baselines run in the same process.

Run `python -m bench` from the repository root (`python -m bench --help` lists the sizes).
Absolute times on a shared machine are noise; the ratios against baselines measured in the
same run, on identical data, are the result. See docs/performance.md.
"""
