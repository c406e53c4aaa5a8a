"""What the admins' configuration writes share (webhooks, automation rules, recurring tickets):
validate with the model's own checks, the ones Django admin runs, and record who changed what.

The record is Django admin's own log (`LogEntry`), so a change made through the API shows in
the object's admin history beside the changes made there.
"""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction

from ..errors import ActionRefused
from .catalogue import require_admin


def refusal(exc: ValidationError) -> ActionRefused:
    """The first message of a model's ValidationError, as a 400 naming its field."""
    if not hasattr(exc, "error_dict"):
        return ActionRefused(exc.messages[0], "invalid")
    field, errors = next(iter(exc.error_dict.items()))
    message = errors[0].messages[0]
    return ActionRefused(message, "invalid", None if field == NON_FIELD_ERRORS else field)


def save_config(*, actor, instance: models.Model, values: dict, what: str, check=None) -> models.Model:
    """Set `values` on `instance` (a new one, or one to change), validate it as admin does, save it.

    `check(instance)` adds the rules the model's `clean` does not hold; like `full_clean`, it
    raises ValidationError or ActionRefused. Call inside a transaction.
    """
    require_admin(actor, what)
    adding = instance.pk is None
    if not adding:
        # Lock the row: two admins saving at once are serialised, each on the other's result.
        instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    changed = [name for name, value in values.items() if adding or _stored(instance, name) != _key(value)]
    for name, value in values.items():
        setattr(instance, name, value)
    try:
        instance.full_clean()
        if check is not None:
            check(instance)
    except ValidationError as exc:
        raise refusal(exc) from exc
    try:
        with transaction.atomic():  # a savepoint: a unique name taken meanwhile is a 409, not a 500
            if adding:
                instance.save()
            elif changed:
                instance.save(update_fields=changed)
    except IntegrityError as exc:
        raise ActionRefused("Another admin saved a conflicting change; reload and try again.") from exc
    if adding or changed:
        fields = ", ".join(str(instance._meta.get_field(name).verbose_name) for name in changed)
        message = "Added through the API." if adding else f"Changed {fields} through the API."
        _log(actor, instance, ADDITION if adding else CHANGE, message)
    return instance


def delete_config(*, actor, instance: models.Model, what: str) -> None:
    """Delete `instance` (and what cascades from it), recorded in its admin history."""
    require_admin(actor, what)
    _log(actor, instance, DELETION, "Deleted through the API.")
    type(instance).objects.filter(pk=instance.pk).delete()


def _stored(instance: models.Model, name: str):
    """The stored value of a field; a foreign key's id (no query for the related row)."""
    return getattr(instance, instance._meta.get_field(name).attname)


def _key(value):
    return value.pk if isinstance(value, models.Model) else value


def _log(actor, instance: models.Model, flag: int, message: str) -> None:
    LogEntry.objects.log_actions(actor.pk, [instance], flag, change_message=message, single_object=True)
