"""The compact built-in taxonomy for the demo (a demo subset, see manifest.json)."""

from pathlib import Path

BUILTIN_DIR = Path(__file__).resolve().parent
