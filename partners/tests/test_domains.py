import pytest

from ecosystem.errors import ApplicationError
from partners.domains import normalize_domain


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("acme.example", "acme.example"),
        ("https://WWW.Acme.Example/about?x=1", "acme.example"),
        ("  www.acme.example.  ", "acme.example"),
        ("shop.acme.co.uk", "shop.acme.co.uk"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("http://acme.example:8080", "acme.example"),
        ("", ""),
    ],
)
def test_domains_are_normalised_however_they_were_typed(typed, stored):
    assert normalize_domain(typed) == stored


@pytest.mark.parametrize(
    "typed", ["not a domain", "localhost", "acme", "-acme.example", "acme..example", "1.2.3.4", "a" * 64 + ".example"]
)
def test_things_that_are_not_domains_are_refused_with_a_field_error(typed):
    with pytest.raises(ApplicationError) as error:
        normalize_domain(typed)
    assert error.value.code == "invalid_domain"
    assert error.value.field == "website_domain"
