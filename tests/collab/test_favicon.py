"""/favicon.ico answered 404 on every page load (issue 8 item 12): the icon is a static file, linked from the
base template, and /favicon.ico leads to it."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == static("img/favicon.ico")
    path = finders.find("img/favicon.ico")
    assert path, "the icon is a static file"
    with open(path, "rb") as icon:
        head = icon.read(6)
    assert head == b"\x00\x00\x01\x00\x01\x00"  # an ICO file with one image


def test_every_page_links_the_icon(login, hr_a, hr_b, client):
    for body in (
        client.get(reverse("login")).content.decode(),
        login(hr_a).get(reverse("tenant-home", kwargs={"tenant_slug": "alpha"})).content.decode(),
    ):
        assert f'<link rel="icon" href="{static("img/favicon.svg")}" type="image/svg+xml">' in body
        assert f'<link rel="icon" href="{static("img/favicon.ico")}"' in body
    assert finders.find("img/favicon.svg")
