"""Metered platform APIs, counted per account: X posts read per month (and its read budget), YouTube quota units per day."""
