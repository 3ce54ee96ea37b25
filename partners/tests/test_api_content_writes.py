"""``content/`` writes: the portal's content pages through the API (links as JSON, files as multipart)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecosystem.tenancy.context import tenant_context
from partners.models import ContentItem

URL = "/api/v1/t/alpha/content/"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LINK = {"title": "Battlecard", "kind": "link", "url": "https://alpha.example/battlecard", "partner_types": ["msp"]}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_partner_manager_adds_a_link_for_msps(client, world):
    client.force_login(world.a.manager)
    response = client.post(URL, LINK, content_type="application/json")
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["partner_types"], response.json()["is_published"]) == ("link", ["msp"], True)


def test_a_file_is_uploaded_as_multipart_and_keeps_its_name(client, world):
    client.force_login(world.a.manager)
    upload = SimpleUploadedFile("Q3 deck.pdf", PDF, content_type="application/pdf")
    response = client.post(URL, {"title": "Q3 deck", "kind": "file", "file": upload})
    assert response.status_code == 201, response.content
    assert (response.json()["original_filename"], response.json()["file_size"]) == ("Q3 deck.pdf", len(PDF))


def test_a_plain_http_link_is_refused_on_its_field_and_nothing_is_stored(client, world):
    client.force_login(world.a.manager)
    response = client.post(URL, {**LINK, "url": "http://alpha.example/x"}, content_type="application/json")
    assert (response.status_code, response.json()["attr"]) == (400, "url")
    with tenant_context(world.a.tenant.pk):
        assert not ContentItem.objects.exists()


def test_patch_changes_only_what_is_sent_and_unpublish_hides_the_item(client, world):
    client.force_login(world.a.manager)
    item = client.post(URL, LINK, content_type="application/json").json()
    changed = client.patch(f"{URL}{item['id']}/", {"title": "Battlecard v2"}, content_type="application/json")
    assert (changed.json()["title"], changed.json()["partner_types"]) == ("Battlecard v2", ["msp"])
    hidden = client.post(f"{URL}{item['id']}/unpublish/")
    assert hidden.json()["is_published"] is False


def test_an_analyst_reads_the_library_but_may_not_add_to_it(client, world):
    client.force_login(world.a.analyst)
    assert client.get(URL).status_code == 200
    assert client.post(URL, LINK, content_type="application/json").status_code == 403
