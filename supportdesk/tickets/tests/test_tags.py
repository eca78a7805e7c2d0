import pytest

from supportdesk.tickets.tags import InvalidTag, clean_tag, clean_tags, split_tag_input


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("VIP", "vip"),
        ("  late delivery ", "late-delivery"),
        ("Mật-Khẩu", "mật-khẩu"),
        ("退款", "退款"),
        ("a:b/c.d_e", "a:b/c.d_e"),
    ],
)
def test_tags_are_folded_to_one_spelling(raw, tag):
    assert clean_tag(raw) == tag


@pytest.mark.parametrize("raw", ["", "   ", "<script>", "a,b", "x" * 51, "semi;colon", 'quote"s'])
def test_bad_tags_are_refused(raw):
    with pytest.raises(InvalidTag):
        clean_tag(raw)


def test_duplicates_collapse_in_order():
    assert clean_tags(["b", "A", "a", "B "]) == ["b", "a"]


def test_split_tag_input_accepts_commas_and_spaces():
    assert split_tag_input("vip, refund  late\nx") == ["vip", "refund", "late", "x"]
