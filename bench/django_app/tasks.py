"""Work done in a separate Python process, where Django owns the process-wide settings:

    python -m bench.django_app.tasks prepare  --db URL
    python -m bench.django_app.tasks import   --db URL --rows N --repeat R

`prepare` creates the tables, a sales rep and their API token, and prints
{"token": ..., "user_id": ...}. `import` times full_clean() + bulk_create of the benchmark
rows and prints {"seconds": [...], "rows": N}. Both print one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import sys
import time
from decimal import Decimal
from typing import Any

from bench.databases import django_database


def _setup(url: str) -> None:
    os.environ["BENCH_DJANGO_DATABASE"] = json.dumps(django_database(url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.django_app.settings"
    import django
    from django.core.management import call_command

    django.setup()
    # Django's own apps first (migrations), then the lead table, whose foreign keys need
    # auth_user (run_syncdb would create it before the migrations, which PostgreSQL refuses).
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    from django.db import connection

    from bench.django_app.models import Lead

    if Lead._meta.db_table not in connection.introspection.table_names():
        with connection.schema_editor() as editor:
            editor.create_model(Lead)


def _rep() -> Any:
    from django.contrib.auth.models import User

    user, _ = User.objects.get_or_create(username="rep")
    return user


def prepare(url: str) -> dict[str, Any]:
    """Tables, a user and an API token for the DRF server."""
    _setup(url)
    from rest_framework.authtoken.models import Token

    user = _rep()
    token, _ = Token.objects.get_or_create(user=user)
    return {"token": token.key, "user_id": user.pk}


def _decimals(row: dict[str, Any]) -> dict[str, Any]:
    """JSON numbers as Decimals: Django's DecimalField refuses a float's binary digits."""
    return {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in row.items()}


def import_rows(url: str, rows: int, repeat: int) -> dict[str, Any]:
    """Seconds of each run of: build model objects from the rows, full_clean() each,
    bulk_create them in one transaction (batches of 1000, as Guanxi's import)."""
    _setup(url)
    from django.db import connection, transaction

    from bench.django_app.models import Lead
    from bench.projects import lead_rows

    user = _rep()
    data = lead_rows(rows)
    seconds = []
    for _ in range(repeat):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Lead._meta.db_table}")
        gc.collect()
        start = time.perf_counter()
        objects = [Lead(owner=user, created_by=user, **_decimals(row)) for row in data]
        for obj in objects:
            obj.full_clean()
        with transaction.atomic():
            Lead.objects.bulk_create(objects, batch_size=1000)
        seconds.append(time.perf_counter() - start)
    count = Lead.objects.count()
    if count != rows:
        raise SystemExit(f"expected {rows} leads after the import, found {count}")
    return {"seconds": seconds, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.django_app.tasks")
    parser.add_argument("task", choices=["prepare", "import"])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of an empty database")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    if args.task == "prepare":
        result = prepare(args.db)
    else:
        result = import_rows(args.db, args.rows, args.repeat)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
