"""Test session set-up: a real PostgreSQL database per xdist worker, built as the production one is.

pytest-django would create the test database as the ``default`` connection, i.e. as the app role,
which may not create databases or own tables (that is the point). So this file replaces
``django_db_setup``: the bootstrap (superuser) connection creates the roles and the database,
migrations run as the owner role, and the tests then connect as the app role, like production.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    from django.conf import settings
    from django.db import connections

    from ecosystem.tenancy import bootstrap

    name = settings.TEST_DATABASE_NAME
    with django_db_blocker.unblock():
        bootstrap.drop_database(name)  # a run that was killed may have left it behind
        bootstrap.use_database(name)
        _allow_test_flush(name)
    yield name
    with django_db_blocker.unblock():
        for connection in connections.all():
            connection.close()
        bootstrap.drop_database(name)


def _allow_test_flush(name: str) -> None:
    """Test databases only: let the app and platform roles TRUNCATE.

    Transactional tests (live server, real Celery worker) empty the tables between tests with
    TRUNCATE, as the connection they run on. Production roles never get this privilege.
    """
    from django.db import connections

    from ecosystem.tenancy.bootstrap import role_names

    names = role_names()
    with connections["owner"].cursor() as cursor:
        cursor.execute(f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{names["default"]}", "{names["platform"]}"')
    connections["owner"].close()


pytest_plugins = ["tests.fixtures"]
