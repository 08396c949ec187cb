"""Django project configuration for medvigil."""
