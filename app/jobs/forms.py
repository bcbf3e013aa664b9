from flask_wtf import FlaskForm


class RetryForm(FlaskForm):
    """Only the CSRF token."""
