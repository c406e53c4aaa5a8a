"""Registration: a guest becomes a customer who logs in, and keeps their tickets.

An address that already belongs to someone is never taken over from the form: the address's
owner gets an email. For a guest (no usable password) it carries a signed, expiring link that
lets them choose a password; for anyone else it only says that the account exists.
"""

import hmac

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode

from accounts.actions import create_user
from accounts.models import Role, User

from ..errors import ActionRefused
from .guests import check_email

SALT = "tickets.registration.confirm"
CONFIRM_MAX_AGE = 2 * 24 * 3600  # seconds


def _state(user: User) -> str:
    """A fingerprint of the password field: setting a password changes it, which spends the link."""
    return salted_hmac(SALT, user.password).hexdigest()[:24]


def check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ActionRefused(" ".join(exc.messages), "invalid", "password")


def _queue_email(kind: str, email: str, link: str) -> None:
    from ..tasks import send_account_email_task

    transaction.on_commit(lambda: send_account_email_task.delay(kind, email, link))


@transaction.atomic
def register_customer(*, email: str, name: str = "", password: str, next_url: str = "") -> User | None:
    """Create a customer for a new address and return it; otherwise mail the address's owner.

    Returns None when an email went out instead of an account being created; the caller shows
    the same "check your email" answer whatever the address was.
    """
    email = check_email(email)
    name = (name or "").strip()[:150]
    # The same rules for every address, so the answer never tells a known address from a new one.
    check_password(password, User(email=email, name=name))
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        return create_user(email=email, name=name, password=password, role=Role.CUSTOMER)
    site = settings.SITE_URL.rstrip("/")
    if existing.is_active and existing.is_customer and not existing.has_usable_password():
        signed = signing.dumps(
            {"u": existing.pk, "s": _state(existing), "n": name, "next": next_url}, salt=SALT
        )
        _queue_email(
            "confirm_registration", existing.email, f"{site}{reverse('register_confirm', args=[signed])}"
        )
    else:
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        _queue_email("already_registered", existing.email, f"{site}{reverse('login')}{query}")
    return None


def read_confirmation(signed: str) -> tuple[User, dict]:
    """The guest a confirmation link is for, with what it carries; "gone" when it is expired,
    tampered with, already used, or the account changed since."""
    try:
        data = signing.loads(signed, salt=SALT, max_age=CONFIRM_MAX_AGE)
        user = User.objects.filter(pk=int(data["u"])).first()
        state = str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        user, state, data = None, "", {}
    if (
        user is None
        or not user.is_active
        or not user.is_customer
        or user.has_usable_password()
        or not hmac.compare_digest(_state(user), state)
    ):
        raise ActionRefused("This link is not valid any more. Register again to get a new one.", "gone")
    return user, data


@transaction.atomic
def confirm_registration(*, signed: str, password: str) -> User:
    """Set the guest's password (and name) from a valid confirmation link; the link then dies."""
    user, _ = read_confirmation(signed)
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    user, data = read_confirmation(signed)  # again under the lock: two clicks set it once
    check_password(password, user)
    user.set_password(password)
    fields = ["password"]
    if data.get("n") and not user.name:
        user.name = str(data["n"])[:150]
        fields.append("name")
    user.save(update_fields=fields)
    return user
