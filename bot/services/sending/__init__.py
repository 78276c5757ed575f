"""What a queued message needs as it leaves (a card rendered now, the dressing every call wears) and
what its delivery or refusal means.
"""
