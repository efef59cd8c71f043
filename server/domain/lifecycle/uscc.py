"""统一社会信用代码 (GB 32100-2015) checked with python-stdnum's cn.uscc (the standard's character set,
weights and check character), so a typo in a responsible party's code is caught at entry."""
from __future__ import annotations

from stdnum import exceptions
from stdnum.cn import uscc

from server.domain.errors import BadInput


def check_uscc(value: str | None, field: str) -> str | None:
    """The code in its compact form, or BAD_USER_INPUT naming `field` and what is wrong."""
    if value is None or not value.strip():
        return None
    try:
        return uscc.validate(value)
    except exceptions.InvalidLength:
        raise BadInput(f"{field}: a unified social credit code has 18 characters", field=field) from None
    except exceptions.InvalidChecksum:
        raise BadInput(f"{field}: the check character (18th) does not match (GB 32100-2015)", field=field) from None
    except exceptions.ValidationError:
        raise BadInput(f"{field}: not a unified social credit code (digits and capitals without I, O, S, V, Z)",
                       field=field) from None
