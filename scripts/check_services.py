"""Before the suite runs: are PostgreSQL and Redis answering? Say clearly which one is not, and how to fix it."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlparse

import psycopg
import redis


def check_postgres(url: str) -> str | None:
    parsed = urlparse(url)
    try:
        with psycopg.connect(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password,
            dbname="postgres",
            connect_timeout=3,
        ) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001
        return (
            f"PostgreSQL at {parsed.hostname}:{parsed.port or 5432} is not reachable ({exc.__class__.__name__}: {exc})."
        )
    return None


def check_redis(url: str) -> str | None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis at {url} is not reachable ({exc.__class__.__name__}: {exc})."
    return None


def main() -> int:
    problems = [
        p for p in (check_postgres(os.environ["DATABASE_URL"]), check_redis(os.environ["REDIS_URL"])) if p is not None
    ]
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if problems:
        print(
            "The test suite runs against real PostgreSQL and Redis. Start them, or point DATABASE_URL and REDIS_URL "
            "at running servers (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/firstslice "
            "REDIS_URL=redis://127.0.0.1:6379/0).",
            file=sys.stderr,
        )
        return 1
    print("PostgreSQL and Redis are answering.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
