from concurrent.futures import ThreadPoolExecutor

from supportdesk.core.text import contains_markup, multi_line, sanitize_html, single_line


def test_sanitize_html_removes_scripts_handlers_and_bad_urls():
    dirty = (
        '<p onclick="x()">Hi<script>alert(1)</script><img src="javascript:alert(1)">'
        '<a href="javascript:alert(1)">a</a><a href="https://example.com">b</a><style>p{}</style>'
        '<iframe src="https://evil"></iframe><form><input></form></p>'
    )
    clean = sanitize_html(dirty)
    assert "script" not in clean and "onclick" not in clean and "javascript" not in clean
    assert "iframe" not in clean and "<form" not in clean and "<style" not in clean
    assert 'href="https://example.com"' in clean and "noopener" in clean


def test_markup_detection():
    assert contains_markup("<script>x</script>")
    assert contains_markup("< img src=x>")
    assert contains_markup("JavaScript:alert(1)")
    assert not contains_markup("2 < 3 and 5 > 4")
    assert not contains_markup("Câu hỏi về hóa đơn")


def test_line_cleaning():
    assert single_line(" a\tb\nc\x00d ") == "a b c d"
    assert multi_line("a\r\nb  \rc\x07\n\n") == "a\nb\nc"


def test_one_sanitizer_serves_every_thread_alike():
    """The sanitizer is built once and shared by the web server's threads."""
    bodies = [
        f'<p onclick="x()">#{n} <a href="javascript:alert({n})">a</a><script>{n}</script></p>'
        for n in range(200)
    ]
    expected = [f'<p>#{n} <a rel="noopener noreferrer nofollow">a</a></p>' for n in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(sanitize_html, bodies)) == expected
