"""Tests of the audit log's Merkle tree, tree heads and their signatures."""
