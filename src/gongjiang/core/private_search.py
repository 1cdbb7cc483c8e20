"""Search words that may be personal (an identity number, a learner's name) never travel in a URL.

A URL is written to the server's and proxies' logs, the browser's history and the Referer of the
next request. The search box posts its words instead; they are kept in the user's session under
a random key, and the page's address (and its paging links) carries only that key.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import urlencode

SESSION_KEY = "private_searches"
KEEP = 20  # the searches a session remembers; older keys show the list unfiltered
MAX_LENGTH = 50


def search_redirect(request: HttpRequest, *, keep: tuple[str, ...] = ()) -> HttpResponseRedirect:
    """Answer a posted search: remember its words and send the browser to the list with only a key.
    `keep` names other posted filters (not personal, such as a status) to put in the URL as they are."""
    words = request.POST.get("q", "").strip()[:MAX_LENGTH]
    params = {name: request.POST.get(name, "")[:64] for name in keep if request.POST.get(name)}
    if words:
        saved: dict[str, str] = dict(request.session.get(SESSION_KEY, {}))
        key = secrets.token_urlsafe(9)
        saved[key] = words
        request.session[SESSION_KEY] = dict(list(saved.items())[-KEEP:])
        params["search"] = key
    return HttpResponseRedirect(f"{request.path}?{urlencode(params)}" if params else request.path)


def search_words(request: HttpRequest) -> str:
    """The words of the search the URL's key names, or nothing."""
    key = request.GET.get("search", "")[:32]
    saved = request.session.get(SESSION_KEY, {})
    return str(saved.get(key, "")) if key else ""
