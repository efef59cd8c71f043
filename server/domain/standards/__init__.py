"""Water-quality limits (GB 3838 / GB 18918 / GB 8978) and judging field readings against them."""
from server.domain.standards.limits import (
    BOUNDS,
    CATEGORIES,
    PARAMETERS,
    SEWAGE_GRADES,
    UNITS,
    WATER_CLASSES,
    Judgement,
    exceedance_multiple,
    judge,
    limits_table,
    parameter_label,
    stored_direction,
    validate_value,
)

__all__ = ["BOUNDS", "CATEGORIES", "PARAMETERS", "SEWAGE_GRADES", "UNITS", "WATER_CLASSES", "Judgement",
           "exceedance_multiple", "judge", "limits_table", "parameter_label", "stored_direction", "validate_value"]
