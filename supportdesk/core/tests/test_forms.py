from django import forms

from supportdesk.core.forms import QuickSelect, use_quick_selects


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


def test_quick_select_keeps_validation():
    form = Pick({"zone": "nope"})
    use_quick_selects(form)
    assert not form.is_valid() and "zone" in form.errors
