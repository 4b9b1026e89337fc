"""Readers: each turns one input format into blocks (:mod:`gov_disclosure_stats.grid`)."""

from __future__ import annotations

from .text import read_text

__all__ = ["read_text"]
