import pytest


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test stores its files in a fresh directory."""
    settings.MEDIA_ROOT = str(tmp_path / "attachments")
    return tmp_path / "attachments"
