"""Home page by role, language switch and health check."""
