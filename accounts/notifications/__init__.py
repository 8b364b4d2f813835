"""The notification system: the in-app centre, email and college group robots, idempotent by a sent-message row.

Other apps plug in through `accounts.notifications.reasons.reason_register` (in a `<app>/reminders.py`, which
`accounts` imports at start-up) and `accounts.notifications.services` (`notifications_queue`,
`college_digest_queue`, `sent_messages_deliver`, or `notification_send` for a single message).
"""
