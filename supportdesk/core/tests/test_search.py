"""Search folding (pure) and the index on the real database engine."""

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from supportdesk.core.search import SearchIndex, normalize, parse_query
from supportdesk.core.search import index as search_index
from supportdesk.core.search.normalize import fold, fold_unicode


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Mật khẩu ĐÚNG", "mat khau dung"),
        ("Zażółć gęślą JAŹŃ", "zazolc gesla jazn"),
        ("ＡＢＣ１２３", "abc123"),
        ("密码错误", "密 码 错 误"),
        ("Hello, world! e-mail: a_b@x.com", "hello world e mail a b x com"),
        ("Straße", "strasse"),
    ],
)
def test_normalize_folds_case_diacritics_width_and_spaces_cjk(text, folded):
    assert normalize(text) == folded


def test_ascii_text_folds_as_the_general_way_folds_it():
    """fold() takes a short way for ASCII text: it must give what the general way gives."""
    every_ascii_character = "".join(map(chr, range(128)))
    for text in (every_ascii_character, "Hello, WORLD! e-mail: A_B@X.COM\t\r\n", ""):
        assert fold(text) == fold_unicode(text)


def test_parse_query_makes_cjk_runs_phrases_and_words_terms():
    assert parse_query("mật khẩu 密码") == [["mat"], ["khau"], ["密", "码"]]
    assert parse_query("login密码reset") == [["login"], ["密", "码"], ["reset"]]
    assert parse_query("  ,.;  ") == []


@given(st.text(max_size=300))
def test_normalize_and_parse_never_fail(text):
    normalize(text)
    for term in parse_query(text):
        assert term and all(token for token in term)


@pytest.fixture
def index(db):
    index = SearchIndex("test_search_index", newest_first=True)
    index.create(connection)
    yield index
    index.drop(connection)


def matches(index, query):
    found = index.matching_ids(query)
    if found is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(found[0], found[1])
        return sorted(row[0] for row in cursor.fetchall())


def test_index_matches_prefixes_without_diacritics_and_chinese_phrases(index):
    index.replace_many(
        [
            (1, "Quên mật khẩu, không đăng nhập được"),
            (2, "Nie mogę się zalogować — hasło"),
            (3, "我忘记了密码，无法登录"),
            (4, "Password reset e-mail never arrived"),
        ]
    )
    assert matches(index, "mat khau") == [1]
    assert matches(index, "mật") == [1]
    assert matches(index, "zalog") == [2]
    assert matches(index, "haslo") == [2]
    assert matches(index, "密码") == [3]
    assert matches(index, "码密") == []
    assert matches(index, "pass reset") == [4]
    assert matches(index, "password zzz") == []
    assert matches(index, '" OR 1=1 --') == []
    assert matches(index, "!!!") is None


def test_append_extends_and_replace_overwrites_and_delete_removes(index):
    index.append(7, "first words")
    index.append(7, "second")
    assert matches(index, "first second") == [7]
    index.replace(7, "other")
    assert matches(index, "first") == []
    assert matches(index, "other") == [7]
    index.delete(7)
    assert matches(index, "other") == []


def test_hostile_queries_are_plain_text(index):
    index.replace(1, "alpha beta")
    for query in [
        'alpha" OR "beta',
        "alpha NEAR beta",
        "alpha:*",
        "al'pha",
        "(alpha) & !beta",
        "-alpha",
        "alpha*",
    ]:
        matches(index, query)  # must not raise a syntax error
    assert search_index._sql_literal("it's 100%") == "'it''s 100%%'"
    with pytest.raises(ValueError):
        SearchIndex("bad; DROP TABLE x")


def test_append_many_extends_existing_documents_and_creates_missing_ones(index):
    index.replace(1, "printer")
    index.append_many([(1, "on fire"), (2, "Mật khẩu sai"), (3, "   "), (4, "密码")])
    assert matches(index, "printer fire") == [1]
    assert matches(index, "mat khau") == [2]
    assert matches(index, "密码") == [4]
    assert matches(index, "printer") == [1]  # the old words stay
    index.append_many([])  # nothing to do, no statement fails


def test_common_and_rare_queries_find_the_same_documents_whichever_way_they_are_searched(index):
    # 1,200 documents, "printer" in every tenth (a common query: the newest ones are walked on
    # PostgreSQL), "toner" in one (a rare query: the GIN index is used).
    index.replace_many(
        (i, f"ticket {i} " + ("printer jam " if i % 10 == 0 else "") + ("toner " if i == 555 else ""))
        for i in range(1, 1201)
    )
    assert matches(index, "printer") == list(range(10, 1201, 10))
    assert matches(index, "print jam") == list(range(10, 1201, 10))
    assert matches(index, "toner") == [555]
    assert matches(index, "printer toner") == []
    if connection.vendor == "postgresql":
        assert "ts_match_vq" in index.matching_ids("printer")[0]
        assert "ts_match_vq" not in index.matching_ids("toner")[0]
        # An index whose lists are in another order always asks the GIN index.
        assert "ts_match_vq" not in SearchIndex(index.table).matching_ids("printer")[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the probe decides PostgreSQL's plan")
def test_the_probe_of_a_query_is_remembered_for_a_while(index, django_assert_num_queries, monkeypatch):
    index.replace_many((i, "printer" if i % 10 == 0 else "paper") for i in range(1, 1201))
    with django_assert_num_queries(1):
        assert "ts_match_vq" in index.matching_ids("printer")[0]
    with django_assert_num_queries(0):  # the next page, a colleague's same search
        assert "ts_match_vq" in index.matching_ids("printer")[0]
        assert "ts_match_vq" in index.matching_ids("PRINTER!")[0]  # the same query once folded
    # Answers expire, and only the most recent PROBE_MEMORY queries are kept.
    monkeypatch.setattr(search_index, "PROBE_TTL", 0.0)
    index.matching_ids("paper")
    with django_assert_num_queries(1):
        index.matching_ids("paper")
    monkeypatch.setattr(search_index, "PROBE_TTL", 600.0)
    monkeypatch.setattr(search_index, "PROBE_MEMORY", 2)
    for word in ("printer", "paper", "toner"):
        index.matching_ids(word)
    with django_assert_num_queries(1):
        index.matching_ids("printer")  # pushed out by the two after it


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics of PostgreSQL")
def test_the_statistics_target_is_set_and_reset(index):
    def target():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attstattarget FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attname = 'document'",
                [index.table],
            )
            return cursor.fetchone()[0]

    index.set_statistics_target(connection, 1000)
    assert target() == 1000
    index.set_statistics_target(connection, None)
    assert target() == -1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_each_rare_query_is_planned_for_itself(index):
    # Statements are prepared per connection; a parameter would give every query the plan made
    # for the earlier ones. The query is in the SQL instead, and its results stay exact.
    index.replace_many([(1, "promotion mail"), (2, "mailbox full"), (3, "khuyến mãi hè")])
    sql, params = index.matching_ids("khuyến mãi")
    assert params == [] and sql.endswith("to_tsquery('simple', '''khuyen'':* & ''mai'':*')")
    for word in ("promotion", "mailbox", "promotion", "mailbox", "promotion", "mailbox", "khuyen"):
        matches(index, word)
    assert matches(index, "khuyến mãi") == [3]
    assert matches(index, "mai") == [1, 2, 3]
