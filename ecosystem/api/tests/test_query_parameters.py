"""A NUL character in any query parameter is a 400 with the envelope, never a 500.

Found by the API fuzz: ``/directory/?q=G%00b`` reached PostgreSQL, which refuses NUL in text.
"""

from __future__ import annotations


def test_a_null_character_in_a_query_parameter_answers_400_naming_it(client, world):
    client.force_login(world.a.manager)

    response = client.get("/api/v1/t/alpha/directory/", {"q": "G\x00b"})

    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == ("validation_error", "null_characters_not_allowed", "q")


def test_a_partner_user_gets_the_same_answer(client, world):
    client.force_login(world.a.partner1_admin)

    response = client.get("/api/v1/t/alpha/directory/", {"q": "G\x00b"})

    assert response.status_code == 400
    assert response.json()["attr"] == "q"
