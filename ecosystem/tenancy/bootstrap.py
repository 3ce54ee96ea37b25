"""Create the database roles and the database, as the bootstrap (superuser) connection.

Idempotent: run by every `make run`, by the test session for its own database, and by the
production stack's one-off `migrate` service. It never grants on existing tables: privileges come
from default privileges set before the first migration, so a table that revokes something (the
append-only audit log) keeps it revoked.
"""

from __future__ import annotations

from typing import Any

import psycopg2
from django.conf import settings
from psycopg2 import sql


def _connect(database: str) -> Any:
    bootstrap = settings.DATABASE_BOOTSTRAP
    connection = psycopg2.connect(
        dbname=database,
        user=bootstrap["USER"],
        password=bootstrap.get("PASSWORD") or None,
        host=bootstrap.get("HOST") or None,
        port=bootstrap.get("PORT") or None,
    )
    connection.autocommit = True
    return connection


def role_names() -> dict[str, str]:
    return {alias: config["USER"] for alias, config in settings.DATABASE_ROLES.items()}


def ensure_roles() -> None:
    roles = settings.DATABASE_ROLES
    attributes = {
        "default": "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
        "owner": "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
        # Django admin's alias: may read across tenants, nothing else special.
        "platform": "LOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE",
    }
    with _connect("postgres") as connection, connection.cursor() as cursor:
        # Parallel test workers bootstrap at the same moment; roles are cluster-wide, so take turns.
        cursor.execute("SELECT pg_advisory_lock(hashtext('ecosystem-bootstrap-roles'))")
        for alias, config in roles.items():
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [config["USER"]])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            cursor.execute(
                sql.SQL("{} ROLE {} WITH " + attributes[alias] + " PASSWORD %s").format(
                    sql.SQL(verb), sql.Identifier(config["USER"])
                ),
                [config["PASSWORD"]],
            )
    connection.close()


def ensure_database(name: str) -> bool:
    """Create database ``name`` owned by the owner role; return True if it was created."""
    owner = role_names()["owner"]
    connection = _connect("postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(name), sql.Identifier(owner)
                )
            )
            return True
    finally:
        connection.close()


def grant_privileges(name: str) -> None:
    names = role_names()
    owner, app, platform = names["owner"], names["default"], names["platform"]
    identifiers = {
        "db": sql.Identifier(name),
        "owner": sql.Identifier(owner),
        "app": sql.Identifier(app),
        "platform": sql.Identifier(platform),
    }
    statements = [
        "REVOKE ALL ON DATABASE {db} FROM PUBLIC",
        "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {app}, {platform}",
        "GRANT ALL ON DATABASE {db} TO {owner}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "GRANT USAGE, CREATE ON SCHEMA public TO {owner}",
        "GRANT USAGE ON SCHEMA public TO {app}, {platform}",
        (
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}, {platform}"
        ),
        ("ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app}, {platform}"),
    ]
    connection = _connect(name)
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(sql.SQL(statement).format(**identifiers))
    finally:
        connection.close()


def drop_database(name: str) -> None:
    connection = _connect("postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        connection.close()


def bootstrap(name: str) -> bool:
    ensure_roles()
    created = ensure_database(name)
    grant_privileges(name)
    return created


def use_database(name: str) -> None:
    """Point every alias (app, owner, platform) at database ``name``, bootstrapped and migrated.

    For the test session and the benchmarks, which each work in a database of their own.
    """
    from django.core.management import call_command
    from django.db import connections

    bootstrap(name)
    for alias in settings.DATABASES:
        connections[alias].close()
        settings.DATABASES[alias]["NAME"] = name
        connections[alias].settings_dict["NAME"] = name
    call_command("migrate", database="owner", verbosity=0)
