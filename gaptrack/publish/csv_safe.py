"""The CSV cell rule of every writer, kept in gaptrack.csv_safe (below compare/ and
update/, which read cells back and import nothing from publish/); here for publish's
writers and existing imports."""

from gaptrack.csv_safe import TRIGGERS, restore, safe_cell, safe_frame, safe_text

__all__ = ["TRIGGERS", "restore", "safe_cell", "safe_frame", "safe_text"]
