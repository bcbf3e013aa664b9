"""Records: campaigns (đợt bồi dưỡng), training records, transcripts."""

from .views import bp

__all__ = ["bp"]
