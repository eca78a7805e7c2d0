"""The quick form renderer writes exactly what Django's widget templates write, for every widget
it handles and for hostile values; everything else is still rendered by Django."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from supportdesk.core.form_renderer import QuickFormRenderer, quick_html

HOSTILE = ['"><script>alert(1)</script>', "O'Brien & <Co>", "", "ż ó 中文 Tiếng Việt", "a\nb"]


class ManyFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class Everything(forms.Form):
    text = forms.CharField(
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Search"), "autofocus": True})
    )
    number = forms.IntegerField(widget=forms.NumberInput(attrs={"min": 0, "disabled": False}))
    email = forms.EmailField()
    hidden = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    url = forms.URLField(assume_scheme="https")
    checkbox = forms.BooleanField()
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    choice = forms.ChoiceField(choices=[("", "Any"), ("1", "<One>"), ("2", mark_safe("<b>Two</b>"))])
    grouped = forms.ChoiceField(choices=[("Group <A>", [("a", "A"), ("b", "B")]), ("c", "C")])
    many = forms.MultipleChoiceField(choices=[("x", "X & Y"), ("z", "Z")], widget=forms.SelectMultiple)
    boxes = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "<Y>")], widget=forms.CheckboxSelectMultiple)
    radios = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)
    upload = forms.FileField(widget=forms.FileInput(attrs={"accept": "image/*"}))
    uploads = forms.FileField(widget=ManyFiles(attrs={"class": "files"}), required=False)


def both(form_class, data):
    """Each field's HTML and each checkbox/radio option's tag, by Django and by the quick renderer."""
    results = []
    for renderer in (DjangoTemplates(), QuickFormRenderer()):
        form = form_class(data, renderer=renderer)
        form.is_valid()
        parts = [str(field) for field in form]
        parts += [str(option.tag()) for name in ("boxes", "radios") for option in form[name]]
        results.append(parts)
    return results


@pytest.mark.parametrize("value", HOSTILE)
def test_every_widget_is_written_as_django_writes_it(value):
    data = dict.fromkeys(Everything.base_fields, value)
    data.update(many=["x", value], boxes=["y", value], radios=value, checkbox="on", choice="1")
    django_html, quick = both(Everything, data)
    assert quick == django_html


def test_unbound_form_matches_too():
    django_html, quick = both(Everything, None)
    assert quick == django_html


def test_hostile_values_stay_escaped():
    form = Everything(
        {"text": '"><script>x</script>', "body": "</textarea><script>"}, renderer=QuickFormRenderer()
    )
    assert "<script>" not in str(form["text"]) and "<script>" not in str(form["body"])
    assert "&lt;/textarea&gt;" in str(form["body"])


def test_other_templates_are_left_to_django():
    assert quick_html("django/forms/widgets/clearable_file_input.html", {"widget": {}}) is None
    # A file input showing its current file (a link, a "clear" box): Django writes it.
    with_file = forms.Form(initial={"photo": _StoredFile()}, renderer=QuickFormRenderer())
    with_file.fields["photo"] = forms.FileField(required=False)
    assert 'href="/media/photo.png"' in str(with_file["photo"]) and 'type="checkbox"' in str(
        with_file["photo"]
    )
    assert quick_html("django/forms/widgets/multiple_input.html", {"widget": {}}) is None
    assert quick_html("django/forms/widgets/input.html", {"widget": {}, "extra": 1}) is None
    file_form = forms.Form(renderer=QuickFormRenderer())
    file_form.fields["upload"] = forms.FileField()
    assert 'type="file"' in str(file_form["upload"])


class _StoredFile:
    url = "/media/photo.png"

    def __str__(self) -> str:
        return "photo.png"


def test_the_product_uses_it(settings):
    assert settings.FORM_RENDERER == "supportdesk.core.form_renderer.QuickFormRenderer"
