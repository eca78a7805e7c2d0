from django import forms
from django.template import engines

from supportdesk.core.forms import NormalizedChoices, QuickFormMetaclass, QuickSelect, use_quick_selects


class Pick(forms.Form):
    zone = forms.ChoiceField(choices=[("a", "<script>x</script>"), ("b&c", "B & C")], required=False)


def test_quick_select_renders_like_a_select_and_escapes_everything():
    form = Pick(initial={"zone": "b&c"})
    use_quick_selects(form)
    assert isinstance(form.fields["zone"].widget, QuickSelect)
    html = str(form["zone"])
    assert html.startswith('<select name="zone" id="id_zone">')
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert '<option value="b&amp;c" selected>B &amp; C</option>' in html
    assert html.count("selected") == 1


def test_quick_attributes_are_djangos_flatatt():
    from django.forms.utils import flatatt
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from supportdesk.core.forms import quick_flatatt

    for attrs in (
        {},
        {"id": "id_zone", "required": True, "disabled": False, "data-x": None},
        {"title": '"><script>alert(1)</script>', "class": "a&b", "aria-describedby": "id_h"},
        {"z": 1, "a": 2.5, "m": mark_safe("<b>"), "hidden": True, "autofocus": True},
        {"placeholder": gettext_lazy("Search")},
    ):
        assert quick_flatatt(attrs) == flatatt(attrs)


def test_quick_select_keeps_validation():
    form = Pick({"zone": "nope"})
    use_quick_selects(form)
    assert not form.is_valid() and "zone" in form.errors


# -- {% form_field %} -------------------------------------------------------------------------------
class _FieldForm(forms.Form):
    name = forms.CharField(label="Name <yours>", help_text="As on <your> card", max_length=3)
    note = forms.CharField(label="Note", required=False)
    agree = forms.BooleanField(label="I agree")


def _render_field(form, name):
    return engines["django"].from_string("{% form_field field %}").render({"field": form[name]})


def test_form_field_writes_label_widget_help_and_errors_escaped():
    form = _FieldForm({"name": "<script>", "agree": ""})
    form.is_valid()
    html = _render_field(form, "name")
    assert html.startswith('<div class="field invalid">')
    assert '<label for="id_name">Name &lt;yours&gt; <span aria-hidden="true">*</span></label>' in html
    assert 'value="&lt;script&gt;"' in html and "<script>" not in html
    assert '<div class="help" id="id_name_helptext">As on &lt;your&gt; card</div>' in html
    assert html.count('<p class="error">') == 1
    # The input names both, as Django's widgets do; both are on the page.
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert '<div class="errors" id="id_name_error"><p class="error">' in html
    assert '<label for="id_note">Note</label>' in _render_field(form, "note")  # not required: no star


def test_form_field_puts_a_checkbox_before_its_label():
    form = _FieldForm()
    html = _render_field(form, "agree")
    assert html.startswith('<div class="field checkbox">')
    assert html.index('type="checkbox"') < html.index('<label for="id_agree">I agree</label>')


# -- NormalizedChoices ------------------------------------------------------------------------------
class _Desk(forms.Form):
    owner = forms.ChoiceField(required=False)


def test_normalized_choices_render_and_validate_like_a_list():
    form = _Desk({"owner": "7"})
    use_quick_selects(form)
    form.fields["owner"].choices = NormalizedChoices([("", "Any"), ("7", "Ann <admin>"), ("8", "Bo")])
    assert form.is_valid() and form.cleaned_data["owner"] == "7"
    html = str(form["owner"])
    assert '<option value="7" selected>Ann &lt;admin&gt;</option>' in html
    assert html.count("<option") == 3
    refused = _Desk({"owner": "9"})
    refused.fields["owner"].choices = NormalizedChoices([("7", "Ann")])
    assert not refused.is_valid() and "owner" in refused.errors


def test_normalized_choices_are_shared_not_copied_between_forms():
    class Shared(forms.Form):
        owner = forms.ChoiceField(choices=NormalizedChoices([("1", "One")]))

    first, second = Shared(), Shared()
    assert first.fields["owner"].choices is second.fields["owner"].choices
    assert list(first.fields["owner"].choices) == [("1", "One")]
    assert len(first.fields["owner"].choices) == 1 and first.fields["owner"].choices


def test_options_written_once_show_each_forms_own_selection_in_each_language():
    from django.utils.translation import gettext_lazy, override

    choices = NormalizedChoices([("", gettext_lazy("Any")), ("7", "Ann <admin>"), ("8", "Bo")])

    class Shared(forms.Form):
        owner = forms.ChoiceField(required=False, choices=choices)

    pages = []
    for language, picked in (("en", "7"), ("pl", "8"), ("en", "8")):
        form = Shared({"owner": picked})
        use_quick_selects(form)
        form.fields["owner"].choices = choices
        with override(language):
            pages.append(str(form["owner"]))
    assert '<option value="7" selected>Ann &lt;admin&gt;</option>' in pages[0]
    assert '<option value="8">Bo</option>' in pages[0] and '<option value="">Any</option>' in pages[0]
    assert '<option value="8" selected>Bo</option>' in pages[1] and '<option value="7">' in pages[1]
    assert '<option value="">Dowolne</option>' in pages[1]  # the Polish words, not the English kept
    assert '<option value="8" selected>Bo</option>' in pages[2]
    assert '<option value="">Any</option>' in pages[2]


def test_quick_selects_keep_a_model_field_lazy(django_assert_num_queries, db):
    from django.contrib.contenttypes.models import ContentType

    class Pick(forms.Form):
        kind = forms.ModelChoiceField(queryset=ContentType.objects.order_by("model"))

    with django_assert_num_queries(0):
        form = Pick()
        use_quick_selects(form)
    with django_assert_num_queries(1):
        html = str(form["kind"])
    assert html.count("<option") == ContentType.objects.count() + 1


# -- fields copied quickly (QuickFormMetaclass, copy_field) -------------------------------------
class _Quick(forms.Form, metaclass=QuickFormMetaclass):
    status = forms.ChoiceField(choices=[("open", "Open"), ("solved", "Solved")])
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=10)
    when = forms.SplitDateTimeField(required=False)  # copies itself its own way
    count = forms.IntegerField(min_value=1)


def _same_field(copied: forms.Field, original: forms.Field) -> None:
    assert type(copied) is type(original) and copied is not original
    assert type(copied.widget) is type(original.widget) and copied.widget is not original.widget
    assert copied.widget.attrs == original.widget.attrs and copied.widget.attrs is not original.widget.attrs
    assert copied.error_messages == original.error_messages
    assert copied.error_messages is not original.error_messages
    assert copied.validators == original.validators and copied.validators is not original.validators
    if isinstance(original, forms.ChoiceField):
        assert list(copied.choices) == list(original.choices)


def test_quick_copies_are_what_deepcopy_makes_and_share_nothing_that_changes():
    import copy

    for name, field in _Quick.base_fields.items():
        quick = copy.deepcopy(_Quick.base_fields)[name]
        _same_field(quick, field)
        _same_field(copy.deepcopy(field), field)  # Django's own, for comparison
    # A select became a QuickSelect once, for the class; its options are shared, not copied.
    assert isinstance(_Quick.base_fields["status"].widget, QuickSelect)
    first, second = _Quick(), _Quick()
    assert first.fields["status"].choices is second.fields["status"].choices
    first.fields["body"].widget.attrs["rows"] = 2
    first.fields["count"].error_messages["required"] = "Changed"
    first.fields["count"].validators.append(lambda value: None)
    first.fields["status"].choices = [("open", "Open")]
    assert second.fields["body"].widget.attrs["rows"] == 6
    assert _Quick.base_fields["body"].widget.attrs["rows"] == 6
    assert second.fields["count"].error_messages["required"] != "Changed"
    assert len(second.fields["count"].validators) == len(_Quick.base_fields["count"].validators)
    assert len(second.fields["status"].choices) == 2


def test_a_quick_form_renders_and_validates_as_a_plain_one():
    class Plain(forms.Form):
        status = forms.ChoiceField(choices=[("open", "Open"), ("solved", "Solved")])
        kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
        body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=10)
        when = forms.SplitDateTimeField(required=False)
        count = forms.IntegerField(min_value=1)

    data = {"status": "solved", "kind": "b", "body": "<b>hi</b>", "count": "0"}
    quick, plain = _Quick(data), Plain(data)
    assert quick.is_valid() is plain.is_valid() is False
    assert quick.errors == plain.errors
    for name in ("kind", "body", "when", "count"):
        assert str(quick[name]) == str(plain[name])
    assert '<option value="solved" selected>Solved</option>' in str(quick["status"])
    good = _Quick({**data, "count": "3", "body": "hi"})
    assert good.is_valid() and good.cleaned_data["status"] == "solved"
    assert not _Quick({**data, "status": "nope"}).is_valid()


def test_a_field_that_copies_itself_its_own_way_is_deep_copied():
    import copy

    from supportdesk.core.forms import copy_field

    field = _Quick.base_fields["when"]
    copied = copy_field(field, {})
    assert copied.fields[0] is not field.fields[0]  # SplitDateTimeField's own __deepcopy__ ran
    assert copied.widget.widgets[0] is not field.widget.widgets[0]
    assert copy_field(_Quick.base_fields["count"], {}).widget is not _Quick.base_fields["count"].widget
    assert copy.deepcopy(_Quick.base_fields).keys() == _Quick.base_fields.keys()
