from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """Partner directory, partner-to-partner collaboration requests and the ecosystem map."""

    name = "partners.directory"
    label = "directory"
