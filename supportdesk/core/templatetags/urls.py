"""`{% url %}`, with the URLs it has worked out remembered.

Django's tag reverses its URL pattern every time it renders (~20 µs: walking the URL
configuration, converting and quoting the arguments); the desk's frame alone has eight of them
on every page, the ticket page a dozen more. The same name, arguments, script prefix, URL
configuration and language always give the same URL, so the answer is kept (the last 4,096) and
looked up next time. Arguments other than strings and whole numbers (a model instance, say)
are reversed each time, as Django does.

A template builtin listed after Django's own (TEMPLATES in settings), so it takes the place of
Django's `url` tag everywhere with the same syntax and the same errors.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape

from supportdesk.core.links import reversal_context

register = template.Library()


@lru_cache(maxsize=4096)
def _remembered(
    view_name: str,
    args: tuple[str | int, ...],
    kwargs: tuple[tuple[str, str | int], ...],
    current_app: str | None,
    prefix: str,
    urlconf: str | None,
    language: str | None,
) -> str:
    # The last three only key the memory: reverse() reads them from the thread itself.
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


def reverse_remembered(
    view_name: str, args: list[Any], kwargs: dict[str, Any], current_app: str | None
) -> str:
    plain = (str, int)
    if not all(isinstance(a, plain) for a in args) or not all(isinstance(v, plain) for v in kwargs.values()):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _remembered(
        view_name, tuple(args), tuple(sorted(kwargs.items())), current_app, *reversal_context()
    )


class RememberedURLNode(defaulttags.URLNode):
    def render(self, context: template.Context) -> str:
        # The namespace to prefer: the request's current_app if it set one, else the namespace
        # of the view that answered it.
        request: Any = getattr(context, "request", None)
        if hasattr(request, "current_app"):
            current_app = request.current_app
        else:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        try:
            url = reverse_remembered(
                self.view_name.resolve(context),
                [arg.resolve(context) for arg in self.args],
                {name: value.resolve(context) for name, value in self.kwargs.items()},
                current_app,
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: template.base.Parser, token: template.base.Token) -> RememberedURLNode:
    """`{% url "name" arg1 key=value [as variable] %}`, as Django's tag parses it."""
    node = defaulttags.url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
