"""Read the PostgreSQL catalogue to prove tenancy is enforced by the database, not by memory."""

from __future__ import annotations

from django.conf import settings
from django.db import connections

TENANT_TABLES_SQL = """
    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
           COALESCE(array_agg(p.polname ORDER BY p.polname) FILTER (WHERE p.polname IS NOT NULL), '{}'),
           COALESCE(bool_or(NOT p.polpermissive), false)
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    LEFT JOIN pg_policy p ON p.polrelid = c.oid
    WHERE c.relkind IN ('r', 'p')
    GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity
    ORDER BY c.relname
"""


def tenant_tables(using: str = "default") -> list[str]:
    with connections[using].cursor() as cursor:
        cursor.execute(TENANT_TABLES_SQL)
        return [row[0] for row in cursor.fetchall()]


def rls_problems(using: str = "default") -> list[str]:
    """Every way a table with a ``tenant_id`` column falls short of the tenancy rules, as sentences."""
    problems = []
    with connections[using].cursor() as cursor:
        cursor.execute(TENANT_TABLES_SQL)
        for table, enabled, forced, policies, has_restrictive in cursor.fetchall():
            if not enabled:
                problems.append(f"{table}: row-level security is not enabled")
            if not forced:
                problems.append(f"{table}: row-level security is not forced (the owner would bypass it)")
            if "tenant_isolation" not in policies:
                problems.append(f"{table}: no tenant_isolation policy")
            if not has_restrictive:
                problems.append(f"{table}: no restrictive partner policy")
    return problems


def app_role_problems(using: str = "default") -> list[str]:
    """The web and worker role must be an ordinary role that owns nothing."""
    role = settings.DATABASE_ROLES["default"]["USER"]
    problems = []
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        current, superuser, bypass = cursor.fetchone()
        if current != role:
            problems.append(f"the app connects as {current}, not {role}")
        if superuser:
            problems.append(f"{current} is a superuser")
        if bypass:
            problems.append(f"{current} has BYPASSRLS")
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = current_user AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
        )
        owned = cursor.fetchone()[0]
        if owned:
            problems.append(f"{current} owns {owned} relations")
    return problems
