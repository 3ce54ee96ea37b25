from django.db import migrations

from ecosystem.tenancy.rls import TenantRLS


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        TenantRLS("auditentry", partner_field="partner"),
        # Append-only, for every role including the owner and the admin's platform role.
        migrations.RunSQL(
            """
            CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only (% on %)', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END $$;
            CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
                FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
            CREATE TRIGGER platform_audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_platformauditentry
                FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
            """,
            """
            DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
            DROP TRIGGER IF EXISTS platform_audit_entry_append_only ON audit_platformauditentry;
            DROP FUNCTION IF EXISTS audit_reject_change();
            """,
        ),
    ]
