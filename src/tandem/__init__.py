"""Tandem: a CRM where customer service is a revenue department beside sales."""
