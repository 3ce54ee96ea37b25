"""A corpus of hostile files, each built here in code, against :func:`ecosystem.uploads.check_upload`: all refused.

Then every view that sends an uploaded file back: attachment (or, for logos, an inline image with a
sandbox), ``nosniff``, and a 404 to a caller who fails the access check.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from ecosystem.uploads import check_upload
from onboarding.models import OnboardingStep, SecurityEvidence
from onboarding.services.reviews import EVIDENCE_EXTENSIONS as ONBOARDING_EXTENSIONS
from partners import content, services
from partners.mdf.models import MdfEvidence
from partners.mdf.services.checks import EVIDENCE_EXTENSIONS as MDF_EXTENSIONS
from partners.mdf.tests.support import budget_for, claim_as, funded
from partners.models import CONTENT_FILE_EXTENSIONS, LOGO_EXTENSIONS
from tests.fixtures import onboarding_plan_for

MIB = 1024 * 1024
LIMIT = 25 * MIB  # the content library's limit, the largest there is
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n"
    b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
HTML = b"<!doctype html><html><script>fetch('/api/v1/me').then(r=>r.text()).then(alert)</script></html>"
CONTENT_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def zip_of(entries: dict[str, bytes], *, encrypted: bool = False, stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    raw = bytearray(buffer.getvalue())
    if encrypted:  # zipfile cannot encrypt: set bit 0 of every entry's flags, which is what a reader goes by
        for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = raw.find(signature)
            while at >= 0:
                raw[at + flags_at] |= 0x1
                at = raw.find(signature, at + 4)
    return bytes(raw)


def office(**more: bytes) -> bytes:
    return zip_of({"[Content_Types].xml": CONTENT_TYPES.encode(), "word/document.xml": b"<w:document/>", **more})


def check(name: str, data: bytes, extensions=CONTENT_FILE_EXTENSIONS, max_bytes=LIMIT):
    return check_upload(SimpleUploadedFile(name, data), extensions=extensions, max_bytes=max_bytes)


# (attack, file name, bytes, the code it is refused with)
CORPUS = [
    ("exe-renamed-pdf", "invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"PE\x00\x00", "content_mismatch"),
    ("html-js-as-png", "logo.png", HTML, "content_mismatch"),
    ("svg-script-as-png", "logo.png", SVG, "content_mismatch"),
    ("svg-script-as-jpg", "photo.jpg", SVG, "content_mismatch"),
    ("svg-extension", "logo.svg", SVG, "invalid_extension"),
    ("pdf-with-zip-appended", "invoice.pdf", PDF + zip_of({"payload.html": HTML}), "polyglot"),
    ("zip-starting-with-pdf-garbage-as-pdf", "invoice.pdf", b"%PDF-1.7 garbage\n" + zip_of({"x.html": HTML}), "polyglot"),
    ("zip-starting-with-pdf-garbage-as-zip", "bundle.zip", b"%PDF-1.7 garbage\n" + zip_of({"x.html": HTML}), "content_mismatch"),
    ("png-html-after-iend", "logo.png", PNG + HTML, "polyglot"),
    ("png-zip-after-iend", "logo.png", PNG + zip_of({"x.html": HTML}), "polyglot"),
    ("jpg-with-zip-appended", "photo.jpg", JPG + zip_of({"x.html": HTML}), "polyglot"),
    ("zip-bomb-ratio-docx", "plan.docx", office(**{"word/media/big.bin": b"\x00" * (2 * MIB)}), "zip_bomb"),
    ("zip-bomb-ratio-xlsx", "sheet.xlsx", office(**{"xl/big.xml": b"\x00" * (2 * MIB)}), "zip_bomb"),
    ("zip-bomb-total-zip", "bundle.zip", zip_of({f"part{i}.bin": b"\x00" * MIB for i in range(101)}), "zip_bomb"),
    ("zip-bomb-entries-zip", "bundle.zip", zip_of({f"f{i}.txt": b"" for i in range(1_001)}), "zip_bomb"),
    ("zip-nested-in-docx", "plan.docx", office(**{"word/inner.zip": zip_of({"a": b"a"})}), "zip_nested"),
    ("zip-nested-in-zip", "bundle.zip", zip_of({"42.zip": zip_of({f"{i}.zip": b"" for i in range(16)})}), "zip_nested"),
    ("zip-traversal-dotdot", "bundle.zip", zip_of({"../evil.sh": b"x"}), "zip_unsafe_name"),
    ("zip-traversal-deep", "bundle.zip", zip_of({"docs/../../evil.sh": b"x"}), "zip_unsafe_name"),
    ("zip-traversal-backslash", "bundle.zip", zip_of({"..\\evil.bat": b"x"}), "zip_unsafe_name"),
    ("zip-absolute-path", "bundle.zip", zip_of({"/etc/cron.d/evil": b"x"}), "zip_unsafe_name"),
    ("zip-drive-letter", "bundle.zip", zip_of({"C:/Windows/evil.exe": b"x"}), "zip_unsafe_name"),
    ("zip-encrypted-entry", "bundle.zip", zip_of({"secret.txt": b"x"}, encrypted=True), "zip_encrypted"),
    ("docx-without-content-types", "plan.docx", zip_of({"word/document.xml": b"<w:document/>"}), "not_office_file"),
    ("docx-corrupt-zip", "plan.docx", b"PK\x03\x04" + b"\xff" * 200, "corrupt_zip"),
    ("over-size-limit", "invoice.pdf", b"%PDF-" + b"0" * LIMIT, "file_too_large"),
    ("empty-file", "invoice.pdf", b"", "empty_file"),
    ("double-extension-exe", "invoice.pdf.exe", b"MZ\x90\x00", "invalid_extension"),
    ("no-extension", "invoice", PDF, "invalid_extension"),
    ("nul-in-name", "invoice.exe\x00.pdf", PDF, "invalid_name"),
    ("control-chars-in-name", "invoice\r\nX-Injected: 1.pdf", PDF, "invalid_name"),
    ("bidi-override-in-name", "invoice\u202efdp.exe.pdf", PDF, "invalid_name"),
]


@pytest.mark.parametrize(("name", "data", "code"), [row[1:] for row in CORPUS], ids=[row[0] for row in CORPUS])
def test_every_hostile_file_is_refused_with_its_code_and_the_field(name, data, code):
    with pytest.raises(ApplicationError) as error:
        check(name, data)
    assert (error.value.code, error.value.field) == (code, "file")


def test_the_corpus_is_refused_in_full():
    refused = 0
    for _attack, name, data, _code in CORPUS:
        try:
            check(name, data)
        except ApplicationError:
            refused += 1
    assert refused == len(CORPUS) == 32  # 100 %


@pytest.mark.parametrize("extensions", [CONTENT_FILE_EXTENSIONS, LOGO_EXTENSIONS, MDF_EXTENSIONS, ONBOARDING_EXTENSIONS])
def test_no_upload_anywhere_takes_svg_or_html(extensions):
    assert not {"svg", "html", "htm", "xml", "exe"} & set(extensions)


def test_the_messages_say_what_is_wrong():
    with pytest.raises(ApplicationError) as bomb:
        check("sheet.xlsx", office(**{"xl/big.xml": b"\x00" * (2 * MIB)}))
    with pytest.raises(ApplicationError) as unsafe:
        check("bundle.zip", zip_of({"../evil.sh": b"x"}))
    with pytest.raises(ApplicationError) as not_office:
        check("plan.docx", zip_of({"a.txt": b"a"}))
    assert bomb.value.message == "The zip's xl/big.xml is compressed more than 100 to 1: refused as a zip bomb."
    assert unsafe.value.message == "The zip holds a file with an unsafe name: ../evil.sh."
    assert not_office.value.message == "The file is a zip but not a .docx document."


# --- the edges: real files and files just inside the limits pass ----------------------------------------


def real_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Partner", "Spend"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("invoice.pdf", PDF),
        ("logo.png", PNG),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),  # no IEND at all: truncated, nothing hidden after it
        ("photo.jpg", JPG),
        ("plan.docx", office()),
        ("sheet.xlsx", real_xlsx()),
        ("bundle.zip", zip_of({f"f{i}.txt": b"" for i in range(1_000)})),  # exactly 1,000 entries
        ("bundle.zip", zip_of({f"part{i}.bin": b"\x00" * MIB for i in range(100)})),  # exactly 100 MiB, 1 MiB each
        ("bundle.zip", zip_of({"docs/a..b.txt": b"x", "docs/readme.txt": b"x"})),  # ".." inside a name is no traversal
        ("bundle.zip", zip_of({"photo.jpg": bytes(range(256)) * 8192}, stored=True)),  # 2 MiB stored: ratio 1
    ],
    ids=[
        "pdf",
        "png",
        "png-without-iend",
        "jpg",
        "docx",
        "xlsx-openpyxl",
        "zip-1000-entries",
        "zip-100-mib",
        "zip-dots",
        "zip-stored",
    ],
)
def test_honest_files_pass_and_come_back_rewound(name, data):
    upload, original = check(name, data)
    assert original == name and upload.read() == data


# --- serving: attachment, nosniff, after the access check ------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def assert_attachment(response, filename: str) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    b"".join(response.streaming_content)  # the test client closes the file once read


def test_mdf_evidence_is_an_attachment_to_its_partner_and_staff_and_404_to_another_partner(client, world):
    budget_for(world.a, "10000", allocations={world.a.partner1: "3000"})
    claim_as(world.a, world.a.partner1, world.a.partner1_admin, funded(world.a, world.a.partner1, world.a.partner1_admin))
    with tenant_context(world.a.tenant.pk):
        [evidence] = MdfEvidence.objects.all()
    kwargs = {"tenant_slug": "alpha", "evidence_id": evidence.public_id}
    client.force_login(world.a.partner2_admin)
    assert client.get(reverse("partner_mdf:evidence", kwargs=kwargs)).status_code == 404
    client.force_login(world.a.partner1_admin)
    assert_attachment(client.get(reverse("partner_mdf:evidence", kwargs=kwargs)), "invoice.pdf")
    client.force_login(world.a.manager)
    assert_attachment(client.get(reverse("mdf:evidence", kwargs=kwargs)), "invoice.pdf")


def test_security_evidence_is_an_attachment_and_404_to_another_partner(client, world):
    plan = onboarding_plan_for(world.a.tenant, world.a.partner1)
    with tenant_context(world.a.tenant.pk):
        step = OnboardingStep.objects.get(plan=plan, kind="security_review")
    client.force_login(world.a.partner1_admin)
    upload = SimpleUploadedFile("policy.pdf", PDF)
    assert client.post(f"/p/alpha/onboarding/steps/{step.public_id}/evidence/", {"file": upload}).status_code == 302
    with tenant_context(world.a.tenant.pk):
        evidence = SecurityEvidence.objects.get(step=step)
    assert_attachment(client.get(f"/p/alpha/onboarding/evidence/{evidence.public_id}/"), "policy.pdf")
    client.force_login(world.a.partner2_admin)
    assert client.get(f"/p/alpha/onboarding/evidence/{evidence.public_id}/").status_code == 404
    client.force_login(world.a.manager)
    assert_attachment(client.get(f"/t/alpha/onboarding/evidence/{evidence.public_id}/"), "policy.pdf")


def content_item(world, partner_types=()):
    with tenant_context(world.a.tenant.pk):
        return content.content_create(
            tenant=world.a.tenant,
            actor=world.a.manager,
            title="Deck",
            kind="file",
            file=SimpleUploadedFile("deck.pdf", PDF),
            partner_types=list(partner_types),
        )


def test_content_downloads_in_the_portal_and_the_api_are_attachments_and_404_outside_the_partners_type(client, world):
    item = content_item(world)
    client.force_login(world.a.partner1_admin)
    assert_attachment(client.get(f"/p/alpha/content/{item.public_id}/download/"), "deck.pdf")
    assert_attachment(client.get(f"/api/v1/t/alpha/my-content/{item.public_id}/download/"), "deck.pdf")
    hidden = content_item(world, partner_types=["msp"])  # partner1 is a reseller
    assert client.get(f"/p/alpha/content/{hidden.public_id}/download/").status_code == 404
    assert client.get(f"/api/v1/t/alpha/my-content/{hidden.public_id}/download/").status_code == 404


def test_a_logo_is_the_one_inline_file_an_image_with_nosniff_and_a_sandbox_and_404_to_another_partner(client, world):
    with tenant_context(world.a.tenant.pk):
        services.partner_logo_set(
            tenant=world.a.tenant, actor=world.a.manager, partner=world.a.partner1, upload=SimpleUploadedFile("logo.png", PNG)
        )
    client.force_login(world.a.partner2_admin)
    assert client.get(f"/p/alpha/partners/{world.a.partner1.public_id}/logo/").status_code == 404
    client.force_login(world.a.partner1_admin)
    response = client.get(f"/p/alpha/partners/{world.a.partner1.public_id}/logo/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline") and "sandbox" in response["Content-Security-Policy"]
