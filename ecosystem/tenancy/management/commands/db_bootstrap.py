from django.conf import settings
from django.core.management.base import BaseCommand

from ecosystem.tenancy.bootstrap import bootstrap


class Command(BaseCommand):
    help = "Create the owner, app and platform roles and the database, using the DATABASE_URL user."

    def handle(self, *args, **options) -> None:
        name = settings.DATABASES["default"]["NAME"]
        created = bootstrap(name)
        self.stdout.write(f"database {name}: {'created' if created else 'present'}; roles and privileges in place")
