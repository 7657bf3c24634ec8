"""The Django + Django REST framework baseline: the same lead model, the way a Django user
would write it. Configured in code (`settings.py`); the database comes from the
environment variable BENCH_DJANGO_DATABASE (a JSON object for DATABASES["default"])."""
