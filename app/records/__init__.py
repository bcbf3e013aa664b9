"""Records: campaigns (đợt bồi dưỡng), training records, transcripts."""
