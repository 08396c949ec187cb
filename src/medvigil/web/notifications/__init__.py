"""Notifications: a transactional outbox of events, subscriptions, and guaranteed delivery."""
