"""Consultations and notices: opened, managed by their coordinator, moved on by their deadline steps,
delivered to whoever receives for each invitee.
"""
