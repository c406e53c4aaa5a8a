"""Server-rendered pages: the staff queue and ticket page, the customer portal, ticket creation."""
