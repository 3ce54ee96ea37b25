"""Print, or write into docs/integrator.md, the table of API resources generated from the OpenAPI document."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from ecosystem.api import resource_table


class Command(BaseCommand):
    help = "Print the API resource table; with --write, update it in docs/integrator.md."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--write", action="store_true", help="rewrite the generated block in docs/integrator.md")

    def handle(self, *args, write: bool = False, **options) -> None:
        schema = SchemaGenerator().get_schema(request=None, public=True)
        document = json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))
        if not write:
            self.stdout.write(resource_table.render(document))
            return
        changed = resource_table.write(document)
        self.stdout.write(f"{resource_table.doc_path()}: {'updated' if changed else 'already up to date'}")
