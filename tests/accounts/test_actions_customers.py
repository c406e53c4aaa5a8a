"""Finding or creating a customer by email."""

import threading

import pytest
from django.db import connection

from accounts.actions import get_or_create_customer
from accounts.models import User


def test_an_existing_address_is_found_whatever_its_case(people):
    assert get_or_create_customer(email="DAVE@Example.com") == people.dave


@pytest.mark.django_db(transaction=True)
def test_two_requests_for_one_new_address_share_one_customer():
    barrier = threading.Barrier(2)
    found = []

    def take():
        barrier.wait()
        try:
            found.append(get_or_create_customer(email="new@example.com").pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 2 and found[0] == found[1]
    assert User.objects.filter(email="new@example.com").count() == 1
