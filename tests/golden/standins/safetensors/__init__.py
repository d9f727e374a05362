"""Pure-Python stand-in for the safetensors package (no Debian package exists).

Writes and reads the safetensors format: an 8-byte little-endian header length,
a JSON header of {name: {dtype, shape, data_offsets}}, then the raw tensor bytes.
"""
__version__ = "0.3.1-standin"


class SafetensorError(Exception):
    pass
