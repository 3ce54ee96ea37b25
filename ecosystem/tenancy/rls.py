"""Row-level security for tenant tables, as one migration operation every app uses the same way.

Each tenant table gets, with ``ENABLE`` and ``FORCE`` (so even the table owner is subject to them):

* ``tenant_isolation`` (permissive): ``tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint``.
  The NULLIF matters: once a transaction on a connection has set the value, later transactions read it
  back as '' instead of NULL, and ``''::bigint`` would be an error rather than "no rows".
* ``partner_isolation`` (restrictive, ANDed with the above): when ``app.partner_id`` is set (a partner
  user's request), only rows of that partner organisation; on staff-only tables, no rows at all;
  on shared configuration tables (``shared=True``: agreement texts, questionnaires), partner users
  read every row and change none; on rows a team of partners works on together
  (``partner_array_field``: a co-sold deal), only rows whose array of partner ids holds theirs.

Changing the policy text here changes what *new* migrations write; add a migration that runs
``TenantRLS`` again on the affected tables so existing databases follow.

Usage in a migration, after the table is created::

    TenantRLS("partnerorganization", partner_field="id")
    TenantRLS("dealregistration", partner_array_field="team_partner_ids")
"""

from __future__ import annotations

from django.db import migrations

TENANT_SETTING = "NULLIF(current_setting('app.tenant_id', true), '')::bigint"
PARTNER_SETTING = "NULLIF(current_setting('app.partner_id', true), '')::bigint"
USER_SETTING = "NULLIF(current_setting('app.user_id', true), '')::bigint"


def tenant_policy_sql(table: str, *, partner_column: str | None, shared: bool = False, partner_array: bool = False) -> list[str]:
    tenant = [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"',
        f'CREATE POLICY tenant_isolation ON "{table}" USING (tenant_id = {TENANT_SETTING}) WITH CHECK (tenant_id = {TENANT_SETTING})',
        *(
            f'DROP POLICY IF EXISTS {name} ON "{table}"'
            for name in ("partner_isolation", "partner_no_update", "partner_no_delete")
        ),
    ]
    staff_only = f"({PARTNER_SETTING} IS NULL)"
    if shared:
        # The tenant's program configuration (agreement texts, questions, capabilities): partner
        # users read it, only staff change it.
        return [
            *tenant,
            f'CREATE POLICY partner_isolation ON "{table}" AS RESTRICTIVE FOR INSERT WITH CHECK {staff_only}',
            f'CREATE POLICY partner_no_update ON "{table}" AS RESTRICTIVE FOR UPDATE USING {staff_only}',
            f'CREATE POLICY partner_no_delete ON "{table}" AS RESTRICTIVE FOR DELETE USING {staff_only}',
        ]
    # COALESCE rather than "unset OR column = setting": the same rows, but PostgreSQL estimates an OR
    # of two opaque expressions at 0.5 % of the rows, and then sorts whole tenants instead of reading
    # an ordered index (18 ms against 0.15 ms for a first page of 20,000 partners, bench/RESULTS.md).
    # "column = setting" is NULL when the setting is unset, or when the row has no partner: then the
    # row passes only if no partner is set (a partner user never sees staff rows).
    if partner_column and partner_array:
        # "x = ANY('{}')" is false, not NULL, even for a NULL x: "OR NULL" turns every false into NULL,
        # so staff (setting unset) read every row, empty arrays included, and a partner reads only
        # the rows whose array holds its id.
        partner_rule = f"(COALESCE(({PARTNER_SETTING} = ANY({partner_column})) OR NULL, {PARTNER_SETTING} IS NULL))"
    elif partner_column:
        partner_rule = f"(COALESCE({partner_column} = {PARTNER_SETTING}, {PARTNER_SETTING} IS NULL))"
    else:
        partner_rule = staff_only
    return [
        *tenant,
        f'CREATE POLICY partner_isolation ON "{table}" AS RESTRICTIVE USING {partner_rule} WITH CHECK {partner_rule}',
    ]


def tenant_policy_reverse_sql(table: str) -> list[str]:
    return [
        f'DROP POLICY IF EXISTS partner_no_delete ON "{table}"',
        f'DROP POLICY IF EXISTS partner_no_update ON "{table}"',
        f'DROP POLICY IF EXISTS partner_isolation ON "{table}"',
        f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"',
        f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
    ]


class TenantRLS(migrations.operations.base.Operation):
    """Enable and force row-level security with the tenant and partner policies on one model's table."""

    reversible = True
    reduces_to_sql = True

    def __init__(
        self, model_name: str, partner_field: str | None = None, shared: bool = False, partner_array_field: str | None = None
    ) -> None:
        if sum(map(bool, (shared, partner_field, partner_array_field))) > 1:
            raise ValueError("a table is partner-owned, team-owned or shared configuration: one of them")
        self.model_name = model_name
        self.partner_field = partner_field or partner_array_field
        self.partner_array = partner_array_field is not None
        self.shared = shared

    def state_forwards(self, app_label, state) -> None:
        pass

    def _table_and_column(self, app_label, state):
        model = state.apps.get_model(app_label, self.model_name)
        column = model._meta.get_field(self.partner_field).column if self.partner_field else None
        return model._meta.db_table, column

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        table, column = self._table_and_column(app_label, to_state)
        for statement in tenant_policy_sql(table, partner_column=column, shared=self.shared, partner_array=self.partner_array):
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        table, _ = self._table_and_column(app_label, from_state)
        for statement in tenant_policy_reverse_sql(table):
            schema_editor.execute(statement)

    def describe(self) -> str:
        return f"Row-level security on {self.model_name}"

    def deconstruct(self):
        kwargs = {"model_name": self.model_name}
        if self.partner_field and self.partner_array:
            kwargs["partner_array_field"] = self.partner_field
        elif self.partner_field:
            kwargs["partner_field"] = self.partner_field
        if self.shared:
            kwargs["shared"] = True
        return self.__class__.__qualname__, [], kwargs
