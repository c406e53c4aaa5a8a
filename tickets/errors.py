class ActionRefused(Exception):
    """A domain action the actor may not take, or the ticket's state refuses.

    `code` is "forbidden" (not the actor's action: API 403), "conflict" (the state refuses
    it: API 409), "invalid" (bad input: API 400, naming `field`) or "not_found" (404).
    """

    def __init__(self, reason: str, code: str = "conflict", field: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.field = field
