"""Reports from the bitemporal report read model: what funders, the director and auditors ask."""
