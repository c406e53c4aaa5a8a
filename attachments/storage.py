"""File removal tied to the transaction that removed the rows."""

from django.core.files.storage import default_storage
from django.db import transaction


def delete_files_on_commit(names: list[str]) -> None:
    """Remove stored files once the rows pointing at them are gone for good.

    After commit, so a rolled-back purge keeps its files.
    """
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(n) for n in names])
