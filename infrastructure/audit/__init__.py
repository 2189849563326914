"""Audit infrastructure: signing the Merkle log's tree heads."""
