"""QuickSelect writes exactly Django's <select>; the client filter lists clients without a query per option."""

from __future__ import annotations

import re

import pytest
from django import forms

from scoping.models import Client
from scoping.projects.forms import ProjectFilterForm
from scoping.projects.widgets import QuickSelect

CHOICES = [("", "All"), ("a", "A & <b>"), (3, "Three"), ("a", "Twice"), (None, "None")]


def _same_markup(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, "", "a", "3", 3, "missing"])
def test_quick_select_writes_what_django_select_writes(value):
    attrs = {"class": "form-select", "required": True, "disabled": False, "data-x": 'q"uote'}
    django_html = forms.Select(attrs=attrs, choices=CHOICES).render("pick", value, attrs={"id": "id_pick"})
    quick_html = QuickSelect(attrs=attrs, choices=CHOICES).render("pick", value, attrs={"id": "id_pick"})
    assert _same_markup(quick_html) == _same_markup(django_html)


def test_grouped_choices_fall_back_to_django_templates():
    grouped = [("", "All"), ("Group", [("g1", "G1"), ("g2", "G2")])]
    django_html = forms.Select(choices=grouped).render("pick", "g2")
    assert _same_markup(QuickSelect(choices=grouped).render("pick", "g2")) == _same_markup(django_html)
    assert 'value="g2" selected' in django_html


def test_the_client_filter_lists_every_client_in_one_query(db, django_assert_num_queries):
    Client.objects.bulk_create([Client(name=f"Client {number:03d}", industry="x") for number in range(30)])
    chosen = Client.objects.get(name="Client 007")
    form = ProjectFilterForm({"client": str(chosen.pk)})
    assert form.is_valid() and form.cleaned_data["client"] == chosen
    with django_assert_num_queries(1):
        html = str(form["client"])
    assert html.count("<option") == 31
    assert f'<option value="{chosen.pk}" selected>Client 007</option>' in html
    assert '<option value="">All clients</option>' in html
