"""Email in and out (SPEC §8).

- addresses.py: the desk's address, the signed per-ticket reply address, the thread root;
- outbound.py: send an email at most once per event and recipient (the OutboundEmail claim);
- parse.py, text.py: read a message; HTML to text; trim quoted history and signatures;
- loops.py: what a robot sent (auto-replies, bounces) and the per-sender hourly cap;
- ingest.py: one message → a ticket, a reply, or nothing, through the ticket actions;
- imap.py: poll a mailbox for unseen messages.

What each email says and to whom is `tickets.notifications`.
"""
