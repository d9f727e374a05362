"""Offline stand-in for huggingface_hub.utils (see __init__.py)."""


class EntryNotFoundError(Exception):
    pass


class RepositoryNotFoundError(Exception):
    pass


class RevisionNotFoundError(Exception):
    pass


def is_jinja_available():
    return False


def validate_hf_hub_args(fn):
    return fn
