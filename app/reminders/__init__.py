"""Reminders: HR officers remind the cadres of their subtree who have not finished a
campaign, and the platform reminds everyone 7 and 2 days before it closes; shown on
the home page, and sent by email when SMTP is configured."""
