"""Partnerlab's composition root and command line."""
