"""Domain errors. Each carries the contract's `extensions.code`; GraphQL maps them 1:1."""
from __future__ import annotations


class DomainError(Exception):
    code = "INTERNAL"

    def __init__(self, message: str, *, field: str | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra

    def extensions(self) -> dict:
        ext = {"code": self.code}
        if self.field:
            ext["field"] = self.field
        ext.update(self.extra)
        return ext


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class NotFound(DomainError):
    code = "NOT_FOUND"


class BadInput(DomainError):
    code = "BAD_USER_INPUT"


class Conflict(DomainError):
    code = "CONFLICT"


class InvalidState(DomainError):
    code = "INVALID_STATE"


class UploadInvalid(DomainError):
    code = "UPLOAD_INVALID"


class RateLimited(DomainError):
    code = "RATE_LIMITED"
