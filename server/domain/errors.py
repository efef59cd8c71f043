"""Domain errors. Each carries the contract's `extensions.code`; GraphQL maps them 1:1."""
from __future__ import annotations


class DomainError(Exception):
    code = "INTERNAL"

    def __init__(self, message: str, *, field: str | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra
        # A dict attribute named `extensions` is what graphql-core copies onto the GraphQLError it
        # wraps us in, so the code reaches clients on every path (subscriptions included).
        self.extensions = {"code": self.code, **({"field": field} if field else {}), **extra}


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
