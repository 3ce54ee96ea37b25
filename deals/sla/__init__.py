"""Operational SLAs on both sides of the program, measured from event timestamps."""
