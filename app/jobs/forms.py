from app.forms import FlaskForm


class RetryForm(FlaskForm):
    """Only the CSRF token."""
