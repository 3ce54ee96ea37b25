"""Migrations run as the owner role only; the app and platform roles can never change the schema."""


class RoleRouter:
    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == "owner"
