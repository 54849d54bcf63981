"""Membumi: grounded ASN training, from work-unit problems to verified change."""

__version__ = "0.1.0"
