"""Offline stand-in for huggingface_hub.constants (see __init__.py)."""
import os

hf_cache_home = os.path.join(os.path.expanduser("~"), ".cache", "huggingface-standin")
HUGGINGFACE_HUB_CACHE = os.path.join(hf_cache_home, "hub")
