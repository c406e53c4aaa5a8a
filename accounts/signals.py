"""Logout everywhere when a password changes.

Sessions end by themselves: Django keeps a hash of the password in each session and drops a
session whose hash no longer matches. The API token does not, so a new password revokes it.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import User


@receiver(post_save, sender=User, dispatch_uid="accounts.revoke_tokens_on_password_change")
def revoke_tokens_on_password_change(sender, instance, created, **kwargs):
    # set_password() keeps the raw password in `_password` until save() has finished.
    if not created and getattr(instance, "_password", None) is not None:
        from .actions import revoke_api_tokens

        revoke_api_tokens(user=instance)
