"""The bottom layer: money, errors, change facts, database helpers and the
command line's Django set-up. It imports no other part of Tandem."""
