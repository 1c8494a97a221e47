"""Showing results: console tables, CSV leaderboards, plots, reports."""
