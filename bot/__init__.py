"""rapid-consult: urgent inter-agency consultations over Telegram, without state secrets."""

__version__ = "0.1.0"
