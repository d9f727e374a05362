"""Offline stand-in for huggingface_hub, enough for diffusers v0.21.4 to import.

The golden-fixture script builds models from configs and never talks to a hub;
any attempt to do so fails loudly here instead of reaching for the network.
"""
__version__ = "0.16.4"


def _offline(*args, **kwargs):
    raise RuntimeError("huggingface_hub stand-in: the golden-fixture script works offline")


hf_hub_download = cached_download = model_info = snapshot_download = _offline
create_repo = upload_folder = whoami = _offline


class HfFolder:
    @staticmethod
    def get_token():
        return None


class ModelCard:
    pass


class ModelCardData:
    pass
