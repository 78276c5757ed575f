"""The retention rule: which ended consultations' content may now be destroyed."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field


class RetentionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    closed_content_days: int | None = Field(default=365, ge=1, le=36500)

    def cutoff(self, now: datetime) -> datetime | None:
        """Consultations ended before this moment are due; None when content is kept forever."""
        if self.closed_content_days is None:
            return None
        return now - timedelta(days=self.closed_content_days)
