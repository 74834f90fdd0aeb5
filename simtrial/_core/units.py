"""Units shared by the config and the engine."""

#: Days per month for durations and rates (365.25 / 12).
MONTH_DAYS = 30.4375

__all__ = ["MONTH_DAYS"]
