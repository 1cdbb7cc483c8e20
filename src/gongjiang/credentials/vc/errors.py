"""One error type with a code and a message in words, so callers never show a traceback."""

from __future__ import annotations

from django.utils.functional import Promise


class Message:
    """A lazily translated sentence and its parameters, rendered when shown.

    The library runs before Django settings exist (the CLI, Node-driven tests), so nothing is
    translated until :meth:`text` is called.
    """

    def __init__(self, template: str | Promise, **params: object) -> None:
        self.template = template
        self.params = params

    def text(self) -> str:
        return str(self.template) % self.params if self.params else str(self.template)

    __str__ = text


class CredentialError(Exception):
    """A credential (or a part of it) that cannot be processed, with a message for people.

    ``code`` is stable for programs (``"input.too_large"``, ``"context.unknown"`` …).
    """

    def __init__(self, code: str, template: str | Promise, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.message = Message(template, **params)
