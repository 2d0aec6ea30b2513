"""Notifications: one mechanism for every message yanzhi sends to a person — 催报 to
enterprises that have not reported, 督办 to task owners, 报送审核 and 预警 events.

``send`` creates the in-app notifications (one per recipient account) and e-mails them
when ``YANZHI_SMTP_HOST`` is set and the account has an address; ``mail`` is the SMTP
client (the standard library's ``smtplib``); ``inbox`` lists them for their recipient,
counts the unread ones and marks them read. Every delivery attempt is recorded; a
failed one stays pending and is retried by the next send and by ``yanzhi notify deliver``.
"""
