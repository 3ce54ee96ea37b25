"""Isolation matrix rows for partner contacts and the partner and contact CSV imports, and the tenant A
objects they probe.

Every route is vendor staff's: partner users get 404 everywhere. The probe contact is partner 1's.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _contact(o: dict) -> dict:
    return {"partner_id": o["partner"], "contact_id": o["partner_contact"]}


ROUTES: dict[str, Route] = {
    # vendor portal: the imports, and a partner's contacts on its page
    "partners:import": Route(no_ids, ("GET", "POST")),
    "partners:contacts_import": Route(no_ids, ("GET", "POST")),
    "partners:contact_create": Route(lambda o: {"partner_id": o["partner"]}, ("GET", "POST"), partner_owned=True),
    "partners:contact_edit": Route(_contact, ("GET", "POST"), partner_owned=True),
    "partners:contact_delete": Route(_contact, ("POST",), partner_owned=True),
    # API, staff
    "api:partner-import": Route(no_ids, ("POST",)),
    "api:partner-contact-list": Route(no_ids, ("GET", "POST")),
    "api:partner-contact-detail": Route(
        lambda o: {"public_id": o["partner_contact"]}, ("GET", "PUT", "PATCH", "DELETE"), partner_owned=True
    ),
    "api:partner-contact-import": Route(no_ids, ("POST",)),
}


def objects(a) -> dict:
    """Tenant A's objects for these rows (made inside A's tenant scope): a contact at partner 1."""
    from partners.contacts import partner_contact_create

    contact = partner_contact_create(
        tenant=a.tenant, actor=a.owner, partner=a.partner1, name="Probe Contact", email="probe.contact@reseller.example"
    )
    return {"partner_contact": contact.public_id, "partner1_ids": {str(contact.public_id)}}
