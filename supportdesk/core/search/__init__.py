"""Full-text search behind one interface: SQLite FTS5 or PostgreSQL tsvector.

Both engines index text that `normalize` has already folded (case, diacritics, CJK split into
single characters), so search behaves the same on either engine and in every language.
"""

from supportdesk.core.search.index import SearchIndex
from supportdesk.core.search.normalize import normalize, parse_query

__all__ = ["SearchIndex", "normalize", "parse_query"]
