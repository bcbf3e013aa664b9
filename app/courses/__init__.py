"""Courses: Markdown modules loaded from courses/, versions, and reading progress."""
