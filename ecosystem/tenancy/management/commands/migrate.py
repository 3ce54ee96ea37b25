"""`manage.py migrate` runs as the schema owner unless told otherwise.

The application role may not create tables (by design), so the plain Django default of
``--database=default`` could only fail; this makes the ordinary command do the right thing.
"""

from django.core.management.commands.migrate import Command as DjangoMigrateCommand


class Command(DjangoMigrateCommand):
    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(database="owner")
