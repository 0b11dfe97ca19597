"""Plain-Python cores of sales force automation: no ORM here, only data in and out.

- :mod:`.periods`: annual, quarterly and monthly periods (bounds, months they cover);
- :mod:`.targets`: achievement of sales targets from amounts per company, team, user and month;
- :mod:`.forecast`: forecast categories, historical win rates and the projection they give;
- :mod:`.conversion`: stage-to-stage conversion (a won entry is one) and who stays below their team average;
- :mod:`.receivables`: what is overdue (each instalment on its own), days overdue, alerts and the credit block;
- :mod:`.reminders`: when the daily-plan reminders are due, at each salesperson's local hour;
- :mod:`.qualification`: the qualification score of a lead and what a stage gate still lacks;
- :mod:`.assignment`: which salesperson gets which lead (territories, interests, team, load).
"""
