"""The three aliases are three roles on one database: rows loaded through one may relate to rows of another."""

ONE_DATABASE = frozenset({"default", "owner", "platform"})


class RolesOfOneDatabaseRouter:
    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        if obj1._state.db in ONE_DATABASE and obj2._state.db in ONE_DATABASE:
            return True
        return None
