"""Offline stand-in for huggingface_hub.file_download (see __init__.py)."""
import re

REGEX_COMMIT_HASH = re.compile(r"^[0-9a-f]{40}$")
