"""DNS lookups and the DNS step's checks."""
